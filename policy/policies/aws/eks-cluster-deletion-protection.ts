// Deletion protection makes `DeleteCluster` fail until someone turns it off on purpose: a stray
// `pulumi destroy` or a console click cannot take the control plane (and its etcd) away.
import { prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { EKS_CLUSTER_TYPES } from "./eks";

export const eksClusterDeletionProtection = defineResourcePolicy(
    {
        name: "eks-cluster-deletion-protection",
        description: "EKS clusters should have deletion protection on.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [prowler("eks_cluster_deletion_protection_enabled", "EKS cluster has deletion protection enabled")],
        appliesTo: EKS_CLUSTER_TYPES.join(", "),
        remediation: "Set `deletionProtection: true`.",
    },
    {
        appliesTo: ofTypes(...EKS_CLUSTER_TYPES),
        check(resource) {
            if (resource.props.deletionProtection !== true) resource.report("EKS cluster has no deletion protection");
        },
    },
);
