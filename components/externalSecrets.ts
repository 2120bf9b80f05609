import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import { externalSecretsPolicy, platformSecretsKeyPolicy } from "./externalSecrets.iam";
import { addonNamespaceLimits, LockedNamespace, POD_IDENTITY_AGENT, scrapedByMonitoring, type TrafficRule } from "./lockedNamespace";
import { CHARTS, helmRelease } from "./shared/helm";
import { workloadIdentity } from "./shared/identity";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext, resources, SYSTEM_NODE_SELECTOR, SYSTEM_TOLERATIONS } from "./shared/scheduling";
import type { MetricsEndpoint, PlatformAddon, ServiceMonitorSupport } from "./shared/addon";
import type { ClusterContext } from "./shared/types";

export const EXTERNAL_SECRETS_RELEASE = "external-secrets";
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "external-secrets";
/**
 * Not the chart's default 10250 (a GKE firewall convention): Prometheus may reach node IPs on
 * 10250 (kubelets), and pods share the nodes' subnets, so an ipBlock could not keep it off a
 * webhook there (test/networkFlows.test.ts).
 */
export const EXTERNAL_SECRETS_WEBHOOK_PORT = 9443;
export const EXTERNAL_SECRETS_METRICS_PORT = 8080;
/** The chart's image runs as this user; the security contexts pin it. */
const ESO_UID = 1000;

export interface ExternalSecretsArgs {
    cluster: ClusterContext;
    /** Secrets Manager name prefix the operator may read (ends in `/`). */
    secretsPrefix: string;
    /** Namespaces that may use the ClusterSecretStore; empty means none. */
    allowedNamespaces: string[];
    /** With monitoring on: the chart renders its ServiceMonitors and waits for the Prometheus CRDs (never the monitoring release). */
    monitoring?: ServiceMonitorSupport;
    storeName?: string;
}

export interface ClusterSecretStoreInput {
    name: string;
    region: string;
    allowedNamespaces: string[];
}

export type ClusterSecretStoreManifest = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };

/**
 * The store's namespace conditions. An empty `conditions` list would let EVERY namespace use
 * the store (ESO treats "no conditions" as "no restriction"), so no allowed namespace becomes
 * a regex that matches no namespace name.
 */
export function storeConditions(allowedNamespaces: string[]): Record<string, unknown>[] {
    return allowedNamespaces.length > 0 ? [{ namespaces: [...allowedNamespaces] }] : [{ namespaceRegexes: ["^$"] }];
}

/**
 * A ClusterSecretStore for Secrets Manager in the stack's region, built and validated with the
 * typed models of `@kubernetes-models/external-secrets` (ESM-only: dynamic import). With EKS
 * Pod Identity there is no `auth` block: the operator's own credentials are used.
 */
export async function clusterSecretStoreManifest(input: ClusterSecretStoreInput): Promise<ClusterSecretStoreManifest> {
    const { ClusterSecretStore } = await import("@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore");
    const store = new ClusterSecretStore({
        metadata: { name: input.name },
        spec: {
            provider: { aws: { service: "SecretsManager", region: input.region } },
            conditions: storeConditions(input.allowedNamespaces),
        },
    });
    store.validate();
    return store.toJSON() as ClusterSecretStoreManifest;
}

/**
 * External Secrets Operator reading AWS Secrets Manager: a platform secrets KMS key, an
 * operator role limited to one name prefix, the chart (which templates and so upgrades its
 * CRDs), and a ClusterSecretStore limited to the allowed namespaces.
 */
export class ExternalSecrets extends pulumi.ComponentResource {
    readonly storeName: string;
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly secretsPrefix: string;
    readonly roleArn: pulumi.Output<string>;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ExternalSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:ExternalSecrets", name, {}, opts);
        const { cluster } = args;
        const namespace = PLATFORM_NAMESPACES.externalSecrets;
        this.storeName = args.storeName ?? "aws-secrets-manager";
        this.secretsPrefix = args.secretsPrefix;

        // The key teams encrypt their secrets with; usable only through Secrets Manager.
        const key = new aws.kms.Key(
            `${name}-secrets`,
            {
                description: `Platform secrets in Secrets Manager under ${args.secretsPrefix} for EKS cluster ${cluster.name}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi
                    .all([cluster.partition, cluster.accountId])
                    .apply(([partition, accountId]) => JSON.stringify(platformSecretsKeyPolicy({ partition, region: cluster.region, accountId }))),
                tags: cluster.tags,
            },
            { parent: this, protect: cluster.protectStateful },
        );
        new aws.kms.Alias(`${name}-secrets`, { name: `alias/${cluster.name}-platform-secrets`, targetKeyId: key.keyId }, { parent: this });
        this.kmsKeyArn = key.arn;

        const identity = workloadIdentity(this, `${name}-operator`, {
            cluster,
            namespace,
            serviceAccount: EXTERNAL_SECRETS_SERVICE_ACCOUNT,
            mechanism: "podIdentity",
            policy: pulumi
                .all([cluster.partition, cluster.accountId, key.arn])
                .apply(([partition, accountId, kmsKeyArn]) =>
                    externalSecretsPolicy({ partition, region: cluster.region, accountId, secretsPrefix: args.secretsPrefix, kmsKeyArn }),
                ),
        });
        this.roleArn = identity.roleArn;

        // Quota above the rollout peak of the three deployments (controller, webhook, cert controller).
        const ns = new LockedNamespace(
            name,
            { cluster, name: namespace, podSecurity: "restricted", rules: externalSecretsTrafficRules(args.monitoring !== undefined), limits: addonNamespaceLimits("4", "4Gi", "20") },
            { parent: this },
        );

        this.release = helmRelease(this, EXTERNAL_SECRETS_RELEASE, {
            cluster,
            source: CHARTS.externalSecrets,
            namespace,
            values: externalSecretsValues({ highAvailability: cluster.highAvailability, monitoringEnabled: args.monitoring !== undefined }),
            // Pods get Pod Identity credentials injected at creation: the association must exist first.
            // Its ServiceMonitor needs the Prometheus CRDs (not the monitoring release).
            dependsOn: [ns, ...identity.ready, ...(args.monitoring?.crds ?? [])],
        });

        const store = pulumi.output(clusterSecretStoreManifest({ name: this.storeName, region: cluster.region, allowedNamespaces: args.allowedNamespaces }));
        new k8s.apiextensions.CustomResource(
            `${name}-store`,
            { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: this.storeName }, spec: store.spec },
            // The chart installs the CRD and the validating webhook the store is admitted by.
            { parent: this, provider: cluster.provider, dependsOn: [this.release] },
        );

        this.registerOutputs({ storeName: this.storeName, kmsKeyArn: this.kmsKeyArn, secretsPrefix: this.secretsPrefix });
    }
}

/** Where Prometheus scrapes the operator, its webhook and cert controller (the chart's ServiceMonitors). */
export const EXTERNAL_SECRETS_METRICS: MetricsEndpoint = {
    name: "external-secrets",
    title: "External Secrets Operator",
    namespace: PLATFORM_NAMESPACES.externalSecrets,
    port: EXTERNAL_SECRETS_METRICS_PORT,
};

/**
 * External Secrets as a platform add-on. It provides the platform's secret store to the add-ons
 * installed after it (monitoring reads Alertmanager's configuration through it).
 */
export function externalSecretsAddon(store: { secretsPrefix: string; allowedNamespaces: string[] }): PlatformAddon {
    return {
        name: "externalSecrets",
        metrics: EXTERNAL_SECRETS_METRICS,
        install({ cluster, monitoring }) {
            const eso = new ExternalSecrets("external-secrets", { cluster, ...store, monitoring });
            return {
                outputs: { externalSecretsStoreName: eso.storeName, platformSecretsKmsKeyArn: eso.kmsKeyArn, secretsPrefix: eso.secretsPrefix },
                secretStore: { storeName: eso.storeName, secretsPrefix: eso.secretsPrefix, ready: [eso.release] },
            };
        },
    };
}

const COMPONENT_NAMES = {
    controller: EXTERNAL_SECRETS_RELEASE,
    webhook: `${EXTERNAL_SECRETS_RELEASE}-webhook`,
    certController: `${EXTERNAL_SECRETS_RELEASE}-cert-controller`,
} as const;

/** The chart's selector labels of one component (`external-secrets*.selectorLabels`). */
function selectorLabels(component: keyof typeof COMPONENT_NAMES): Record<string, string> {
    return { "app.kubernetes.io/name": COMPONENT_NAMES[component], "app.kubernetes.io/instance": EXTERNAL_SECRETS_RELEASE };
}

export function externalSecretsTrafficRules(monitoringEnabled: boolean): TrafficRule[] {
    const controller = selectorLabels("controller");
    const rules: TrafficRule[] = [
        {
            name: "allow-apiserver",
            description: "ESO reconciles resources and the cert controller patches CRDs/webhooks through the API server",
            direction: "egress",
            peer: { kind: "apiServer" },
            ports: [{ port: 443 }],
        },
        { name: "allow-aws-apis", description: "The operator reads Secrets Manager and calls STS", direction: "egress", peer: { kind: "awsApis" }, ports: [{ port: 443 }], podLabels: controller },
        {
            name: "allow-pod-identity",
            description: "The operator fetches its Pod Identity credentials from the node-local agent",
            direction: "egress",
            peer: { kind: "podIdentityAgent" },
            ports: [{ port: POD_IDENTITY_AGENT.port }],
            podLabels: controller,
        },
        {
            name: "allow-webhook-from-control-plane",
            description: "The API server calls the validating webhook",
            direction: "ingress",
            peer: { kind: "controlPlane" },
            ports: [{ port: EXTERNAL_SECRETS_WEBHOOK_PORT }],
            podLabels: selectorLabels("webhook"),
        },
    ];
    if (monitoringEnabled) rules.push(scrapedByMonitoring("Prometheus scrapes the operator's metrics", EXTERNAL_SECRETS_METRICS_PORT));
    return rules;
}

export interface ExternalSecretsValuesInput {
    highAvailability: boolean;
    monitoringEnabled: boolean;
}

/** Values for chart external-secrets 2.9.0; every key exists in its values.yaml and the merged tree validates against values.schema.json. */
export function externalSecretsValues(input: ExternalSecretsValuesInput): Record<string, unknown> {
    const replicaCount = input.highAvailability ? 2 : 1;
    // A PDB with minAvailable 1 over a single replica would block every node drain.
    const podDisruptionBudget = { enabled: replicaCount > 1, minAvailable: 1 };
    const podSecurityContext = { enabled: true, ...restrictedPodSecurityContext(ESO_UID) };
    const { allowPrivilegeEscalation, readOnlyRootFilesystem, runAsNonRoot, capabilities, seccompProfile } = RESTRICTED_CONTAINER_SECURITY_CONTEXT;
    const securityContext = { enabled: true, allowPrivilegeEscalation, readOnlyRootFilesystem, runAsNonRoot, runAsUser: ESO_UID, capabilities, seccompProfile };
    const spreadByHost = (component: keyof typeof COMPONENT_NAMES) => ({
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selectorLabels(component) } } },
            ],
        },
    });
    const component = (name: keyof typeof COMPONENT_NAMES, res: ReturnType<typeof resources>) => ({
        replicaCount,
        podDisruptionBudget,
        resources: res,
        podSecurityContext,
        securityContext,
        affinity: spreadByHost(name),
    });

    return {
        // The chart templates its CRDs (templates/crds), so `helm upgrade` upgrades them.
        installCRDs: true,
        // Controller and cert controller both honour this flag; without it two replicas would both reconcile.
        leaderElect: true,
        serviceAccount: { create: true, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT },
        global: {
            nodeSelector: { ...SYSTEM_NODE_SELECTOR },
            tolerations: SYSTEM_TOLERATIONS.map((t) => ({ ...t })),
            // The chart adds each component's own label selector to these.
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }],
        },
        ...component("controller", resources("50m", "128Mi", "500m", "512Mi")),
        webhook: { ...component("webhook", resources("25m", "64Mi", "200m", "256Mi")), port: EXTERNAL_SECRETS_WEBHOOK_PORT },
        certController: component("certController", resources("25m", "64Mi", "200m", "256Mi")),
        serviceMonitor: { enabled: input.monitoringEnabled },
    };
}
