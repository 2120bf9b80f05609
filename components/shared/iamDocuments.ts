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
