// Builders for policy tests: a fully compliant stack, and small mutations of it that each break
// exactly one rule. Tests import the policies through the engine, never policy/index.ts.
import { evaluatePolicies, PolicyPackConfig, PolicyReport, ResourceUnderTest, UNKNOWN } from "../../policy/engine";

export { UNKNOWN };
type Props = Record<string, any>;

let counter = 0;
export function resource(type: string, props: Props, name = `r${++counter}`, extra: Partial<ResourceUnderTest> = {}): ResourceUnderTest {
    return { urn: `urn:pulumi:test::platform::${type}::${name}`, type, name, props, ...extra };
}

export function container(name = "app", overrides: Props = {}): Props {
    return {
        name,
        image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2.3",
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
        ...overrides,
    };
}

export function podSpec(overrides: Props = {}): Props {
    return {
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
        containers: [container()],
        ...overrides,
    };
}

const meta = (name: string, namespace = "shop", labels: Record<string, string> = { app: name }) => ({ name, namespace, labels });

export function deployment(spec: Props = podSpec(), name = "web", replicas = 2, namespace = "shop"): ResourceUnderTest {
    return resource(
        "kubernetes:apps/v1:Deployment",
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: meta(name, namespace),
            spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } },
        },
        name,
    );
}

export function pod(spec: Props = podSpec(), name = "debug"): ResourceUnderTest {
    return resource("kubernetes:core/v1:Pod", { apiVersion: "v1", kind: "Pod", metadata: meta(name), spec }, name);
}

export function cronJob(spec: Props = podSpec(), name = "nightly"): ResourceUnderTest {
    return resource(
        "kubernetes:batch/v1:CronJob",
        {
            metadata: meta(name),
            spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { metadata: { labels: { app: name } }, spec } } } },
        },
        name,
    );
}

export function k8s(type: string, props: Props, name?: string): ResourceUnderTest {
    return resource(`kubernetes:${type}`, props, name ?? props.metadata?.name);
}

export function namespaceStack(name = "shop"): ResourceUnderTest[] {
    const ns = k8s("core/v1:Namespace", { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted" } } }, name);
    return [
        ns,
        k8s("networking.k8s.io/v1:NetworkPolicy", { metadata: { name: `${name}-deny`, namespace: name }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }),
        k8s("core/v1:ResourceQuota", { metadata: { name: `${name}-quota`, namespace: name }, spec: { hard: { pods: "50" } } }),
        k8s("core/v1:LimitRange", { metadata: { name: `${name}-limits`, namespace: name }, spec: { limits: [] } }),
    ];
}

export const pdb = (name = "web", namespace = "shop", spec: Props = { maxUnavailable: 1, selector: { matchLabels: { app: name } } }) =>
    k8s("policy/v1:PodDisruptionBudget", { metadata: { name: `${name}-pdb`, namespace }, spec });

/** A bucket as the platform creates it: Object Lock on (its default retention is a companion). */
export const s3Bucket = (name: string, bucketName: string | undefined = name, extra: Partial<ResourceUnderTest> = {}) =>
    resource("aws:s3/bucket:Bucket", bucketName === undefined ? { objectLockEnabled: true } : { bucket: bucketName, objectLockEnabled: true }, name, extra);

/** The bucket policy statement that denies requests without TLS (S3.5). */
export const denyInsecureTransport = (bucket: string) => ({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
});

export const ACCESS_LOG_BUCKET = "access-logs-123";

/** Every companion a compliant bucket needs, each pointing at `bucket`. */
export function s3Companions(bucket: string | typeof UNKNOWN, name: string, dependsOn?: string): ResourceUnderTest[] {
    const extra = dependsOn ? { dependencies: [dependsOn] } : {};
    return [
        resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] }, `${name}-sse`, extra),
        resource("aws:s3/bucketVersioning:BucketVersioning", { bucket, versioningConfiguration: { status: "Enabled" } }, `${name}-versioning`, extra),
        resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, `${name}-pab`, extra),
        resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, `${name}-ownership`, extra),
        resource("aws:s3/bucketPolicy:BucketPolicy", { bucket, policy: JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(String(bucket))] }) }, `${name}-policy`, extra),
        resource("aws:s3/bucketLogging:BucketLogging", { bucket, targetBucket: ACCESS_LOG_BUCKET, targetPrefix: `${name}/` }, `${name}-logging`, extra),
        resource("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", { bucket, rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } }, `${name}-lock`, extra),
    ];
}

/** The bucket that receives server access logs, with the guards S3 allows a log target (SSE-S3, no Object Lock). */
export function accessLogBucket(bucket = ACCESS_LOG_BUCKET, name = "access-logs"): ResourceUnderTest[] {
    const policy = {
        Version: "2012-10-17",
        Statement: [
            denyInsecureTransport(bucket),
            {
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `arn:aws:s3:::${bucket}/*`,
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            },
        ],
    };
    return [
        resource("aws:s3/bucket:Bucket", { bucket }, name),
        resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, `${name}-sse`),
        resource("aws:s3/bucketVersioning:BucketVersioning", { bucket, versioningConfiguration: { status: "Enabled" } }, `${name}-versioning`),
        resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, `${name}-pab`),
        resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, `${name}-ownership`),
        resource("aws:s3/bucketPolicy:BucketPolicy", { bucket, policy }, `${name}-policy`),
    ];
}

export const ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const awsCluster = (overrides: Props = {}) =>
    resource("aws:eks/cluster:Cluster", {
        roleArn: "arn:aws:iam::123456789012:role/eks",
        enabledClusterLogTypes: ALL_LOG_TYPES,
        deletionProtection: true,
        encryptionConfig: { provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" }, resources: ["secrets"] },
        vpcConfig: { subnetIds: ["subnet-1"], endpointPrivateAccess: true, endpointPublicAccess: false },
        accessConfig: { authenticationMode: "API" },
        ...overrides,
    }, "cluster");

export const eksComponentCluster = (overrides: Props = {}) =>
    resource("eks:index:Cluster", {
        name: "platform",
        enabledClusterLogTypes: ALL_LOG_TYPES,
        encryptionConfigKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
        endpointPrivateAccess: true,
        endpointPublicAccess: false,
        deletionProtection: true,
        authenticationMode: "API",
        skipDefaultNodeGroup: true,
        ...overrides,
    }, "platform");

/** The vpc-cni add-on with network policy enforcement on, for the cluster named `clusterName`. */
export const vpcCniAddon = (clusterName: string, configurationValues: unknown = JSON.stringify({ enableNetworkPolicy: "true" }), name = `${clusterName}-vpc-cni`) =>
    resource("aws:eks/addon:Addon", { clusterName, addonName: "vpc-cni", configurationValues }, name);

export const managedNodeGroup = (name: string, taints?: Props[]) =>
    resource("eks:index:ManagedNodeGroup", { cluster: UNKNOWN, ...(taints ? { taints } : {}) }, name);

export const SYSTEM_TAINT = { key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" };

/** A stack every policy accepts, even under the platform's stricter config. */
export function compliantStack(): ResourceUnderTest[] {
    return [
        ...namespaceStack("shop"),
        deployment(),
        pdb(),
        cronJob(),
        k8s("core/v1:Service", {
            metadata: { name: "lb", namespace: "shop", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } },
            spec: { type: "LoadBalancer" },
        }),
        k8s("core/v1:ConfigMap", { metadata: { name: "settings", namespace: "shop" }, data: { LOG_LEVEL: "info", PUBLIC_KEY_ID: "abc" } }),
        k8s("rbac.authorization.k8s.io/v1:Role", { metadata: { name: "reader", namespace: "shop" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] }),
        k8s("rbac.authorization.k8s.io/v1:ClusterRoleBinding", { metadata: { name: "view" }, roleRef: { kind: "ClusterRole", name: "view" }, subjects: [] }),
        resource("kubernetes:helm.sh/v3:Release", { chart: "ingress-nginx", version: "4.11.3", namespace: "ingress" }, "ingress"),
        awsCluster(),
        eksComponentCluster(),
        vpcCniAddon("cluster"),
        vpcCniAddon("platform"),
        managedNodeGroup("system", [SYSTEM_TAINT]),
        managedNodeGroup("apps"),
        resource("aws:ec2/launchTemplate:LaunchTemplate", {
            metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
            blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 50 } }],
        }, "nodes"),
        resource("aws:ec2/instance:Instance", { metadataOptions: { httpTokens: "required" }, rootBlockDevice: { encrypted: true } }, "bastion"),
        resource("aws:ebs/volume:Volume", { availabilityZone: "eu-west-1a", encrypted: true }, "data"),
        s3Bucket("logs", "logs-123"),
        ...s3Companions("logs-123", "logs"),
        ...accessLogBucket(),
        resource("aws:iam/policy:Policy", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }) }, "read"),
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "nodes", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }, "worker"),
        resource("aws:kms/key:Key", { enableKeyRotation: true }, "secrets"),
        resource("aws:kms/key:Key", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }, "signing"),
        resource("aws:ecr/repository:Repository", { imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: "IMMUTABLE" }, "app"),
        resource("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }] }, "admin"),
    ];
}

export function evaluate(resources: ResourceUnderTest[], config?: PolicyPackConfig): PolicyReport {
    return evaluatePolicies(resources, config);
}

/** Messages the named policy reported. */
export function violationsOf(policy: string, resources: ResourceUnderTest[], config?: PolicyPackConfig): string[] {
    return evaluate(resources, config).violations.filter((v) => v.policy === policy).map((v) => v.message);
}

export function notEvaluatedOf(policy: string, resources: ResourceUnderTest[], config?: PolicyPackConfig): string[] {
    return evaluate(resources, config).notEvaluated.filter((n) => n.policy === policy).map((n) => n.reason);
}
