// One allow and one deny fixture per AWS policy. The deny fixture is the allow fixture with one
// fault; `trips` lists every policy that fault is expected to trip (the policy itself first),
// `allowTrips` the policies an allow fixture is expected to trip (a deliberate, documented
// overlap, e.g. a CIDR-limited public endpoint is what eks-cluster-endpoint-restricted allows and
// eks-cluster-endpoint-not-public reports).
import type { ResourceUnderTest } from "../../policy/engine";
import {
    accessLogBucket,
    awsCluster,
    denyInsecureTransport,
    eksComponentCluster,
    managedNodeGroup,
    resource,
    s3Bucket,
    s3Companions,
    SYSTEM_TAINT,
    vpcCniAddon,
} from "./helpers";

type Props = Record<string, any>;

export interface ControlFixture {
    allowName: string;
    allow(): ResourceUnderTest[];
    denyName: string;
    deny(): ResourceUnderTest[];
    /** What the policy must say about the deny fixture. */
    message: RegExp;
    /** Policies the single fault also trips (besides the policy itself). */
    alsoTrips?: string[];
    /** Policies the allow fixture trips on purpose. */
    allowTrips?: string[];
}

const policyDocument = (...Statement: Props[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** A cluster the whole pack accepts: two node groups (system, application) and vpc-cni with network policies. */
function clusterStack(cluster: ResourceUnderTest, addonConfiguration?: unknown): ResourceUnderTest[] {
    const clusterName = String(cluster.props.name ?? cluster.name);
    return [cluster, managedNodeGroup(`${clusterName}-system`, [SYSTEM_TAINT]), managedNodeGroup(`${clusterName}-apps`), vpcCniAddon(clusterName, addonConfiguration)];
}

const component = (overrides: Props = {}) => clusterStack(eksComponentCluster(overrides));
const raw = (overrides: Props = {}) => clusterStack(awsCluster(overrides));

const securityGroup = (ingress: Props[]) => [resource("aws:ec2/securityGroup:SecurityGroup", { ingress }, "sg")];
const https = { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] };

const nodeClass = (spec: Props = {}) => [
    resource(
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
        {
            apiVersion: "karpenter.k8s.aws/v1",
            kind: "EC2NodeClass",
            metadata: { name: "application" },
            spec: {
                role: "nodes",
                amiSelectorTerms: [{ alias: "al2023@v20261101" }],
                associatePublicIPAddress: false,
                blockDeviceMappings: [{ deviceName: "/dev/xvda", rootVolume: true, ebs: { volumeSize: "40Gi", volumeType: "gp3", encrypted: true } }],
                ...spec,
            },
        },
        "nodeclass",
    ),
];

function network(options: { defaultSecurityGroup?: boolean; flowLog?: boolean; mapPublicIpOnLaunch?: boolean } = {}): ResourceUnderTest[] {
    const vpc = resource("aws:ec2/vpc:Vpc", { cidrBlock: "10.0.0.0/16" }, "vpc");
    const child = (type: string, props: Props, name: string) => resource(type, { vpcId: "vpc-123", ...props }, name, { dependencies: [vpc.urn] });
    return [
        vpc,
        ...(options.defaultSecurityGroup === false ? [] : [child("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", {}, "default-sg")]),
        ...(options.flowLog === false ? [] : [child("aws:ec2/flowLog:FlowLog", { trafficType: "ALL", logDestinationType: "cloud-watch-logs" }, "flow-log")]),
        child("aws:ec2/subnet:Subnet", { cidrBlock: "10.0.0.0/19", mapPublicIpOnLaunch: options.mapPublicIpOnLaunch ?? false }, "private-0"),
    ];
}

const nodeTrust = policyDocument({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
function nodeRole(managedPolicy: string): ResourceUnderTest[] {
    const role = resource("aws:iam/role:Role", { name: "nodes", assumeRolePolicy: nodeTrust }, "nodes");
    const attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "nodes", policyArn: `arn:aws:iam::aws:policy/${managedPolicy}` }, "nodes-ecr", {
        dependencies: [role.urn],
    });
    return [role, attachment];
}

const identityPolicy = (statement: Props) => [resource("aws:iam/policy:Policy", { policy: policyDocument(statement) }, "app-policy")];
const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const rootAdministers = { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" };
const kmsKey = (...extra: Props[]) => [resource("aws:kms/key:Key", { enableKeyRotation: true, policy: policyDocument(rootAdministers, ...extra) }, "key")];

/**
 * A bucket ("data") with every guard, another one ("app") so that the access-log bucket keeps a
 * source whatever a fixture does to "data", and the access-log bucket both log to.
 */
function buckets(mutate: (stack: ResourceUnderTest[]) => ResourceUnderTest[] = (s) => s, bucketProps: Props = {}): ResourceUnderTest[] {
    const bucket = s3Bucket("data", "data-123");
    Object.assign(bucket.props, bucketProps);
    return [...mutate([bucket, ...s3Companions("data-123", "data")]), s3Bucket("app", "app-123"), ...s3Companions("app-123", "app"), ...accessLogBucket()];
}
const replaceCompanion = (suffix: string, props: Props | undefined) => (stack: ResourceUnderTest[]) =>
    stack.flatMap((r) => (r.name === `data-${suffix}` ? (props === undefined ? [] : [{ ...r, props: { ...r.props, ...props } }]) : [r]));

const logGroup = (props: Props) => [resource("aws:cloudwatch/logGroup:LogGroup", { name: "/aws/eks/platform/cluster", kmsKeyId: keyArn, retentionInDays: 365, ...props }, "logs")];

const interruptionQueue = (statement: Props, queueProps: Props = {}) => [
    resource("aws:sqs/queue:Queue", { name: "interruption", messageRetentionSeconds: 300, sqsManagedSseEnabled: true, ...queueProps }, "queue"),
    resource("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "https://sqs/queue", policy: policyDocument(statement) }, "queue-policy"),
];
const eventsMaySend = {
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: "arn:aws:sqs:eu-west-1:123456789012:interruption",
    Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/spot" } },
};

const repository = (props: Props) => [resource("aws:ecr/repository:Repository", { imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: "IMMUTABLE", ...props }, "repo")];
const launchTemplate = (metadataOptions: Props) => [
    resource("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] }, "lt"),
];

export const awsControlFixtures: Record<string, ControlFixture> = {
    "eks-cluster-audit-logging": {
        allowName: "aws.eks.Cluster with all five log types",
        allow: () => raw(),
        denyName: "aws.eks.Cluster without the scheduler log",
        deny: () => raw({ enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager"] }),
        message: /does not enable log types scheduler/,
    },
    "eks-cluster-secrets-encryption": {
        allowName: "eks.Cluster with encryptionConfigKeyArn",
        allow: () => component(),
        denyName: "eks.Cluster without encryptionConfigKeyArn",
        deny: () => component({ encryptionConfigKeyArn: undefined }),
        message: /no encryptionConfigKeyArn/,
    },
    "eks-cluster-endpoint-restricted": {
        allowName: "eks.Cluster public endpoint limited to an office /24",
        allow: () => component({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }),
        allowTrips: ["eks-cluster-endpoint-not-public"],
        denyName: "eks.Cluster public endpoint open to 0.0.0.0/1 + 128.0.0.0/1",
        deny: () => component({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }),
        message: /open to the whole IPv4 internet \(0\.0\.0\.0\/1, 128\.0\.0\.0\/1\)/,
    },
    "eks-cluster-authentication-mode-api": {
        allowName: "aws.eks.Cluster with authentication mode API",
        allow: () => raw(),
        denyName: "aws.eks.Cluster with API_AND_CONFIG_MAP",
        deny: () => raw({ accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } }),
        message: /API_AND_CONFIG_MAP/,
    },
    "eks-cluster-private-endpoint": {
        allowName: "eks.Cluster with the private endpoint",
        allow: () => component(),
        denyName: "eks.Cluster with endpointPrivateAccess false",
        deny: () => component({ endpointPrivateAccess: false }),
        message: /no private API endpoint/,
    },
    "eks-cluster-endpoint-not-public": {
        allowName: "eks.Cluster private endpoint only",
        allow: () => component(),
        denyName: "eks.Cluster with a CIDR-limited public endpoint",
        deny: () => component({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }),
        message: /has a public API endpoint/,
    },
    "eks-cluster-deletion-protection": {
        allowName: "eks.Cluster with deletionProtection",
        allow: () => component(),
        denyName: "eks.Cluster with deletionProtection false",
        deny: () => component({ deletionProtection: false }),
        message: /no deletion protection/,
    },
    "eks-cluster-supported-version": {
        allowName: "aws.eks.Cluster on 1.35 (standard support until 2027-03-27)",
        allow: () => raw({ version: "1.35" }),
        denyName: "aws.eks.Cluster on 1.31 (extended support ended 2026-11-26)",
        deny: () => raw({ version: "1.31" }),
        message: /Kubernetes 1\.31 is past EKS extended support \(ended 2026-11-26\)/,
    },
    "eks-vpc-cni-network-policy": {
        allowName: "vpc-cni add-on with enableNetworkPolicy \"true\"",
        allow: () => raw(),
        denyName: "vpc-cni add-on without configuration values",
        deny: () => clusterStack(awsCluster(), JSON.stringify({})),
        message: /vpc-cni add-on cluster-vpc-cni does not set enableNetworkPolicy "true"/,
    },
    "eks-node-role-ecr-read-only": {
        allowName: "node role with AmazonEC2ContainerRegistryPullOnly",
        allow: () => nodeRole("AmazonEC2ContainerRegistryPullOnly"),
        denyName: "node role with AmazonEC2ContainerRegistryPowerUser",
        deny: () => nodeRole("AmazonEC2ContainerRegistryPowerUser"),
        message: /node role nodes can write to ECR through attachment nodes-ecr: AmazonEC2ContainerRegistryPowerUser/,
    },
    "ssh-not-open-to-world": {
        allowName: "security group: HTTPS from the internet",
        allow: () => securityGroup([https]),
        denyName: "security group: SSH from ::/0",
        deny: () => securityGroup([https, { protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }]),
        message: /ingress rule 1 opens SSH \(port 22\) to ::\/0/,
        alsoTrips: ["security-group-high-risk-ports", "security-group-authorized-ports"],
    },
    "security-group-high-risk-ports": {
        allowName: "security group: HTTPS from the internet",
        allow: () => securityGroup([https]),
        denyName: "security group: kubelet 10250 from 0.0.0.0/0",
        deny: () => securityGroup([https, { protocol: "tcp", fromPort: 10250, toPort: 10250, cidrBlocks: ["0.0.0.0/0"] }]),
        message: /opens high-risk port TCP 10250 to 0\.0\.0\.0\/0/,
        alsoTrips: ["security-group-authorized-ports"],
    },
    "security-group-authorized-ports": {
        allowName: "security group: HTTPS from the internet",
        allow: () => securityGroup([https]),
        denyName: "security group: TCP 8443 from 0.0.0.0/0",
        deny: () => securityGroup([https, { protocol: "tcp", fromPort: 8443, toPort: 8443, cidrBlocks: ["0.0.0.0/0"] }]),
        message: /ingress rule 1 opens TCP 8443 to 0\.0\.0\.0\/0/,
    },
    "vpc-default-security-group-closed": {
        allowName: "VPC with an emptied default security group and a flow log",
        allow: () => network(),
        denyName: "VPC without aws.ec2.DefaultSecurityGroup",
        deny: () => network({ defaultSecurityGroup: false }),
        message: /VPC vpc does not manage its default security group/,
    },
    "vpc-flow-logs-enabled": {
        allowName: "VPC with a flow log of ALL traffic",
        allow: () => network(),
        denyName: "VPC without a flow log",
        deny: () => network({ flowLog: false }),
        message: /VPC vpc has no flow log/,
    },
    "subnet-no-auto-public-ip": {
        allowName: "subnet with mapPublicIpOnLaunch false",
        allow: () => network(),
        denyName: "subnet with mapPublicIpOnLaunch true",
        deny: () => network({ mapPublicIpOnLaunch: true }),
        message: /assigns public IP addresses on launch/,
    },
    "ec2-no-public-ip": {
        allowName: "EC2NodeClass with associatePublicIPAddress false",
        allow: () => nodeClass(),
        denyName: "EC2NodeClass with associatePublicIPAddress true",
        deny: () => nodeClass({ associatePublicIPAddress: true }),
        message: /EC2NodeClass associates public IP addresses/,
    },
    "ec2-imdsv2-required": {
        allowName: "EC2NodeClass with the CRD's metadata defaults",
        allow: () => nodeClass(),
        denyName: "EC2NodeClass with httpTokens optional",
        deny: () => nodeClass({ metadataOptions: { httpTokens: "optional" } }),
        message: /allows IMDSv1 \(httpTokens is optional\)/,
    },
    "ec2-imds-hop-limit": {
        allowName: "launch template with hop limit 1",
        allow: () => launchTemplate({ httpTokens: "required", httpPutResponseHopLimit: 1 }),
        denyName: "EC2NodeClass with hop limit 2",
        deny: () => [...launchTemplate({ httpTokens: "required", httpPutResponseHopLimit: 1 }), ...nodeClass({ metadataOptions: { httpPutResponseHopLimit: 2 } })],
        message: /sets the IMDS hop limit to 2/,
    },
    "ebs-encryption": {
        allowName: "EC2NodeClass with an encrypted root volume",
        allow: () => nodeClass(),
        denyName: "EC2NodeClass with an unencrypted root volume",
        deny: () => nodeClass({ blockDeviceMappings: [{ deviceName: "/dev/xvda", rootVolume: true, ebs: { volumeSize: "40Gi", encrypted: false } }] }),
        message: /EC2NodeClass block device \/dev\/xvda is not encrypted/,
    },
    "ebs-default-encryption": {
        allowName: "aws.ebs.EncryptionByDefault enabled",
        allow: () => [resource("aws:ebs/encryptionByDefault:EncryptionByDefault", { enabled: true }, "ebs-default")],
        denyName: "aws.ebs.EncryptionByDefault disabled",
        deny: () => [resource("aws:ebs/encryptionByDefault:EncryptionByDefault", { enabled: false }, "ebs-default")],
        message: /EBS encryption by default is disabled/,
    },
    "kms-key-rotation": {
        allowName: "key with rotation",
        allow: () => kmsKey(),
        denyName: "key without rotation",
        deny: () => kmsKey().map((r) => ({ ...r, props: { ...r.props, enableKeyRotation: false } })),
        message: /does not rotate/,
    },
    "kms-key-policy-not-public": {
        allowName: "key policy: account root, and * pinned by kms:CallerAccount",
        allow: () =>
            kmsKey({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": "123456789012", "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } }),
        denyName: "key policy: * may decrypt with no condition",
        deny: () => kmsKey({ Sid: "Everyone", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }),
        message: /key policy statement Everyone allows kms:Decrypt to any principal/,
    },
    "iam-no-admin-access": {
        allowName: "attachment of ReadOnlyAccess",
        allow: () => [resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }, "attach")],
        denyName: "attachment of AdministratorAccess",
        deny: () => [resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, "attach")],
        message: /attaches AdministratorAccess/,
    },
    "iam-no-kms-decrypt-on-all-keys": {
        allowName: "kms:Decrypt on one key",
        allow: () => identityPolicy({ Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn }),
        denyName: "kms:Decrypt on every key",
        deny: () => identityPolicy({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }),
        message: /allows kms:Decrypt on every KMS key/,
    },
    "iam-no-service-wildcard-actions": {
        allowName: "s3:GetObject on one bucket",
        allow: () => identityPolicy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data-123/*" }),
        denyName: "s3:* on one bucket",
        deny: () => identityPolicy({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::data-123/*" }),
        message: /policy statement 0 allows s3:\*/,
    },
    "iam-role-trust-no-wildcard-principal": {
        allowName: "role trusted by pods.eks.amazonaws.com",
        allow: () => [resource("aws:iam/role:Role", { assumeRolePolicy: policyDocument({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }) }, "app")],
        denyName: "role trusted by AWS *",
        deny: () => [resource("aws:iam/role:Role", { assumeRolePolicy: policyDocument({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) }, "app")],
        message: /assume-role policy statement 0 lets any principal assume the role/,
    },
    "s3-bucket-encryption": {
        allowName: "bucket with SSE-KMS; access-log bucket with SSE-S3",
        allow: () => buckets(),
        denyName: "bucket with SSE-S3",
        deny: () => buckets(replaceCompanion("sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] })),
        message: /S3 bucket data has no SSE-KMS default encryption/,
    },
    "s3-bucket-versioning": {
        allowName: "bucket with versioning",
        allow: () => buckets(),
        denyName: "bucket without a versioning companion",
        deny: () => buckets(replaceCompanion("versioning", undefined)),
        message: /S3 bucket data does not have versioning enabled/,
    },
    "s3-bucket-public-access-block": {
        allowName: "bucket with all four public-access blocks",
        allow: () => buckets(),
        denyName: "bucket with restrictPublicBuckets false",
        deny: () => buckets(replaceCompanion("pab", { restrictPublicBuckets: false })),
        message: /S3 bucket data has no public access block with all four settings true/,
    },
    "s3-bucket-require-tls": {
        allowName: "bucket policy denying aws:SecureTransport false",
        allow: () => buckets(),
        denyName: "bucket policy without the TLS deny",
        deny: () => buckets(replaceCompanion("policy", { policy: policyDocument({ Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::data-123" }) })),
        message: /S3 bucket data has no bucket policy denying requests without TLS/,
    },
    "s3-bucket-policy-not-public": {
        allowName: "bucket policy with only the TLS deny",
        allow: () => buckets(),
        denyName: "bucket policy letting * read objects",
        deny: () =>
            buckets(
                replaceCompanion("policy", {
                    policy: policyDocument(denyInsecureTransport("data-123"), { Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::data-123/*" }),
                }),
            ),
        message: /bucket policy statement PublicRead allows s3:GetObject to any principal/,
    },
    "s3-bucket-acls-disabled": {
        allowName: "bucket with BucketOwnerEnforced",
        allow: () => buckets(),
        denyName: "bucket with ObjectWriter ownership",
        deny: () => buckets(replaceCompanion("ownership", { rule: { objectOwnership: "ObjectWriter" } })),
        message: /S3 bucket data does not disable ACLs/,
    },
    "s3-bucket-access-logging": {
        allowName: "bucket logging to the access-log bucket (which is not asked to log itself)",
        allow: () => buckets(),
        denyName: "bucket without BucketLogging",
        deny: () => buckets(replaceCompanion("logging", undefined)),
        message: /S3 bucket data has no server access logging/,
    },
    "s3-bucket-object-lock": {
        allowName: "bucket with Object Lock and a 30-day default retention (the access-log bucket is exempt by rule)",
        allow: () => buckets(),
        denyName: "bucket created without Object Lock",
        deny: () => buckets(undefined, { objectLockEnabled: false }),
        message: /S3 bucket data does not have Object Lock enabled with a default retention/,
    },
    "s3-account-public-access-block": {
        allowName: "account public access block, all four true",
        allow: () => [resource("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, "account-pab")],
        denyName: "account public access block without blockPublicPolicy",
        deny: () => [resource("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true }, "account-pab")],
        message: /leaves blockPublicPolicy off/,
    },
    "cloudwatch-log-group-encryption": {
        allowName: "log group with a KMS key and 365 days",
        allow: () => logGroup({}),
        denyName: "log group without kmsKeyId",
        deny: () => logGroup({ kmsKeyId: undefined }),
        message: /log group is not encrypted with a KMS key/,
    },
    "cloudwatch-log-group-retention": {
        allowName: "log group kept 365 days",
        allow: () => logGroup({}),
        denyName: "log group kept 30 days",
        deny: () => logGroup({ retentionInDays: 30 }),
        message: /keeps logs for 30 days \(minimum 365\)/,
    },
    "sqs-queue-encryption": {
        allowName: "queue with SSE-SQS",
        allow: () => interruptionQueue(eventsMaySend),
        denyName: "queue with sqsManagedSseEnabled false",
        deny: () => interruptionQueue(eventsMaySend, { sqsManagedSseEnabled: false }),
        message: /SQS queue is not encrypted at rest/,
    },
    "sqs-queue-policy-not-public": {
        allowName: "queue policy for events.amazonaws.com with aws:SourceArn",
        allow: () => interruptionQueue(eventsMaySend),
        denyName: "queue policy letting * send",
        deny: () => interruptionQueue({ ...eventsMaySend, Sid: "Anyone", Principal: "*", Condition: undefined }),
        message: /queue policy statement Anyone allows sqs:SendMessage to any principal/,
    },
    "ecr-scan-on-push": {
        allowName: "repository scanning on push",
        allow: () => repository({}),
        denyName: "repository without scan on push",
        deny: () => repository({ imageScanningConfiguration: { scanOnPush: false } }),
        message: /does not scan on push/,
    },
    "ecr-tag-immutability": {
        allowName: "repository with IMMUTABLE tags",
        allow: () => repository({}),
        denyName: "repository with MUTABLE tags",
        deny: () => repository({ imageTagMutability: "MUTABLE" }),
        message: /ECR repository tags are MUTABLE/,
    },
};
