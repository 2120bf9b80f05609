/**
 * The platform's stack outputs as a contract: what application teams may read through a
 * `StackReference`, with its type, meaning, secrecy and stability. `components/platform.ts`
 * builds exactly these outputs; `test/outputsContract.test.ts` proves it for every stack, and
 * `docs/outputs.md` and `contract/outputs.snapshot.json` are generated from here (`npm run docs`).
 *
 * Versioning (semver on CONTRACT_VERSION, independent of the package version):
 * - removing or renaming a field, changing its type, or making an optional field required: MAJOR;
 *   for a `beta` field a MINOR bump is enough;
 * - adding a field (or making a required field optional-by-add-on): MINOR;
 * - wording of a description: PATCH (or nothing).
 * Consumers parse with this (non-strict) schema, so fields added in a minor version never break them.
 */
import type { Input } from "@pulumi/pulumi";
import { z } from "zod";

/** The contract version; bump it with any change to the schema below, then run `npm run docs`. */
export const CONTRACT_VERSION = "1.1.0";

const ARN_PREFIX = "arn:aws[a-z-]*";

function arn(service: string, what: string) {
    return z.string().regex(new RegExp(`^${ARN_PREFIX}:${service}:`), `must be an ${what} ARN (arn:<partition>:${service}:...)`);
}

function awsId(prefix: string) {
    return z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `must be an AWS id of the form ${prefix}-<hex>`);
}

const kubernetesName = z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes object name (lowercase DNS subdomain)");

/** The kubeconfig output is JSON (as `@pulumi/eks` renders it) with at least one cluster and user. */
function isKubeconfigJson(text: string): boolean {
    try {
        const document = JSON.parse(text) as { kind?: unknown; clusters?: unknown; users?: unknown };
        return document.kind === "Config" && Array.isArray(document.clusters) && document.clusters.length > 0 && Array.isArray(document.users);
    } catch {
        return false;
    }
}

export const platformOutputsSchema = z
    .object({
        // Cluster identity and access
        clusterName: kubernetesName.describe("Name of the EKS cluster (`aws eks update-kubeconfig --name <clusterName>`)."),
        region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as eu-west-1").describe("AWS region the cluster runs in."),
        kubernetesVersion: z.string().regex(/^1\.\d+$/, "must be a Kubernetes minor version such as 1.34").describe("Kubernetes minor version of the control plane (e.g. `1.34`)."),
        clusterEndpoint: z.url({ protocol: /^https$/ }).describe("HTTPS URL of the Kubernetes API server."),
        clusterCertificateAuthority: z.base64().min(1).describe("Base64-encoded PEM certificate authority of the API server."),
        clusterArn: arn("eks", "EKS cluster").describe("ARN of the EKS cluster (for IAM policies and EKS API calls)."),
        oidcProviderArn: arn("iam", "IAM OIDC provider").describe("ARN of the cluster's IAM OIDC provider: the federated principal of IRSA role trust policies."),
        oidcProviderUrl: z
            .string()
            .regex(/^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[0-9A-F]+$/, "must be the OIDC issuer without https:// (oidc.eks.<region>.amazonaws.com/id/<ID>)")
            .describe("OIDC issuer host and path without `https://`: the condition-key prefix (`<url>:sub`, `<url>:aud`) in IRSA trust policies."),
        kubeconfig: z
            .string()
            .refine(isKubeconfigJson, "must be a kubeconfig document in JSON (kind Config, with clusters and users)")
            .describe("Kubeconfig (JSON) that authenticates with `aws eks get-token`: the caller's own IAM identity needs an access entry. Secret: read it with `getOutput`/`requireOutput`, never print it."),
        // Network
        clusterSecurityGroupId: awsId("sg").describe("Security group EKS attaches to the control plane and managed nodes; allow it as a source to reach databases and other VPC services."),
        nodeSecurityGroupId: awsId("sg").describe("Security group of the worker nodes (node groups and Karpenter nodes)."),
        vpcId: awsId("vpc").describe("VPC the cluster runs in."),
        privateSubnetIds: z.array(awsId("subnet")).min(1).describe("Private subnets of the nodes, one per availability zone (for internal load balancers, databases, VPC endpoints)."),
        publicSubnetIds: z.array(awsId("subnet")).describe("Public subnets for internet-facing load balancers; empty when an existing VPC has none."),
        // Nodes and storage
        nodeGroupNames: z.array(z.string().min(1)).min(1).describe("Names of the managed node groups (a `system` and at least one `application` group)."),
        nodeRoleArns: z.record(z.string(), arn("iam", "IAM role")).describe("IAM role ARN of each managed node group, by node group name."),
        clusterSecretsKmsKeyArn: arn("kms", "KMS key").describe("KMS key that envelope-encrypts Kubernetes Secrets in etcd."),
        storageClassName: kubernetesName.describe("Default StorageClass (encrypted gp3 EBS) for PersistentVolumeClaims."),
        // Baseline
        tenantNamespaces: z.array(kubernetesName).describe("Tenant namespaces of this stack (Pod Security restricted, quota, limit range, default-deny network policies): where application teams deploy."),
        // Add-on: Karpenter
        karpenterNodeRoleArn: arn("iam", "IAM role").optional().describe("IAM role of the nodes Karpenter launches. Present when the Karpenter add-on is enabled."),
        karpenterInterruptionQueueName: z.string().min(1).optional().describe("SQS queue Karpenter reads Spot interruption and rebalance events from. Present when Karpenter is enabled."),
        karpenterNodePoolName: kubernetesName.optional().describe("Karpenter NodePool for application workloads. Present when Karpenter is enabled."),
        // Add-on: External Secrets Operator
        externalSecretsStoreName: kubernetesName.optional().describe("ClusterSecretStore (AWS Secrets Manager) that tenants' ExternalSecrets reference (`secretStoreRef.kind: ClusterSecretStore`). Present when External Secrets is enabled."),
        platformSecretsKmsKeyArn: arn("kms", "KMS key").optional().describe("KMS key to encrypt application secrets in Secrets Manager with; the store can decrypt only with this key. Present when External Secrets is enabled."),
        secretsPrefix: z.string().min(1).optional().describe("Secrets Manager name prefix the store may read (e.g. `prod/apps/`): put tenant secrets under `<secretsPrefix><namespace>/...`. Present when External Secrets is enabled."),
        // Add-on: Velero
        veleroBucketName: z.string().min(3).optional().describe("S3 bucket holding Velero backups (readable only by Velero and break-glass). Present when Velero is enabled."),
        veleroBucketArn: arn("s3", "S3 bucket").optional().describe("ARN of the Velero backup bucket. Present when Velero is enabled."),
        veleroKmsKeyArn: arn("kms", "KMS key").optional().describe("KMS key that encrypts the backups. Present when Velero is enabled."),
        veleroRoleArn: arn("iam", "IAM role").optional().describe("IAM role Velero runs as. Present when Velero is enabled."),
        // Add-on: kube-prometheus-stack
        monitoringNamespace: kubernetesName.optional().describe("Namespace of Prometheus, Alertmanager and Grafana. Present when monitoring is enabled."),
        grafanaAdminSecretName: kubernetesName.optional().describe("Secret (in the monitoring namespace) holding the Grafana admin credentials; the name only, never the value. Present when monitoring is enabled."),
        prometheusServiceName: kubernetesName.optional().describe("Service of Prometheus in the monitoring namespace (port 9090). Present when monitoring is enabled."),
        alertmanagerServiceName: kubernetesName.optional().describe("Service of Alertmanager in the monitoring namespace (port 9093). Present when monitoring is enabled."),
        // Add-on: AWS Load Balancer Controller
        loadBalancerControllerNamespace: kubernetesName
            .optional()
            .describe("Namespace of the AWS Load Balancer Controller (its logs and events explain a load balancer that does not come up). Present when the controller is enabled."),
        ingressClassName: kubernetesName
            .optional()
            .describe("IngressClass of internal Application Load Balancers (the default class; any tenant namespace). Present when the AWS Load Balancer Controller is enabled."),
        internetFacingIngressClassName: kubernetesName
            .optional()
            .describe("IngressClass of internet-facing Application Load Balancers; admitted only in the namespaces listed in `internetFacingNamespaces`. Present when the AWS Load Balancer Controller is enabled."),
        loadBalancerClass: z
            .string()
            .regex(/^[a-z0-9.-]+\/[a-z0-9.-]+$/, "must be a load balancer class such as service.k8s.aws/nlb")
            .optional()
            .describe("`spec.loadBalancerClass` of a Service of type LoadBalancer that gets a Network Load Balancer (internal unless the scheme annotation says `internet-facing`). Present when the AWS Load Balancer Controller is enabled."),
        internetFacingNamespaces: z
            .array(kubernetesName)
            .optional()
            .describe("Tenant namespaces that may expose internet-facing load balancers (`tenants[].internetFacing`); in every other one the policy pack refuses them. Present when the AWS Load Balancer Controller is enabled."),
    })
    .describe(`Stack outputs of the eks-platform project, contract version ${CONTRACT_VERSION}.`);

/** The platform's stack outputs, as application teams read them. */
export type PlatformOutputs = z.infer<typeof platformOutputsSchema>;
export type PlatformOutputField = keyof PlatformOutputs;

/** A value a Pulumi program may return for an output of type T: Inputs at every level. */
export type OutputInput<T> = T extends readonly (infer E)[]
    ? Input<OutputInput<E>[]>
    : T extends object
      ? Input<{ [K in keyof T]: OutputInput<T[K]> }>
      : Input<T>;

/** What the program returns (`buildPlatform`): every output of the contract, as Pulumi Inputs. */
export type PlatformStackOutputs = { [K in keyof PlatformOutputs]: OutputInput<PlatformOutputs[K]> };

export type Stability = "stable" | "beta";
export type Addon = "karpenter" | "externalSecrets" | "velero" | "monitoring" | "awsLoadBalancerController";

export interface FieldContract {
    /** A Pulumi secret: encrypted in state, `[secret]` in the plan; read with getOutput/requireOutput. */
    secret: boolean;
    /** `stable`: breaking changes only with a major contract version. `beta`: may change in a minor version. */
    stability: Stability;
    /** The contract version that introduced the field. */
    since: string;
    /** The add-on (`addons.<name>.enabled`) without which the field is absent; none: always present. */
    addon?: Addon;
}

const stable = { secret: false, stability: "stable", since: "1.0.0" } as const;
const beta = { secret: false, stability: "beta", since: "1.0.0" } as const;
const betaSince11 = { ...beta, since: "1.1.0" } as const;

/** Per field: secret, stability, since, add-on. A field missing here does not compile. */
export const CONTRACT: { readonly [K in PlatformOutputField]-?: FieldContract } = {
    clusterName: stable,
    region: stable,
    kubernetesVersion: stable,
    clusterEndpoint: stable,
    clusterCertificateAuthority: stable,
    clusterArn: stable,
    oidcProviderArn: stable,
    oidcProviderUrl: stable,
    kubeconfig: { ...stable, secret: true },
    clusterSecurityGroupId: stable,
    nodeSecurityGroupId: stable,
    vpcId: stable,
    privateSubnetIds: stable,
    publicSubnetIds: stable,
    nodeGroupNames: beta,
    nodeRoleArns: beta,
    clusterSecretsKmsKeyArn: stable,
    storageClassName: stable,
    tenantNamespaces: stable,
    karpenterNodeRoleArn: { ...beta, addon: "karpenter" },
    karpenterInterruptionQueueName: { ...beta, addon: "karpenter" },
    karpenterNodePoolName: { ...beta, addon: "karpenter" },
    externalSecretsStoreName: { ...stable, addon: "externalSecrets" },
    platformSecretsKmsKeyArn: { ...stable, addon: "externalSecrets" },
    secretsPrefix: { ...stable, addon: "externalSecrets" },
    veleroBucketName: { ...stable, addon: "velero" },
    veleroBucketArn: { ...stable, addon: "velero" },
    veleroKmsKeyArn: { ...stable, addon: "velero" },
    veleroRoleArn: { ...stable, addon: "velero" },
    monitoringNamespace: { ...beta, addon: "monitoring" },
    grafanaAdminSecretName: { ...beta, addon: "monitoring" },
    prometheusServiceName: { ...beta, addon: "monitoring" },
    alertmanagerServiceName: { ...beta, addon: "monitoring" },
    loadBalancerControllerNamespace: { ...betaSince11, addon: "awsLoadBalancerController" },
    ingressClassName: { ...betaSince11, addon: "awsLoadBalancerController" },
    internetFacingIngressClassName: { ...betaSince11, addon: "awsLoadBalancerController" },
    loadBalancerClass: { ...betaSince11, addon: "awsLoadBalancerController" },
    internetFacingNamespaces: { ...betaSince11, addon: "awsLoadBalancerController" },
};

export const CONTRACT_FIELDS = Object.keys(platformOutputsSchema.shape) as PlatformOutputField[];

/** Fields that are Pulumi secrets. */
export const SECRET_FIELDS = CONTRACT_FIELDS.filter((field) => CONTRACT[field].secret);

/** Fields every stack exports, whatever add-ons it enables. */
export const REQUIRED_FIELDS = CONTRACT_FIELDS.filter((field) => !platformOutputsSchema.shape[field].safeParse(undefined).success);

/** One line per problem, each naming the output: for error messages consumers can act on. */
export function describeOutputIssues(error: z.ZodError, value: unknown): string {
    return error.issues
        .map((issue) => {
            const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(outputs)";
            const missing = issue.path.length === 1 && typeof value === "object" && value !== null && !(String(issue.path[0]) in value);
            return `  ${field}: ${missing ? "is missing" : issue.message}`;
        })
        .join("\n");
}

/** Validates stack outputs read from the platform; throws naming every field that breaks the contract. */
export function parsePlatformOutputs(value: unknown, source = "the platform stack"): PlatformOutputs {
    const result = platformOutputsSchema.safeParse(value);
    if (!result.success) {
        throw new Error(`outputs of ${source} do not match the platform outputs contract ${CONTRACT_VERSION}:\n${describeOutputIssues(result.error, value)}`);
    }
    return result.data;
}
