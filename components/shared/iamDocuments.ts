/** IAM policy documents as plain data: pure functions of plain strings, testable on their own. */

export type ConditionBlock = Record<string, Record<string, string | string[] | boolean>>;

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Principal?: "*" | Record<string, string | string[]>;
    NotPrincipal?: Record<string, string | string[]>;
    Condition?: ConditionBlock;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/**
 * The tag that marks an EBS volume or snapshot as this cluster's (value `owned`). Velero's role
 * may snapshot and restore only what carries it; Velero copies a volume's tags onto its
 * snapshots and, with `AWS_CLUSTER_NAME` set, writes it onto volumes it restores. The default
 * StorageClass puts it on every volume the EBS CSI driver provisions.
 */
export function clusterOwnershipTag(clusterName: string): string {
    return `kubernetes.io/cluster/${clusterName}`;
}

/**
 * Administrative KMS actions for a key policy's account statement: manage the key, never use
 * it. Not `kms:Create*`: that includes an unconditioned `kms:CreateGrant`, with which an
 * administrator could grant itself Decrypt around the policy's use statements.
 */
export const KEY_ADMIN_ACTIONS: readonly string[] = [
    "kms:CreateAlias",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
];

export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

export interface PodIdentityTrust {
    accountId: string;
    clusterArn: string;
    namespace: string;
    serviceAccount: string;
}

/**
 * EKS Pod Identity cannot name a service account in the principal, but it passes the
 * pod's namespace and service account as session tags: requiring them pins the role to
 * one service account of one cluster even if someone associates it elsewhere.
 */
export function podIdentityTrustPolicy(trust: PodIdentityTrust): PolicyDocument {
    return policyDocument({
        Sid: "EksPodIdentityForOneServiceAccount",
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
            StringEquals: {
                "aws:SourceAccount": trust.accountId,
                "aws:RequestTag/eks-cluster-arn": trust.clusterArn,
                "aws:RequestTag/kubernetes-namespace": trust.namespace,
                "aws:RequestTag/kubernetes-service-account": trust.serviceAccount,
            },
            ArnEquals: { "aws:SourceArn": trust.clusterArn },
        },
    });
}

export interface IrsaTrust {
    oidcProviderArn: string;
    /** Issuer without `https://`. */
    oidcIssuer: string;
    namespace: string;
    serviceAccount: string;
}

/** IRSA: the cluster's OIDC provider, for exactly one service account. */
export function irsaTrustPolicy(trust: IrsaTrust): PolicyDocument {
    return policyDocument({
        Sid: "IrsaForOneServiceAccount",
        Effect: "Allow",
        Principal: { Federated: trust.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: {
                [`${trust.oidcIssuer}:sub`]: `system:serviceaccount:${trust.namespace}:${trust.serviceAccount}`,
                [`${trust.oidcIssuer}:aud`]: "sts.amazonaws.com",
            },
        },
    });
}

/** Deny any request that is not over TLS: the standard guard for bucket and queue policies. */
export function denyInsecureTransport(resources: string[]): PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "*",
        Resource: resources,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}
