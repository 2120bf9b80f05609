// The aws-auth ConfigMap is deprecated and easy to break; access entries (mode API) are
// auditable AWS resources. Unset means CONFIG_MAP.
import { cisEks, eksBestPractices } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { asRecord, asString } from "../../lib/values";
import { AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER } from "./types";

export const eksClusterAuthenticationModeApi = defineResourcePolicy(
    {
        name: "eks-cluster-authentication-mode-api",
        description: "EKS clusters must use authentication mode API (access entries only).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            eksBestPractices("Security: identity and access management", "Use EKS access entries instead of aws-auth"),
            cisEks("4.1.7", "Cluster Access Manager API to streamline and enhance the management of access controls within EKS clusters"),
        ],
        appliesTo: `${AWS_EKS_CLUSTER}, ${EKS_COMPONENT_CLUSTER}`,
        remediation: "Set `authenticationMode: \"API\"` (eks.Cluster) or `accessConfig.authenticationMode: \"API\"`.",
    },
    {
        appliesTo: ofTypes(AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER),
        check(resource) {
            const mode =
                resource.type === AWS_EKS_CLUSTER
                    ? asString(asRecord(resource.props.accessConfig)?.authenticationMode)
                    : asString(resource.props.authenticationMode);
            if (mode !== "API") resource.report(`EKS cluster authentication mode is ${mode ?? "unset (CONFIG_MAP)"}`);
        },
    },
);
