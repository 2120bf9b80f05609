// A public endpoint, even CIDR-limited (eks-cluster-endpoint-restricted, mandatory everywhere),
// keeps the control plane reachable from outside the VPC. The config allows it outside prod for
// convenience; the level follows the environment (docs/policies.md, "Levels per environment").
import { awsFsbp, checkov, cisEks } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { EKS_CLUSTER_TYPES, endpointSettings } from "./eks";

export const eksClusterEndpointNotPublic = defineResourcePolicy(
    {
        name: "eks-cluster-endpoint-not-public",
        description: "EKS clusters should not expose a public API endpoint at all (public access defaults to on).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EKS.1", "EKS cluster endpoints should not be publicly accessible"),
            cisEks("5.4.2", "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled"),
            checkov("CKV_AWS_39", "Ensure Amazon EKS public endpoint disabled"),
        ],
        appliesTo: EKS_CLUSTER_TYPES.join(", "),
        remediation: "Set `endpointPublicAccess: false` and reach the API from inside the VPC (VPN, runners in the VPC).",
    },
    {
        appliesTo: ofTypes(...EKS_CLUSTER_TYPES),
        check(resource) {
            if (endpointSettings(resource.type, resource.props).publicAccess) resource.report("EKS cluster has a public API endpoint");
        },
    },
);
