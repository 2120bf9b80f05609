// Envelope encryption of Secrets with a customer KMS key protects them in etcd backups.
// A key ARN that is unknown during preview is still a key: presence is what we check.
import { awsFsbp, checkov, cisEks, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { readOrUnknown, UNKNOWN } from "../../lib/unknowns";
import { asRecord, isNonEmptyString, path, stringList } from "../../lib/values";
import { AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER } from "./types";

function isSet(read: () => unknown): boolean {
    const value = readOrUnknown(read);
    return value === UNKNOWN || isNonEmptyString(value);
}

export const eksClusterSecretsEncryption = defineResourcePolicy(
    {
        name: "eks-cluster-secrets-encryption",
        description: "EKS clusters must encrypt Kubernetes Secrets with a KMS key.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("5.3.1", "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS"),
            awsFsbp("EKS.3", "EKS clusters should use encrypted Kubernetes secrets"),
            checkov("CKV_AWS_58", "Ensure EKS Cluster has Secrets Encryption Enabled"),
            prowler("eks_cluster_kms_cmk_encryption_in_secrets_enabled", "EKS cluster has Kubernetes secrets encryption enabled"),
        ],
        appliesTo: `${AWS_EKS_CLUSTER}, ${EKS_COMPONENT_CLUSTER}`,
        remediation: "Set `encryptionConfigKeyArn` (eks.Cluster) or `encryptionConfig` with resources [secrets] (aws.eks.Cluster).",
    },
    {
        appliesTo: ofTypes(AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER),
        check(resource) {
            if (resource.type === EKS_COMPONENT_CLUSTER) {
                if (!isSet(() => resource.props.encryptionConfigKeyArn)) {
                    resource.report("EKS cluster has no encryptionConfigKeyArn for Secrets");
                }
                return;
            }
            const config = asRecord(resource.props.encryptionConfig);
            const keyed = isSet(() => path(config, "provider", "keyArn"));
            const coversSecrets = stringList(config?.resources).includes("secrets");
            if (!keyed || !coversSecrets) resource.report("EKS cluster does not encrypt Secrets with a KMS key");
        },
    },
);
