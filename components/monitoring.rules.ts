/**
 * The platform's paging alerts as data (monitoring.coreos.com/v1 PrometheusRule groups).
 * Metric names are those of the pinned releases:
 *  - Velero 1.18: velero_backup_last_successful_timestamp, velero_backup_failure_total,
 *    velero_backup_partial_failure_total (label `schedule`);
 *  - Karpenter 1.14: karpenter_cloudprovider_errors_total, controller_runtime_reconcile_errors_total,
 *    karpenter_interruption_received_messages_total / _deleted_messages_total,
 *    karpenter_interruption_message_queue_duration_seconds;
 *  - External Secrets 2.9: externalsecret_status_condition, externalsecret_sync_calls_error;
 *  - kube-state-metrics 2.x: kube_node_status_condition;
 *  - Trivy Operator 0.32: trivy_image_vulnerabilities (label `severity`, e.g. "Critical");
 *  - AWS Load Balancer Controller 3.5 (controller-runtime): up (its ServiceMonitor's job is the
 *    release name), controller_runtime_reconcile_errors_total (label `controller`).
 */
import { PLATFORM_NAMESPACES } from "../config/namespaces";

export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "critical" | "warning"; team: string };
    annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
    name: string;
    rules: AlertRule[];
}

/** Runbooks by their path in this repository; alerts link them under the configured base URL. */
const RESTORE_RUNBOOK = "docs/runbooks/restore.md";
const KARPENTER_RUNBOOK = "docs/runbooks/karpenter.md";
const SECRETS_RUNBOOK = "docs/runbooks/secret-rotation.md";
const NODES_RUNBOOK = "docs/runbooks/node-group-upgrade.md";
const VULNERABILITIES_RUNBOOK = "docs/runbooks/vulnerabilities.md";
const LOAD_BALANCERS_RUNBOOK = "docs/runbooks/load-balancers.md";
const HOURS_25 = 25 * 3600;

/** The runbook paths the alerts link, relative to the repository root. */
export const RUNBOOK_PATHS = [RESTORE_RUNBOOK, KARPENTER_RUNBOOK, SECRETS_RUNBOOK, NODES_RUNBOOK, VULNERABILITIES_RUNBOOK, LOAD_BALANCERS_RUNBOOK];

/** `runbookBaseUrl` (addons.monitoring.runbookBaseUrl, ending in /) makes every runbook_url a link that works from Slack or PagerDuty. */
export function platformAlertGroups(runbookBaseUrl: string): RuleGroup[] {
    const runbook = (path: string) => `${runbookBaseUrl}${path}`;
    return [
        {
            name: "platform.velero",
            rules: [
                {
                    alert: "VeleroNoSuccessfulBackupIn25h",
                    expr: `(time() - max by (schedule) (velero_backup_last_successful_timestamp{schedule!=""}) > ${HOURS_25}) or absent(velero_backup_last_successful_timestamp{schedule!=""})`,
                    for: "15m",
                    labels: { severity: "critical", team: "platform" },
                    annotations: {
                        summary: "No successful Velero backup in the last 25 hours",
                        description: "Schedule {{ $labels.schedule }} has not completed a backup for more than 25h: a restore would lose more than a day.",
                        runbook_url: runbook(RESTORE_RUNBOOK),
                    },
                },
                {
                    alert: "VeleroBackupFailed",
                    expr: `sum by (schedule) (increase(velero_backup_failure_total{schedule!=""}[1h])) > 0`,
                    for: "5m",
                    labels: { severity: "critical", team: "platform" },
                    annotations: {
                        summary: "A Velero backup failed",
                        description: "Schedule {{ $labels.schedule }} had {{ $value }} failed backups in the last hour. Check `velero backup logs`.",
                        runbook_url: runbook(RESTORE_RUNBOOK),
                    },
                },
                {
                    alert: "VeleroBackupPartiallyFailed",
                    expr: `sum by (schedule) (increase(velero_backup_partial_failure_total{schedule!=""}[1h])) > 0`,
                    for: "5m",
                    labels: { severity: "warning", team: "platform" },
                    annotations: {
                        summary: "A Velero backup partially failed",
                        description: "Schedule {{ $labels.schedule }} produced a partially failed backup: some items or volumes are missing from it.",
                        runbook_url: runbook(RESTORE_RUNBOOK),
                    },
                },
            ],
        },
        {
            name: "platform.karpenter",
            rules: [
                {
                    alert: "KarpenterCloudProviderErrors",
                    expr: `sum by (controller, method, error) (increase(karpenter_cloudprovider_errors_total{error!="NodeClaimNotFoundError"}[10m])) > 0`,
                    for: "15m",
                    labels: { severity: "critical", team: "platform" },
                    annotations: {
                        summary: "Karpenter keeps failing to call EC2",
                        description: "{{ $labels.method }} ({{ $labels.controller }}) returns {{ $labels.error }}: nodes may not launch (IAM, capacity or throttling).",
                        runbook_url: runbook(KARPENTER_RUNBOOK),
                    },
                },
                {
                    alert: "KarpenterReconcileErrors",
                    expr: `sum by (controller) (rate(controller_runtime_reconcile_errors_total{namespace="${PLATFORM_NAMESPACES.karpenter}"}[5m])) > 0`,
                    for: "15m",
                    labels: { severity: "critical", team: "platform" },
                    annotations: {
                        summary: "Karpenter controllers are erroring",
                        description: "Karpenter's {{ $labels.controller }} controller has failed reconciles for 15 minutes.",
                        runbook_url: runbook(KARPENTER_RUNBOOK),
                    },
                },
                {
                    alert: "KarpenterInterruptionBacklog",
                    expr: `histogram_quantile(0.99, sum by (le) (rate(karpenter_interruption_message_queue_duration_seconds_bucket[10m]))) > 60 or (sum(increase(karpenter_interruption_received_messages_total[15m])) - sum(increase(karpenter_interruption_deleted_messages_total[15m]))) > 0`,
                    for: "10m",
                    labels: { severity: "critical", team: "platform" },
                    annotations: {
                        summary: "Karpenter is not keeping up with interruption messages",
                        description: "Interruption messages wait more than a minute, or are received but not deleted: spot reclaims may kill pods without a drain.",
                        runbook_url: runbook(KARPENTER_RUNBOOK),
                    },
                },
            ],
        },
        {
            name: "platform.external-secrets",
            rules: [
                {
                    alert: "ExternalSecretNotSynced",
                    expr: `max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"}) == 1`,
                    for: "10m",
                    labels: { severity: "critical", team: "platform" },
                    annotations: {
                        summary: "An ExternalSecret is not in sync",
                        description: "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} is not Ready: its Kubernetes Secret is stale or missing.",
                        runbook_url: runbook(SECRETS_RUNBOOK),
                    },
                },
                {
                    alert: "ExternalSecretSyncErrors",
                    expr: `sum by (namespace, name) (increase(externalsecret_sync_calls_error[15m])) > 0`,
                    for: "15m",
                    labels: { severity: "warning", team: "platform" },
                    annotations: {
                        summary: "External Secrets sync calls are failing",
                        description: "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} fails to read from AWS Secrets Manager.",
                        runbook_url: runbook(SECRETS_RUNBOOK),
                    },
                },
            ],
        },
        {
            name: "platform.nodes",
            rules: [
                {
                    alert: "PlatformNodeNotReady",
                    expr: `kube_node_status_condition{condition="Ready", status="true"} == 0`,
                    for: "10m",
                    labels: { severity: "critical", team: "platform" },
                    annotations: {
                        summary: "A node is not Ready",
                        description: "Node {{ $labels.node }} has not been Ready for 10 minutes.",
                        runbook_url: runbook(NODES_RUNBOOK),
                    },
                },
            ],
        },
        {
            name: "platform.load-balancers",
            rules: [
                {
                    alert: "AwsLoadBalancerControllerDown",
                    expr: `absent(up{job="aws-load-balancer-controller", namespace="${PLATFORM_NAMESPACES.awsLoadBalancerController}"} == 1)`,
                    for: "10m",
                    labels: { severity: "critical", team: "platform" },
                    annotations: {
                        summary: "The AWS Load Balancer Controller is down",
                        description:
                            "No controller pod has answered a scrape for 10 minutes: load balancers are no longer reconciled, new pods are not registered as targets, and tenants cannot create LoadBalancer Services or Ingresses (its webhooks fail closed).",
                        runbook_url: runbook(LOAD_BALANCERS_RUNBOOK),
                    },
                },
                {
                    alert: "AwsLoadBalancerControllerReconcileErrors",
                    expr: `sum by (controller) (rate(controller_runtime_reconcile_errors_total{namespace="${PLATFORM_NAMESPACES.awsLoadBalancerController}"}[5m])) > 0`,
                    for: "15m",
                    labels: { severity: "warning", team: "platform" },
                    annotations: {
                        summary: "The AWS Load Balancer Controller keeps failing to reconcile",
                        description:
                            "Its {{ $labels.controller }} controller has failed reconciles for 15 minutes: an Ingress, Service or TargetGroupBinding does not get the load balancer or targets it asks for (AWS permissions, subnets, certificate, or a refused internet-facing class).",
                        runbook_url: runbook(LOAD_BALANCERS_RUNBOOK),
                    },
                },
            ],
        },
        {
            name: "platform.trivy",
            rules: [
                {
                    alert: "CriticalVulnerabilitiesInRunningWorkloads",
                    expr: `sum by (namespace, resource_kind, resource_name, image_repository, image_tag) (trivy_image_vulnerabilities{severity="Critical"}) > 0`,
                    for: "1h",
                    labels: { severity: "critical", team: "security" },
                    annotations: {
                        summary: "A running workload has critical vulnerabilities",
                        description: "{{ $labels.namespace }}/{{ $labels.resource_kind }}/{{ $labels.resource_name }} runs {{ $labels.image_repository }}:{{ $labels.image_tag }} with {{ $value }} critical CVEs.",
                        runbook_url: runbook(VULNERABILITIES_RUNBOOK),
                    },
                },
            ],
        },
    ];
}

/** The custom resource as applied (validated against the pinned CRD in tests). */
export function platformAlertsRule(namespace: string, runbookBaseUrl: string): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: { groups: RuleGroup[] } } {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "platform-alerts", namespace, labels: { "app.kubernetes.io/part-of": "eks-platform" } },
        spec: { groups: platformAlertGroups(runbookBaseUrl) },
    };
}
