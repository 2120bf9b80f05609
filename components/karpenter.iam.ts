/**
 * Karpenter's IAM documents as plain data: pure functions of plain strings.
 *
 * Follows the upstream CloudFormation reference (aws/karpenter-provider-aws,
 * website/.../getting-started-with-karpenter/cloudformation.yaml, v1.14) with these deliberate
 * tightenings:
 * - EC2 resources Karpenter creates (instances, fleets, volumes, ENIs, launch templates, spot
 *   requests) are scoped to this account instead of `*`.
 * - RunInstances/CreateFleet may use only subnets and security groups that carry this
 *   cluster's discovery tag (`karpenter.sh/discovery=<cluster>`), not any in the region.
 * - PassRole names only the partition's EC2 service principal.
 * - The zonal-shift read statement is left out: `settings.enableZonalShift` stays off.
 */
import { denyInsecureTransport, policyDocument, type PolicyDocument } from "./shared/iamDocuments";

export const DISCOVERY_TAG = "karpenter.sh/discovery";

export interface KarpenterIamScope {
    partition: string;
    region: string;
    accountId: string;
    clusterName: string;
}

export interface KarpenterControllerScope extends KarpenterIamScope {
    nodeRoleArn: string;
    interruptionQueueArn: string;
}

/** The EC2 service principal of a partition (China regions use their own DNS suffix). */
export function ec2ServicePrincipal(partition: string): string {
    return partition === "aws-cn" ? "ec2.amazonaws.com.cn" : "ec2.amazonaws.com";
}

/** Trust policy of the node role: EC2 instances (the ones Karpenter launches with its instance profile). */
export function karpenterNodeTrustPolicy(partition: string): PolicyDocument {
    return policyDocument({
        Sid: "Ec2InstancesAssumeNodeRole",
        Effect: "Allow",
        Principal: { Service: ec2ServicePrincipal(partition) },
        Action: "sts:AssumeRole",
    });
}

/** AWS managed policies every Karpenter-launched node needs (kubelet, CNI, image pulls, SSM). */
export function karpenterNodeManagedPolicyArns(partition: string): string[] {
    return ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"].map(
        (name) => `arn:${partition}:iam::aws:policy/${name}`,
    );
}

/** The controller's least-privilege statements, scoped to one cluster, one region, one queue, one node role. */
export function karpenterControllerPolicy(scope: KarpenterControllerScope): PolicyDocument {
    const { partition, region, accountId, clusterName } = scope;
    const ec2 = (resource: string, account = accountId) => `arn:${partition}:ec2:${region}:${account}:${resource}`;
    const ownedClusterTag = `kubernetes.io/cluster/${clusterName}`;
    const created = ["fleet/*", "instance/*", "volume/*", "network-interface/*", "launch-template/*", "spot-instances-request/*"].map((r) => ec2(r));
    const instanceProfiles = `arn:${partition}:iam::${accountId}:instance-profile/*`;

    return policyDocument(
        {
            Sid: "AllowScopedEC2InstanceAccessActions",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            // Public AMIs and their snapshots belong to other accounts; reservations and
            // placement groups may be shared: these stay account-wildcarded as upstream.
            Resource: [
                `arn:${partition}:ec2:${region}::image/*`,
                `arn:${partition}:ec2:${region}::snapshot/*`,
                ec2("capacity-reservation/*", "*"),
                ec2("placement-group/*", "*"),
            ],
        },
        {
            Sid: "AllowDiscoveredSubnetsAndSecurityGroups",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            Resource: [ec2("subnet/*", "*"), ec2("security-group/*", "*")],
            Condition: { StringEquals: { [`aws:ResourceTag/${DISCOVERY_TAG}`]: clusterName } },
        },
        {
            Sid: "AllowScopedEC2LaunchTemplateAccessActions",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            Resource: ec2("launch-template/*"),
            Condition: {
                StringEquals: { [`aws:ResourceTag/${ownedClusterTag}`]: "owned" },
                StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
            },
        },
        {
            Sid: "AllowScopedEC2InstanceActionsWithTags",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            Resource: created,
            Condition: {
                StringEquals: { [`aws:RequestTag/${ownedClusterTag}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": clusterName },
                StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
            },
        },
        {
            Sid: "AllowScopedResourceCreationTagging",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: created,
            Condition: {
                StringEquals: {
                    [`aws:RequestTag/${ownedClusterTag}`]: "owned",
                    "aws:RequestTag/eks:eks-cluster-name": clusterName,
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
            },
        },
        {
            Sid: "AllowScopedResourceTagging",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: ec2("instance/*"),
            Condition: {
                StringEquals: { [`aws:ResourceTag/${ownedClusterTag}`]: "owned" },
                StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": clusterName },
                "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
            },
        },
        {
            Sid: "AllowScopedDeletion",
            Effect: "Allow",
            Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            Resource: [ec2("instance/*"), ec2("launch-template/*")],
            Condition: {
                StringEquals: { [`aws:ResourceTag/${ownedClusterTag}`]: "owned" },
                StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
            },
        },
        {
            Sid: "AllowPassingInstanceRole",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: scope.nodeRoleArn,
            Condition: { StringEquals: { "iam:PassedToService": ec2ServicePrincipal(partition) } },
        },
        {
            Sid: "AllowScopedInstanceProfileCreationActions",
            Effect: "Allow",
            Action: "iam:CreateInstanceProfile",
            Resource: instanceProfiles,
            Condition: {
                StringEquals: {
                    [`aws:RequestTag/${ownedClusterTag}`]: "owned",
                    "aws:RequestTag/eks:eks-cluster-name": clusterName,
                    "aws:RequestTag/topology.kubernetes.io/region": region,
                },
                StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
            },
        },
        {
            Sid: "AllowScopedInstanceProfileTagActions",
            Effect: "Allow",
            Action: "iam:TagInstanceProfile",
            Resource: instanceProfiles,
            Condition: {
                StringEquals: {
                    [`aws:ResourceTag/${ownedClusterTag}`]: "owned",
                    "aws:ResourceTag/topology.kubernetes.io/region": region,
                    [`aws:RequestTag/${ownedClusterTag}`]: "owned",
                    "aws:RequestTag/eks:eks-cluster-name": clusterName,
                    "aws:RequestTag/topology.kubernetes.io/region": region,
                },
                StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
            },
        },
        {
            Sid: "AllowScopedInstanceProfileActions",
            Effect: "Allow",
            Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
            Resource: instanceProfiles,
            Condition: {
                StringEquals: { [`aws:ResourceTag/${ownedClusterTag}`]: "owned", "aws:ResourceTag/topology.kubernetes.io/region": region },
                StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
            },
        },
        {
            Sid: "AllowInstanceProfileReadActions",
            Effect: "Allow",
            Action: "iam:GetInstanceProfile",
            Resource: instanceProfiles,
        },
        {
            Sid: "AllowUnscopedInstanceProfileListAction",
            Effect: "Allow",
            Action: "iam:ListInstanceProfiles",
            Resource: "*",
        },
        {
            Sid: "AllowAPIServerEndpointDiscovery",
            Effect: "Allow",
            Action: "eks:DescribeCluster",
            Resource: `arn:${partition}:eks:${region}:${accountId}:cluster/${clusterName}`,
        },
        {
            Sid: "AllowInterruptionQueueActions",
            Effect: "Allow",
            Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            Resource: scope.interruptionQueueArn,
        },
        {
            Sid: "AllowRegionalReadActions",
            Effect: "Allow",
            Action: [
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceStatus",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribePlacementGroups",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": region } },
        },
        {
            Sid: "AllowSSMReadActions",
            Effect: "Allow",
            Action: "ssm:GetParameter",
            Resource: `arn:${partition}:ssm:${region}::parameter/aws/service/*`,
        },
        {
            Sid: "AllowPricingReadActions",
            Effect: "Allow",
            Action: "pricing:GetProducts",
            Resource: "*",
        },
    );
}

export interface InterruptionQueueScope {
    queueArn: string;
    /** ARNs of the EventBridge rules that feed the queue. */
    ruleArns: string[];
}

/**
 * Only this stack's EventBridge rules (and the SQS service itself, as upstream) may send; any
 * request not over TLS is denied.
 */
export function interruptionQueuePolicy(scope: InterruptionQueueScope): PolicyDocument {
    return policyDocument(
        {
            Sid: "AllowEventBridgeRulesOfThisCluster",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: scope.queueArn,
            Condition: { ArnEquals: { "aws:SourceArn": scope.ruleArns } },
        },
        {
            Sid: "AllowSqsService",
            Effect: "Allow",
            Principal: { Service: "sqs.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: scope.queueArn,
        },
        { ...denyInsecureTransport([scope.queueArn]), Action: "sqs:*" },
    );
}

/** The EventBridge events Karpenter's interruption controller understands, one rule each. */
export const INTERRUPTION_EVENTS = {
    health: { source: "aws.health", detailType: "AWS Health Event" },
    spot: { source: "aws.ec2", detailType: "EC2 Spot Instance Interruption Warning" },
    rebalance: { source: "aws.ec2", detailType: "EC2 Instance Rebalance Recommendation" },
    stateChange: { source: "aws.ec2", detailType: "EC2 Instance State-change Notification" },
    capacityReservation: { source: "aws.ec2", detailType: "EC2 Capacity Reservation Instance Interruption Warning" },
} as const;

export function interruptionEventPattern(event: { source: string; detailType: string }): { source: string[]; "detail-type": string[] } {
    return { source: [event.source], "detail-type": [event.detailType] };
}
