// The pack's policy list, kept apart from index.ts so tests and the offline checker can use the
// policies without constructing a PolicyPack (which starts a gRPC server).
import { PlatformPolicy } from "../lib/policy";
import { cloudwatchLogGroupEncryption } from "./aws/cloudwatch-log-group-encryption";
import { cloudwatchLogGroupRetention } from "./aws/cloudwatch-log-group-retention";
import { ebsDefaultEncryption } from "./aws/ebs-default-encryption";
import { ebsEncryption } from "./aws/ebs-encryption";
import { ec2ImdsHopLimit } from "./aws/ec2-imds-hop-limit";
import { ec2Imdsv2Required } from "./aws/ec2-imdsv2-required";
import { ec2NoPublicIp } from "./aws/ec2-no-public-ip";
import { ecrScanOnPush } from "./aws/ecr-scan-on-push";
import { ecrTagImmutability } from "./aws/ecr-tag-immutability";
import { eksClusterAuditLogging } from "./aws/eks-cluster-audit-logging";
import { eksClusterAuthenticationModeApi } from "./aws/eks-cluster-authentication-mode-api";
import { eksClusterDeletionProtection } from "./aws/eks-cluster-deletion-protection";
import { eksClusterEndpointNotPublic } from "./aws/eks-cluster-endpoint-not-public";
import { eksClusterEndpointRestricted } from "./aws/eks-cluster-endpoint-restricted";
import { eksClusterPrivateEndpoint } from "./aws/eks-cluster-private-endpoint";
import { eksClusterSecretsEncryption } from "./aws/eks-cluster-secrets-encryption";
import { eksClusterSupportedVersion } from "./aws/eks-cluster-supported-version";
import { eksNodeRoleEcrReadOnly } from "./aws/eks-node-role-ecr-read-only";
import { eksVpcCniNetworkPolicy } from "./aws/eks-vpc-cni-network-policy";
import { iamNoAdminAccess } from "./aws/iam-no-admin-access";
import { iamNoKmsDecryptOnAllKeys } from "./aws/iam-no-kms-decrypt-on-all-keys";
import { iamNoServiceWildcardActions } from "./aws/iam-no-service-wildcard-actions";
import { iamRoleTrustNoWildcardPrincipal } from "./aws/iam-role-trust-no-wildcard-principal";
import { kmsKeyPolicyNotPublic } from "./aws/kms-key-policy-not-public";
import { kmsKeyRotation } from "./aws/kms-key-rotation";
import { s3AccountPublicAccessBlock } from "./aws/s3-account-public-access-block";
import { s3BucketAccessLogging } from "./aws/s3-bucket-access-logging";
import { s3BucketAclsDisabled } from "./aws/s3-bucket-acls-disabled";
import { s3BucketEncryption } from "./aws/s3-bucket-encryption";
import { s3BucketObjectLock } from "./aws/s3-bucket-object-lock";
import { s3BucketPolicyNotPublic } from "./aws/s3-bucket-policy-not-public";
import { s3BucketPublicAccessBlock } from "./aws/s3-bucket-public-access-block";
import { s3BucketRequireTls } from "./aws/s3-bucket-require-tls";
import { s3BucketVersioning } from "./aws/s3-bucket-versioning";
import { securityGroupAuthorizedPorts } from "./aws/security-group-authorized-ports";
import { securityGroupHighRiskPorts } from "./aws/security-group-high-risk-ports";
import { sqsQueueEncryption } from "./aws/sqs-queue-encryption";
import { sqsQueuePolicyNotPublic } from "./aws/sqs-queue-policy-not-public";
import { sshNotOpenToWorld } from "./aws/ssh-not-open-to-world";
import { subnetNoAutoPublicIp } from "./aws/subnet-no-auto-public-ip";
import { vpcDefaultSecurityGroupClosed } from "./aws/vpc-default-security-group-closed";
import { vpcFlowLogsEnabled } from "./aws/vpc-flow-logs-enabled";
import { helmChartVersionPinned } from "./kubernetes/helm-chart-version-pinned";
import { appArmorProfile } from "./kubernetes/apparmor-profile";
import { imagePinned } from "./kubernetes/image-pinned";
import { internalLoadBalancer } from "./kubernetes/internal-load-balancer";
import { namespacePodSecurity } from "./kubernetes/namespace-pod-security";
import { noClusterAdminBinding } from "./kubernetes/no-cluster-admin-binding";
import { noDefaultNamespace } from "./kubernetes/no-default-namespace";
import { noHostNamespaces } from "./kubernetes/no-host-namespaces";
import { noHostPathVolumes } from "./kubernetes/no-host-path-volumes";
import { noHostPorts } from "./kubernetes/no-host-ports";
import { noInlineSecretData } from "./kubernetes/no-inline-secret-data";
import { noPlaintextSecrets } from "./kubernetes/no-plaintext-secrets";
import { noProbeOrLifecycleHost } from "./kubernetes/no-probe-or-lifecycle-host";
import { noWindowsHostProcess } from "./kubernetes/no-windows-host-process";
import { noPrivilegeEscalation } from "./kubernetes/no-privilege-escalation";
import { noPrivilegedContainers } from "./kubernetes/no-privileged-containers";
import { pdbAllowsDisruption } from "./kubernetes/pdb-allows-disruption";
import { procMountDefault } from "./kubernetes/proc-mount-default";
import { rbacNoWildcards } from "./kubernetes/rbac-no-wildcards";
import { readOnlyRootFilesystem } from "./kubernetes/read-only-root-filesystem";
import { resourceRequestsLimits } from "./kubernetes/resource-requests-limits";
import { restrictedCapabilities } from "./kubernetes/restricted-capabilities";
import { restrictedVolumeTypes } from "./kubernetes/restricted-volume-types";
import { runAsNonRoot } from "./kubernetes/run-as-non-root";
import { safeSysctlsPolicy } from "./kubernetes/safe-sysctls";
import { seccompProfile } from "./kubernetes/seccomp-profile";
import { seLinuxOptions } from "./kubernetes/selinux-options";
import { eksSystemAndApplicationNodeGroups } from "./stack/eks-system-and-application-node-groups";
import { namespaceDefaultDenyNetworkPolicy } from "./stack/namespace-default-deny-network-policy";
import { namespaceLimitRange } from "./stack/namespace-limit-range";
import { namespaceResourceQuota } from "./stack/namespace-resource-quota";
import { replicatedWorkloadPdb } from "./stack/replicated-workload-pdb";

export const kubernetesPolicies: PlatformPolicy[] = [
    noPrivilegedContainers,
    noPrivilegeEscalation,
    restrictedCapabilities,
    runAsNonRoot,
    noHostNamespaces,
    noHostPathVolumes,
    noHostPorts,
    seccompProfile,
    restrictedVolumeTypes,
    noProbeOrLifecycleHost,
    seLinuxOptions,
    procMountDefault,
    appArmorProfile,
    safeSysctlsPolicy,
    noWindowsHostProcess,
    resourceRequestsLimits,
    imagePinned,
    noPlaintextSecrets,
    rbacNoWildcards,
    noClusterAdminBinding,
    internalLoadBalancer,
    noDefaultNamespace,
    namespacePodSecurity,
    pdbAllowsDisruption,
    readOnlyRootFilesystem,
    noInlineSecretData,
    helmChartVersionPinned,
];

export const awsPolicies: PlatformPolicy[] = [
    eksClusterAuditLogging,
    eksClusterSecretsEncryption,
    eksClusterEndpointRestricted,
    eksClusterAuthenticationModeApi,
    sshNotOpenToWorld,
    ec2Imdsv2Required,
    ec2ImdsHopLimit,
    ebsEncryption,
    s3BucketEncryption,
    s3BucketVersioning,
    s3BucketPublicAccessBlock,
    iamNoAdminAccess,
    kmsKeyRotation,
    ecrScanOnPush,
    eksClusterSupportedVersion,
    eksClusterPrivateEndpoint,
    eksClusterEndpointNotPublic,
    eksClusterDeletionProtection,
    eksVpcCniNetworkPolicy,
    eksNodeRoleEcrReadOnly,
    securityGroupHighRiskPorts,
    securityGroupAuthorizedPorts,
    vpcDefaultSecurityGroupClosed,
    vpcFlowLogsEnabled,
    subnetNoAutoPublicIp,
    ec2NoPublicIp,
    ebsDefaultEncryption,
    kmsKeyPolicyNotPublic,
    iamNoKmsDecryptOnAllKeys,
    iamNoServiceWildcardActions,
    iamRoleTrustNoWildcardPrincipal,
    s3BucketRequireTls,
    s3BucketPolicyNotPublic,
    s3BucketAclsDisabled,
    s3BucketAccessLogging,
    s3BucketObjectLock,
    s3AccountPublicAccessBlock,
    cloudwatchLogGroupEncryption,
    cloudwatchLogGroupRetention,
    sqsQueueEncryption,
    sqsQueuePolicyNotPublic,
    ecrTagImmutability,
];

export const stackCompletenessPolicies: PlatformPolicy[] = [
    namespaceDefaultDenyNetworkPolicy,
    namespaceResourceQuota,
    namespaceLimitRange,
    replicatedWorkloadPdb,
    eksSystemAndApplicationNodeGroups,
];

export const allPolicies: PlatformPolicy[] = [...kubernetesPolicies, ...awsPolicies, ...stackCompletenessPolicies];
