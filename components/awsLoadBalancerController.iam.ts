/**
 * The AWS Load Balancer Controller's IAM documents as plain data: pure functions of plain strings.
 *
 * Follows the controller's published policy for v3.5.0 (kubernetes-sigs/aws-load-balancer-
 * controller, docs/install/iam_policy.json) with these deliberate tightenings:
 * - Where upstream asks only that the `elbv2.k8s.aws/cluster` tag EXISTS (any cluster's), this
 *   asks that it names THIS cluster: the controller may create load balancers, target groups and
 *   security groups only tagged for this cluster, and change or delete only those.
 * - Every write is scoped to this account and Region's ARNs instead of `*`; security-group rules
 *   on groups it did not create (the nodes', which pods with target type ip share) only in this
 *   cluster's VPC; targets are registered only in this cluster's target groups (no
 *   TargetGroupBinding to a group created elsewhere).
 * - Left out, with the features they serve turned off in the chart values: WAF Classic, WAFv2 and
 *   Shield (`enableWaf`, `enableWafv2`, `enableShield`), and IAM server certificates (TLS
 *   certificates come from ACM).
 * What upstream leaves unconditioned stays so, scoped to this account and Region: listeners and
 * rules (the controller does not tag every one of them) may be changed on any load balancer
 * here; creating a listener needs a load balancer tagged for this cluster.
 */
import { policyDocument, type PolicyDocument } from "./shared/iamDocuments";

/** The tag the controller puts on everything it creates, with the cluster's name as value. */
export const LOAD_BALANCER_CLUSTER_TAG = "elbv2.k8s.aws/cluster";

export interface LoadBalancerControllerScope {
    partition: string;
    region: string;
    accountId: string;
    clusterName: string;
    vpcId: string;
}

/** What the controller reads to plan load balancers: regional Describe/Get calls that take no resource. */
const READ_ACTIONS = [
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcPeeringConnections",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeTags",
    "ec2:GetCoipPoolUsage",
    "ec2:DescribeCoipPools",
    "ec2:GetSecurityGroupsForVpc",
    "ec2:DescribeIpamPools",
    "ec2:DescribeRouteTables",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeListenerCertificates",
    "elasticloadbalancing:DescribeSSLPolicies",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTrustStores",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeCapacityReservation",
    // Certificates for HTTPS/TLS listeners (by ARN or discovered by host name) and Cognito authentication.
    "acm:ListCertificates",
    "acm:DescribeCertificate",
    "cognito-idp:DescribeUserPoolClient",
];

/** Changes to a load balancer or target group the controller created for this cluster. */
const OWN_LOAD_BALANCER_ACTIONS = [
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetSecurityGroups",
    "elasticloadbalancing:SetSubnets",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:ModifyCapacityReservation",
    "elasticloadbalancing:ModifyIpPools",
];

/** The controller's least-privilege statements, scoped to one cluster, one VPC, one account and Region. */
export function loadBalancerControllerPolicy(scope: LoadBalancerControllerScope): PolicyDocument {
    const { partition, region, accountId, clusterName } = scope;
    const ec2 = (resource: string) => `arn:${partition}:ec2:${region}:${accountId}:${resource}`;
    const elb = (resource: string) => `arn:${partition}:elasticloadbalancing:${region}:${accountId}:${resource}`;
    const loadBalancers = [elb("loadbalancer/app/*/*"), elb("loadbalancer/net/*/*")];
    const targetGroups = elb("targetgroup/*/*");
    const listeners = [elb("listener/app/*/*/*"), elb("listener/net/*/*/*")];
    const rules = [elb("listener-rule/app/*/*/*"), elb("listener-rule/net/*/*/*")];
    const securityGroups = ec2("security-group/*");
    const thisCluster = { [`aws:ResourceTag/${LOAD_BALANCER_CLUSTER_TAG}`]: clusterName };
    const taggedForThisCluster = { [`aws:RequestTag/${LOAD_BALANCER_CLUSTER_TAG}`]: clusterName };
    // The cluster tag itself may not be changed on what the controller owns.
    const clusterTagUntouched = { [`aws:RequestTag/${LOAD_BALANCER_CLUSTER_TAG}`]: "true" };

    return policyDocument(
        {
            Sid: "CreateElasticLoadBalancingServiceLinkedRole",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: `arn:${partition}:iam::${accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
            Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
        },
        {
            Sid: "ReadNetworkLoadBalancersAndCertificates",
            Effect: "Allow",
            Action: READ_ACTIONS,
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": region } },
        },
        {
            Sid: "CreateSecurityGroupsInClusterVpc",
            Effect: "Allow",
            Action: "ec2:CreateSecurityGroup",
            Resource: ec2(`vpc/${scope.vpcId}`),
        },
        {
            Sid: "CreateSecurityGroupsTaggedForThisCluster",
            Effect: "Allow",
            Action: "ec2:CreateSecurityGroup",
            Resource: securityGroups,
            Condition: { StringEquals: taggedForThisCluster },
        },
        {
            Sid: "TagSecurityGroupsAtCreation",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: securityGroups,
            Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", ...taggedForThisCluster } },
        },
        {
            Sid: "RetagOwnSecurityGroups",
            Effect: "Allow",
            Action: ["ec2:CreateTags", "ec2:DeleteTags"],
            Resource: securityGroups,
            Condition: { StringEquals: thisCluster, Null: clusterTagUntouched },
        },
        {
            Sid: "ManageOwnSecurityGroups",
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
            Resource: securityGroups,
            Condition: { StringEquals: thisCluster },
        },
        {
            // Target type ip: the pods' ENIs carry the nodes' security group, which must admit the load balancer's.
            Sid: "OpenClusterVpcSecurityGroupsToLoadBalancers",
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: securityGroups,
            Condition: { ArnEquals: { "ec2:Vpc": ec2(`vpc/${scope.vpcId}`) } },
        },
        {
            Sid: "CreateLoadBalancersTaggedForThisCluster",
            Effect: "Allow",
            Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            Resource: [...loadBalancers, targetGroups],
            Condition: { StringEquals: taggedForThisCluster },
        },
        {
            Sid: "TagLoadBalancersAtCreation",
            Effect: "Allow",
            Action: "elasticloadbalancing:AddTags",
            Resource: [...loadBalancers, targetGroups],
            Condition: { StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"], ...taggedForThisCluster } },
        },
        {
            Sid: "RetagOwnLoadBalancers",
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            Resource: [...loadBalancers, targetGroups],
            Condition: { StringEquals: thisCluster, Null: clusterTagUntouched },
        },
        {
            Sid: "ManageOwnLoadBalancers",
            Effect: "Allow",
            Action: OWN_LOAD_BALANCER_ACTIONS,
            Resource: [...loadBalancers, targetGroups],
            Condition: { StringEquals: thisCluster },
        },
        {
            Sid: "CreateListenersOnOwnLoadBalancers",
            Effect: "Allow",
            Action: "elasticloadbalancing:CreateListener",
            Resource: loadBalancers,
            Condition: { StringEquals: thisCluster },
        },
        {
            Sid: "ModifyOwnListenerAttributes",
            Effect: "Allow",
            Action: "elasticloadbalancing:ModifyListenerAttributes",
            Resource: listeners,
            Condition: { StringEquals: thisCluster },
        },
        {
            Sid: "RegisterTargetsInOwnTargetGroups",
            Effect: "Allow",
            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            Resource: targetGroups,
            Condition: { StringEquals: thisCluster },
        },
        {
            Sid: "ManageListenersAndRules",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:CreateRule",
            ],
            Resource: listeners,
        },
        {
            Sid: "ManageListenerRules",
            Effect: "Allow",
            Action: ["elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities"],
            Resource: rules,
        },
        {
            Sid: "TagListenersAndRules",
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            Resource: [...listeners, ...rules],
        },
    );
}
