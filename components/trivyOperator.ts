import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { TrivyConfig } from "../config/addons";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import { addonNamespaceLimits, LockedNamespace, scrapedByMonitoring, type TrafficRule } from "./lockedNamespace";
import { CHARTS, helmRelease } from "./shared/helm";
import { workloadIdentity } from "./shared/identity";
import { trivyEcrReadPolicy } from "./trivyOperator.iam";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, resources, restrictedPodSecurityContext, systemPlacement } from "./shared/scheduling";
import type { MetricsEndpoint, PlatformAddon, ServiceMonitorSupport } from "./shared/addon";
import type { ClusterContext } from "./shared/types";

export const TRIVY_RELEASE = "trivy-operator";
/**
 * The operator's service account, which its scan jobs run as too (trivy-operator v0.32.0:
 * OPERATOR_SERVICE_ACCOUNT, used for every scan job unless scan jobs run in the workload's
 * namespace, which stays off). It carries the scan jobs' ECR read identity.
 */
export const TRIVY_SERVICE_ACCOUNT = "trivy-operator";
/** The operator's app version in chart 0.34.0. */
export const TRIVY_OPERATOR_VERSION = "v0.32.0";
/** Container port of the operator's metrics endpoint (the Service maps port 80 to it). */
export const TRIVY_METRICS_PORT = 8080;

export interface TrivyOperatorArgs {
    cluster: ClusterContext;
    config: TrivyConfig;
    /** When monitoring is on: the Prometheus CRDs the chart's ServiceMonitor needs (not the monitoring release). */
    monitoring?: ServiceMonitorSupport;
}

/**
 * Trivy Operator: vulnerability, config-audit and RBAC reports. No node collector (infra
 * assessment needs hostPath; see docs/trivy.md), so the namespace stays `restricted`.
 */
export class TrivyOperator extends pulumi.ComponentResource {
    readonly namespace: string = PLATFORM_NAMESPACES.trivy;

    constructor(name: string, args: TrivyOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:TrivyOperator", name, {}, opts);
        const { cluster } = args;
        // Operator (1 CPU / 1Gi, up to 3 pods in a rollout) plus the concurrent scan jobs: one
        // container per image of the scanned workload, 1 CPU / 1Gi each (assume up to 4).
        const jobs = args.config.scanJobsConcurrentLimit;
        const limits = addonNamespaceLimits(`${3 + 4 * jobs}`, `${3 + 4 * jobs}Gi`, `${5 + 2 * jobs}`);
        const ns = new LockedNamespace(`${name}-namespace`, { cluster, name: this.namespace, podSecurity: "restricted", rules: trafficRules(args.monitoring !== undefined), limits }, { parent: this });

        // The CRDs come from the pinned chart's `crds/`, which Helm installs with the release and
        // never upgrades: a chart bump first applies the new chart's CRDs (docs/trivy.md,
        // "Upgrading the chart"). Nothing is downloaded at deploy time but the chart itself.
        // Scan jobs pull private ECR images with their own read-only identity: IRSA on the
        // operator's service account, the path trivy-operator documents for ECR (the operator pod
        // holds the same read-only rights; it does not use them).
        const scanner = workloadIdentity(this, `${name}-ecr-read`, {
            cluster,
            namespace: this.namespace,
            serviceAccount: TRIVY_SERVICE_ACCOUNT,
            mechanism: "irsa",
            policy: pulumi.all([cluster.partition, cluster.accountId]).apply(([partition, accountId]) => trivyEcrReadPolicy({ partition, region: cluster.region, accountId })),
        });

        const release = helmRelease(this, TRIVY_RELEASE, {
            cluster,
            source: CHARTS.trivyOperator,
            namespace: this.namespace,
            values: scanner.roleArn.apply((roleArn) => trivyValues(cluster, args.config, args.monitoring !== undefined, roleArn)),
            skipCrds: false,
            // The role and its permissions exist before the first scan job asks STS for credentials.
            dependsOn: [ns, ...scanner.ready, ...(args.monitoring?.crds ?? [])],
        });
        if (cluster.highAvailability) {
            // The chart has no PodDisruptionBudget of its own.
            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-operator`,
                {
                    metadata: { name: TRIVY_RELEASE, namespace: this.namespace },
                    spec: { minAvailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "trivy-operator", "app.kubernetes.io/instance": TRIVY_RELEASE } } },
                },
                { parent: this, provider: cluster.provider, dependsOn: [release] },
            );
        }
        this.registerOutputs({ namespace: this.namespace });
    }
}

/** Where Prometheus scrapes the operator's report metrics (its chart's ServiceMonitor). */
export const TRIVY_METRICS: MetricsEndpoint = { name: "trivy", title: "Trivy Operator", namespace: PLATFORM_NAMESPACES.trivy, port: TRIVY_METRICS_PORT };

/** Trivy Operator as a platform add-on: it exports nothing. */
export function trivyOperatorAddon(config: TrivyConfig): PlatformAddon {
    return {
        name: "trivy",
        metrics: TRIVY_METRICS,
        install({ cluster, monitoring }) {
            new TrivyOperator("trivy-operator", { cluster, config, monitoring });
            return { outputs: {} };
        },
    };
}

function trafficRules(monitoring: boolean): TrafficRule[] {
    const rules: TrafficRule[] = [
        { name: "allow-apiserver", description: "The operator watches workloads and writes reports through the Kubernetes API", direction: "egress", peer: { kind: "apiServer" }, ports: [{ port: 443 }] },
        {
            name: "allow-registries",
            description: "Scan jobs pull image manifests and layers from registries and the vulnerability DB (mirror.gcr.io) over HTTPS",
            direction: "egress",
            peer: { kind: "awsApis" },
            ports: [{ port: 443 }],
        },
    ];
    if (monitoring) rules.push(scrapedByMonitoring("Prometheus scrapes the operator's report metrics", TRIVY_METRICS_PORT, "allow-scrape-from-monitoring"));
    return rules;
}

/** Helm values for chart trivy-operator 0.34.0; every key is checked against the pinned values.yaml. */
export function trivyValues(cluster: ClusterContext, config: TrivyConfig, monitoring: boolean, scannerRoleArn: string): Record<string, unknown> {
    const placement = systemPlacement();
    const containerSecurityContext = { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, privileged: false, capabilities: { drop: ["ALL"] } };
    return {
        ...placement,
        resources: resources("100m", "256Mi", "1", "1Gi"),
        podSecurityContext: restrictedPodSecurityContext(65534),
        securityContext: containerSecurityContext,
        operator: {
            replicas: cluster.highAvailability ? 2 : 1,
            scanJobsConcurrentLimit: config.scanJobsConcurrentLimit,
            vulnerabilityScannerEnabled: true,
            configAuditScannerEnabled: true,
            rbacAssessmentScannerEnabled: true,
            exposedSecretScannerEnabled: true,
            // The node collector mounts host paths (/var/lib/kubelet, /etc/kubernetes, ...): off.
            infraAssessmentScannerEnabled: false,
            metricsFindingsEnabled: true,
        },
        trivyOperator: {
            // Scan jobs run on the system nodes (tolerating their taint), never next to tenant
            // pods: they read registry pull secrets of every workload they scan.
            scanJobNodeSelector: placement.nodeSelector,
            scanJobTolerations: placement.tolerations,
            scanJobPodTemplatePodSecurityContext: restrictedPodSecurityContext(65534),
            scanJobPodTemplateContainerSecurityContext: containerSecurityContext,
            scanJobAutomountServiceAccountToken: false,
            // Scan jobs run in trivy-system as the operator's service account (its ECR identity),
            // never as the scanned workload's.
            scanJobsInSameNamespace: false,
        },
        // The IRSA webhook projects its own web-identity token, with or without automounting.
        serviceAccount: {
            create: true,
            name: TRIVY_SERVICE_ACCOUNT,
            annotations: { "eks.amazonaws.com/role-arn": scannerRoleArn, "eks.amazonaws.com/sts-regional-endpoints": "true" },
        },
        trivy: {
            // `image` mode reads images from the registry: no access to the node's container runtime.
            command: "image",
            severity: config.severities.join(","),
            resources: resources("100m", "256Mi", "1", "1Gi"),
        },
        serviceMonitor: { enabled: monitoring, honorLabels: true },
    };
}
