import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { MonitoringConfig } from "../config/addons";
import type { TenantConfig } from "../config/tenants";
import { monitoringScrapeRules } from "./tenantNamespace";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import { addonNamespaceLimits, COREDNS, LockedNamespace, type TrafficRule } from "./lockedNamespace";
import { platformAlertsRule } from "./monitoring.rules";
import { CHARTS, helmRelease } from "./shared/helm";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, resources, restrictedPodSecurityContext, systemPlacement } from "./shared/scheduling";
import type { ClusterContext } from "./shared/types";
import type { MetricsEndpoint, PlatformAddon, SecretStoreRef, ServiceMonitorSupport } from "./shared/addon";

/** prometheus-operator release the chart (88.5.3) deploys; its CRDs come from the CRD chart of the same release. */
export const PROMETHEUS_OPERATOR_VERSION = "v0.93.1";

export const MONITORING_RELEASE = "kube-prometheus-stack";
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
/** The chart's fullname equals the release name (it contains the chart name). */
export const PROMETHEUS_SERVICE = `${MONITORING_RELEASE}-prometheus`;
export const ALERTMANAGER_SERVICE = `${MONITORING_RELEASE}-alertmanager`;
/** The Secret the operator reads for the Alertmanager named like its service, when the chart renders none (`useExistingSecret`). */
export const ALERTMANAGER_CONFIG_SECRET = `alertmanager-${ALERTMANAGER_SERVICE}`;

export const NODE_EXPORTER_POD_SECURITY_EXCEPTION =
    "node-exporter reads host metrics: it needs hostNetwork, hostPID and read-only hostPath mounts of /, /proc and /sys, which Pod Security baseline and restricted forbid. Nothing else runs in this namespace.";

/** An add-on whose chart does not create its own monitor here: scraped through a PodMonitor. */
export interface PodScrapeTarget {
    name: string;
    namespace: string;
    podLabels: Record<string, string>;
    port: number;
}

export interface MonitoringArgs {
    cluster: ClusterContext;
    config: MonitoringConfig;
    /** Tenant namespaces: Prometheus scrapes their metrics ports and what they allow from monitoring. */
    tenants: readonly TenantConfig[];
    /** Add-ons whose charts render their own ServiceMonitors: Prometheus may reach their metrics ports. */
    scrapeTargets: MetricsEndpoint[];
    /** Add-ons whose charts create no monitor of their own, scraped through PodMonitors created here. */
    podTargets?: PodScrapeTarget[];
    /** The Prometheus Operator CRDs (PrometheusOperatorCrds), which every chart rendering a monitor waits for. */
    crds: ServiceMonitorSupport;
    /**
     * Where Alertmanager's configuration (receivers, routes) comes from: a Secrets Manager secret
     * synced by External Secrets through the platform's ClusterSecretStore.
     */
    alertmanagerConfig?: AlertmanagerConfigSource;
}

export interface AlertmanagerConfigSource {
    storeName: pulumi.Input<string>;
    /** Full Secrets Manager secret name holding `alertmanager.yaml`. */
    secretName: string;
    /** The External Secrets release: the ExternalSecret kind exists only once it is installed. */
    dependsOn: pulumi.Resource[];
}


/**
 * kube-prometheus-stack: Prometheus CRDs applied server-side, Prometheus and Alertmanager on
 * encrypted volumes, Grafana with a generated admin password, node-exporter apart in a
 * privileged namespace, and the platform's paging rules.
 */
export class Monitoring extends pulumi.ComponentResource {
    readonly namespace: string = PLATFORM_NAMESPACES.monitoring;
    /** What other add-ons' ServiceMonitors need first: only the CRDs, never the release. */
    readonly crds: pulumi.Resource[];
    readonly grafanaAdminSecretName: string | undefined;
    readonly prometheusServiceName = PROMETHEUS_SERVICE;
    readonly alertmanagerServiceName = ALERTMANAGER_SERVICE;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:Monitoring", name, {}, opts);
        const { cluster, config } = args;
        const provider = cluster.provider;

        // 2 Prometheus (2 CPU / 4Gi each), 2 Alertmanager, operator, Grafana, kube-state-metrics,
        // config reloaders and hook jobs, with room for a rollout.
        const limits = addonNamespaceLimits("12", "16Gi", "30", { cpu: "2", memory: "8Gi" });
        const ns = new LockedNamespace(`${name}-namespace`, { cluster, name: this.namespace, podSecurity: "restricted", rules: monitoringRules(args), limits }, { parent: this });
        const hostNs = new LockedNamespace(
            `${name}-host-namespace`,
            {
                cluster,
                name: PLATFORM_NAMESPACES.nodeExporter,
                podSecurity: "privileged",
                podSecurityException: NODE_EXPORTER_POD_SECURITY_EXCEPTION,
                // One node-exporter (200m / 64Mi) per node: sized for far more nodes than Karpenter's limits allow.
                limits: addonNamespaceLimits("100", "32Gi", "500", { cpu: "500m", memory: "256Mi" }),
                rules: [
                    {
                        name: "allow-scrape-from-monitoring",
                        description: "Prometheus scrapes node-exporter",
                        direction: "ingress",
                        peer: { kind: "namespace", namespace: this.namespace },
                        ports: [{ port: 9100 }],
                    },
                ],
            },
            { parent: this },
        );

        const crds = args.crds.crds;
        this.crds = crds;

        const dependsOn: pulumi.Resource[] = [ns, hostNs, ...crds];
        if (config.grafanaEnabled) {
            // Generated here, held only as a Pulumi secret and in a Kubernetes Secret (encrypted
            // at rest with the cluster's KMS key): never in code, config or Helm values.
            const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
            const secret = new k8s.core.v1.Secret(
                `${name}-grafana-admin`,
                {
                    metadata: { name: GRAFANA_ADMIN_SECRET, namespace: this.namespace },
                    type: "Opaque",
                    stringData: { "admin-user": "admin", "admin-password": pulumi.secret(password.result) },
                },
                { parent: this, provider, dependsOn: [ns] },
            );
            dependsOn.push(secret);
            this.grafanaAdminSecretName = GRAFANA_ADMIN_SECRET;
        }

        if (args.alertmanagerConfig) {
            // Not a dependency of the release: the operator starts Alertmanager once the Secret
            // appears, so monitoring need not wait for the External Secrets install.
            new k8s.apiextensions.CustomResource(
                `${name}-alertmanager-config`,
                alertmanagerConfigExternalSecret(this.namespace, args.alertmanagerConfig),
                { parent: this, provider, dependsOn: [ns, ...args.alertmanagerConfig.dependsOn] },
            );
        }

        const release = helmRelease(this, MONITORING_RELEASE, {
            cluster,
            source: CHARTS.kubePrometheusStack,
            namespace: this.namespace,
            values: monitoringValues(cluster, config, args.alertmanagerConfig !== undefined),
            skipCrds: true,
            mountsVolumes: true,
            dependsOn,
            timeoutSeconds: 900,
        });

        const rule = platformAlertsRule(this.namespace, config.runbookBaseUrl);
        new k8s.apiextensions.CustomResource(`${name}-platform-alerts`, rule, { parent: this, provider, dependsOn: [...crds, ns] });
        for (const target of args.podTargets ?? []) {
            new k8s.apiextensions.CustomResource(`${name}-podmonitor-${target.name}`, podMonitor(this.namespace, target), { parent: this, provider, dependsOn: [...crds, ns] });
        }

        this.registerOutputs({
            namespace: this.namespace,
            grafanaAdminSecretName: this.grafanaAdminSecretName,
            prometheusServiceName: this.prometheusServiceName,
            alertmanagerServiceName: this.alertmanagerServiceName,
            release: release.status,
        });
    }
}

export interface MonitoringAddonArgs {
    config: MonitoringConfig;
    tenants: readonly TenantConfig[];
}

/**
 * kube-prometheus-stack as a platform add-on. It scrapes every enabled add-on's metrics
 * endpoint, and reads Alertmanager's configuration through the secret store an earlier add-on
 * (External Secrets) provides.
 */
export function monitoringAddon(args: MonitoringAddonArgs): PlatformAddon {
    return {
        name: "monitoring",
        install({ cluster, monitoring: crds, metrics, secretStore }) {
            if (!crds) throw new Error("the monitoring add-on is installed after the Prometheus Operator CRDs");
            const monitoring = new Monitoring("monitoring", {
                cluster,
                config: args.config,
                tenants: args.tenants,
                scrapeTargets: metrics,
                crds,
                alertmanagerConfig: alertmanagerConfigSource(args.config.alertmanagerConfigSecret, secretStore),
            });
            return {
                outputs: {
                    monitoringNamespace: monitoring.namespace,
                    grafanaAdminSecretName: monitoring.grafanaAdminSecretName,
                    prometheusServiceName: monitoring.prometheusServiceName,
                    alertmanagerServiceName: monitoring.alertmanagerServiceName,
                },
            };
        },
    };
}

/** Alertmanager's receivers (pager keys, webhook URLs) are synced from Secrets Manager through the platform's store. */
function alertmanagerConfigSource(secret: string | undefined, store: SecretStoreRef | undefined): AlertmanagerConfigSource | undefined {
    if (!secret) return undefined;
    if (!store) throw new Error("addons.monitoring.alertmanagerConfigSecret: the External Secrets add-on must be installed before monitoring");
    return { storeName: store.storeName, secretName: `${store.secretsPrefix}${secret}`, dependsOn: store.ready };
}

export function podMonitor(namespace: string, target: PodScrapeTarget): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> } {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: target.name, namespace },
        spec: {
            namespaceSelector: { matchNames: [target.namespace] },
            selector: { matchLabels: target.podLabels },
            podMetricsEndpoints: [{ portNumber: target.port, path: "/metrics", interval: "30s" }],
        },
    };
}

/** The Prometheus pods (the operator labels its StatefulSet's pods so): only they scrape other namespaces. */
export const PROMETHEUS_POD_LABELS = { "app.kubernetes.io/name": "prometheus" };

function monitoringRules(args: MonitoringArgs): TrafficRule[] {
    const self = { kind: "namespace" as const, namespace: PLATFORM_NAMESPACES.monitoring };
    const prometheus = { ...PROMETHEUS_POD_LABELS };
    const internalPorts = [{ port: 9090 }, { port: 9093 }, { port: 9094 }, { port: 9094, protocol: "UDP" as const }, { port: 3000 }, { port: 8080 }, { port: 8081 }, { port: 10250 }];
    const rules: TrafficRule[] = [
        {
            name: "allow-apiserver",
            description: "Operator, Prometheus discovery, kube-state-metrics, Grafana sidecars and the webhook patch jobs use the Kubernetes API; Prometheus scrapes its endpoints",
            direction: "egress",
            peer: { kind: "apiServer" },
            ports: [{ port: 443 }],
        },
        { name: "allow-webhook-from-control-plane", description: "The API server calls the operator's admission webhook", direction: "ingress", peer: { kind: "controlPlane" }, ports: [{ port: 10250 }] },
        { name: "allow-ingress-within-monitoring", description: "Monitoring components talk to each other (Grafana->Prometheus, Prometheus->Alertmanager, scrapes, Alertmanager mesh)", direction: "ingress", peer: self, ports: internalPorts },
        { name: "allow-egress-within-monitoring", description: "Monitoring components talk to each other", direction: "egress", peer: self, ports: internalPorts },
        // Kubelet/cAdvisor and host-network node-exporter listen on node IPs (the private subnets).
        { name: "allow-scrape-nodes", description: "Prometheus scrapes kubelets and node-exporter on the nodes", direction: "egress", peer: { kind: "nodes" }, ports: [{ port: 10250 }, { port: 9100 }], podLabels: prometheus },
        { name: "allow-scrape-node-exporter", description: "Prometheus scrapes node-exporter's pods", direction: "egress", peer: { kind: "namespace", namespace: PLATFORM_NAMESPACES.nodeExporter }, ports: [{ port: 9100 }], podLabels: prometheus },
        {
            name: "allow-scrape-coredns",
            description: "Prometheus scrapes CoreDNS",
            direction: "egress",
            peer: { kind: "namespace", namespace: COREDNS.namespace, podLabels: { ...COREDNS.podLabels } },
            ports: [{ port: 9153 }],
            podLabels: prometheus,
        },
        {
            name: "allow-alertmanager-receivers",
            description: "Alertmanager delivers pages to the receivers (PagerDuty, Slack, ...) over HTTPS",
            direction: "egress",
            peer: { kind: "awsApis" },
            ports: [{ port: 443 }],
            podLabels: { "app.kubernetes.io/name": "alertmanager" },
        },
    ];
    const scrape = (name: string, title: string, namespace: string, port: number): TrafficRule => ({
        name: `allow-scrape-${name}`,
        description: `Prometheus scrapes ${title}`,
        direction: "egress",
        peer: { kind: "namespace", namespace },
        ports: [{ port }],
        podLabels: prometheus,
    });
    for (const target of args.scrapeTargets) rules.push(scrape(target.name, target.title, target.namespace, target.port));
    for (const target of args.podTargets ?? []) rules.push(scrape(target.name, target.name, target.namespace, target.port));
    // Every tenant's metrics ports, and whatever a tenant allows from monitoring: the egress half.
    rules.push(...monitoringScrapeRules(args.tenants, prometheus));
    return rules;
}

/**
 * Helm values for chart kube-prometheus-stack 88.5.3. Keys are checked against the pinned
 * values.yaml and the node-exporter / kube-state-metrics subchart defaults; Grafana's own keys
 * against grafana 12.11.1 (see test/monitoring.test.ts).
 */
export function monitoringValues(cluster: ClusterContext, config: MonitoringConfig, externalAlertmanagerConfig = false): Record<string, unknown> {
    const placement = systemPlacement();
    const replicas = cluster.highAvailability ? 2 : 1;
    // A budget on a single replica would block every node drain.
    const pdb = { enabled: cluster.highAvailability };
    const restricted = { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, capabilities: { drop: ["ALL"] } };
    const volume = (gib: number) => ({
        volumeClaimTemplate: { spec: { storageClassName: cluster.storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gib}Gi` } } } },
    });
    return {
        crds: { enabled: false },
        // Nothing to scrape on EKS: the control plane is managed, etcd/scheduler/controller-manager
        // are not reachable, and kube-proxy binds its metrics to 127.0.0.1.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        defaultRules: {
            create: true,
            rules: { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false, windows: false },
        },
        windowsMonitoring: { enabled: false },
        prometheusOperator: {
            ...placement,
            resources: resources("100m", "128Mi", "500m", "512Mi"),
            securityContext: restrictedPodSecurityContext(65534),
            containerSecurityContext: restricted,
            prometheusConfigReloader: { resources: resources("10m", "32Mi", "100m", "64Mi") },
            admissionWebhooks: {
                // Hook jobs (create/patch the webhook certificate): a Release runs them.
                patch: {
                    ...placement,
                    resources: resources("10m", "32Mi", "100m", "128Mi"),
                    securityContext: restrictedPodSecurityContext(2000),
                },
                createSecretJob: { securityContext: restricted },
                patchWebhookJob: { securityContext: restricted },
            },
        },
        prometheus: {
            podDisruptionBudget: pdb,
            prometheusSpec: {
                ...placement,
                replicas,
                retention: config.prometheusRetention,
                resources: resources("500m", "2Gi", "2", "4Gi"),
                securityContext: restrictedPodSecurityContext(1000),
                ...operatorContainerSecurity("prometheus", restricted),
                storageSpec: volume(config.prometheusStorageGiB),
                // Select every ServiceMonitor/PodMonitor/PrometheusRule, not only this release's.
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
            },
        },
        alertmanager: {
            podDisruptionBudget: pdb,
            alertmanagerSpec: {
                ...placement,
                replicas,
                resources: resources("50m", "128Mi", "200m", "256Mi"),
                securityContext: restrictedPodSecurityContext(1000),
                ...operatorContainerSecurity("alertmanager", restricted),
                storage: volume(config.alertmanagerStorageGiB),
                // Receivers hold pager keys and webhook URLs: they come from Secrets Manager, not values.
                ...(externalAlertmanagerConfig ? { useExistingSecret: true } : {}),
            },
        },
        grafana: {
            enabled: config.grafanaEnabled,
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
            // Grafana subchart (12.11.1) keys.
            ...placement,
            resources: resources("100m", "256Mi", "500m", "512Mi"),
            securityContext: restrictedPodSecurityContext(472),
            containerSecurityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            },
            // Grafana writes its database and plugins under /var/lib/grafana (the chart's storage
            // volume) and scratch files under /tmp: the only writable paths it needs.
            extraEmptyDirMounts: [{ name: "tmp", mountPath: "/tmp" }],
            // Runs as root to chown the data volume; not needed with fsGroup.
            initChownData: { enabled: false },
            // `helm test` pod with no security context.
            testFramework: { enabled: false },
            sidecar: { resources: resources("50m", "64Mi", "200m", "128Mi"), securityContext: restricted },
        },
        "kube-state-metrics": {
            ...placement,
            resources: resources("50m", "128Mi", "200m", "256Mi"),
        },
        "prometheus-node-exporter": {
            // Host access: its own privileged namespace, never `monitoring`.
            namespaceOverride: PLATFORM_NAMESPACES.nodeExporter,
            resources: resources("20m", "32Mi", "200m", "64Mi"),
            // Host network, host PID and the host's /, /proc and /sys (read-only) are what it is
            // for (exempted by name in the policy config); everything else is restricted.
            securityContext: restrictedPodSecurityContext(65534),
            containerSecurityContext: restricted,
        },
    };
}

/**
 * The operator builds the Prometheus and Alertmanager pods itself; `containers`/`initContainers`
 * entries named like its own are merged into them (the CRDs name them: the main container,
 * `config-reloader`, `init-config-reloader`). Setting the security context here makes the pods
 * restricted by our values, whatever the operator's defaults are.
 */
export function operatorContainerSecurity(mainContainer: "prometheus" | "alertmanager", securityContext: Record<string, unknown>) {
    return {
        containers: [mainContainer, "config-reloader"].map((name) => ({ name, securityContext })),
        initContainers: [{ name: "init-config-reloader", securityContext }],
    };
}

/** External Secrets writes Alertmanager's whole configuration from Secrets Manager (external-secrets.io/v1). */
export function alertmanagerConfigExternalSecret(namespace: string, source: AlertmanagerConfigSource) {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "alertmanager-config", namespace },
        spec: {
            refreshInterval: "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: source.storeName },
            target: { name: ALERTMANAGER_CONFIG_SECRET, creationPolicy: "Owner" },
            data: [{ secretKey: "alertmanager.yaml", remoteRef: { key: source.secretName } }],
        },
    };
}
