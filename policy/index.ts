// CrossGuard entry point: `pulumi preview --policy-pack policy`. It only wraps the policy list;
// constructing PolicyPack starts the analyzer's gRPC server, so nothing else may import this file.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";

new PolicyPack("eks-platform", {
    description: "Security and reliability guardrails for the EKS platform (PSS, CIS EKS, NSA/CISA, AWS FSBP).",
    policies: allPolicies,
});
