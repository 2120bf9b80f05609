// With the private endpoint off, nodes reach the API server over the internet path, and turning
// the public endpoint off later would cut them from their control plane.
import { cisEks, eksBestPractices, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { EKS_CLUSTER_TYPES, endpointSettings } from "./eks";

export const eksClusterPrivateEndpoint = defineResourcePolicy(
    {
        name: "eks-cluster-private-endpoint",
        description: "EKS clusters must enable the private API endpoint (EKS leaves it off by default).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("5.4.2", "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled"),
            prowler("eks_cluster_private_nodes_enabled", "EKS cluster has private endpoint access enabled"),
            eksBestPractices("Security: identity and access management", "Make the EKS Cluster Endpoint private"),
        ],
        appliesTo: EKS_CLUSTER_TYPES.join(", "),
        remediation: "Set `endpointPrivateAccess: true` (eks.Cluster) or `vpcConfig.endpointPrivateAccess: true` (aws.eks.Cluster).",
    },
    {
        appliesTo: ofTypes(...EKS_CLUSTER_TYPES),
        check(resource) {
            if (!endpointSettings(resource.type, resource.props).privateAccess) resource.report("EKS cluster has no private API endpoint (endpointPrivateAccess is not true)");
        },
    },
);
