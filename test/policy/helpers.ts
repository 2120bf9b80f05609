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

export const s3Bucket = (name: string, bucketName: string | undefined = name, extra: Partial<ResourceUnderTest> = {}) =>
    resource("aws:s3/bucket:Bucket", bucketName === undefined ? {} : { bucket: bucketName }, name, extra);

export function s3Companions(bucket: string | typeof UNKNOWN, name: string, dependsOn?: string): ResourceUnderTest[] {
    const extra = dependsOn ? { dependencies: [dependsOn] } : {};
    return [
        resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] }, `${name}-sse`, extra),
        resource("aws:s3/bucketVersioning:BucketVersioning", { bucket, versioningConfiguration: { status: "Enabled" } }, `${name}-versioning`, extra),
        resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, `${name}-pab`, extra),
    ];
}

export const awsCluster = (overrides: Props = {}) =>
    resource("aws:eks/cluster:Cluster", {
        roleArn: "arn:aws:iam::123456789012:role/eks",
        enabledClusterLogTypes: ["api", "audit", "authenticator"],
        encryptionConfig: { provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" }, resources: ["secrets"] },
        vpcConfig: { subnetIds: ["subnet-1"], endpointPrivateAccess: true, endpointPublicAccess: false },
        accessConfig: { authenticationMode: "API" },
        ...overrides,
    }, "cluster");

export const eksComponentCluster = (overrides: Props = {}) =>
    resource("eks:index:Cluster", {
        enabledClusterLogTypes: ["audit"],
        encryptionConfigKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
        authenticationMode: "API",
        skipDefaultNodeGroup: true,
        ...overrides,
    }, "platform");

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
        resource("aws:iam/policy:Policy", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }) }, "read"),
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "nodes", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }, "worker"),
        resource("aws:kms/key:Key", { enableKeyRotation: true }, "secrets"),
        resource("aws:kms/key:Key", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }, "signing"),
        resource("aws:ecr/repository:Repository", { imageScanningConfiguration: { scanOnPush: true } }, "app"),
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
