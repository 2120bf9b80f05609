/**
 * IAM and KMS documents for the network, the control plane and the node groups: pure functions of
 * plain strings, so they can be read and tested without a Pulumi runtime.
 */
import { policyDocument, type PolicyDocument, type PolicyStatement } from "./shared/iamDocuments";

export interface AccountScope {
    partition: string;
    region: string;
    accountId: string;
}

/** Lets the account's own IAM policies govern the key (without it nobody, not even root, can manage it). */
function accountRootStatement(scope: AccountScope): PolicyStatement {
    return {
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${scope.partition}:iam::${scope.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
    };
}

/**
 * A key for one CloudWatch Logs log group. CloudWatch Logs encrypts with the key only when the
 * request's encryption context names that exact log group, so the key cannot be borrowed by
 * another log group in the account.
 */
export function logGroupKeyPolicy(scope: AccountScope, logGroupName: string): PolicyDocument {
    const logGroupArn = `arn:${scope.partition}:logs:${scope.region}:${scope.accountId}:log-group:${logGroupName}`;
    return policyDocument(accountRootStatement(scope), {
        Sid: "CloudWatchLogsUsesKeyForOneLogGroup",
        Effect: "Allow",
        Principal: { Service: `logs.${scope.region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupArn } },
    });
}

/**
 * The EKS secrets-envelope key. EKS uses it through the cluster role's grants (created by the
 * CreateCluster call, which the deploying principal makes under the account-root statement), so
 * no service principal is named here.
 */
export function clusterSecretsKeyPolicy(scope: AccountScope): PolicyDocument {
    return policyDocument(accountRootStatement(scope));
}

/** VPC Flow Logs assume this role, only on behalf of flow logs of this account. */
export function flowLogsTrustPolicy(scope: AccountScope): PolicyDocument {
    return policyDocument({
        Sid: "VpcFlowLogsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
            StringEquals: { "aws:SourceAccount": scope.accountId },
            ArnLike: { "aws:SourceArn": `arn:${scope.partition}:ec2:${scope.region}:${scope.accountId}:vpc-flow-log/*` },
        },
    });
}

/** Flow logs may write to one log group and nothing else. */
export function flowLogsDeliveryPolicy(logGroupArn: string): PolicyDocument {
    return policyDocument({
        Sid: "WriteToTheFlowLogGroupOnly",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [logGroupArn, `${logGroupArn}:*`],
    });
}

/** EC2 instances of a node group assume the node role. */
export function nodeTrustPolicy(): PolicyDocument {
    return policyDocument({
        Sid: "Ec2AssumesNodeRole",
        Effect: "Allow",
        Principal: { Service: "ec2.amazonaws.com" },
        Action: "sts:AssumeRole",
    });
}

/**
 * The only managed policies a node needs: join the cluster, run the VPC CNI, pull images, and
 * SSM Session Manager instead of SSH. Nothing else (no S3, no EBS: the CSI driver has its own role).
 */
export const NODE_MANAGED_POLICIES = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
] as const;

export function managedPolicyArn(partition: string, name: string): string {
    return `arn:${partition}:iam::aws:policy/${name}`;
}

/** EKS access policies are global ARNs under the `aws` account, not IAM policies. */
export function eksAccessPolicyArn(partition: string, name: string): string {
    return `arn:${partition}:eks::aws:cluster-access-policy/${name}`;
}
