/**
 * kube-prometheus-stack: values against the pinned chart and its subcharts, custom resources
 * against the pinned CRDs, the paging rules the platform needs, Pod Security of the two
 * namespaces, and a Grafana password that never appears in plain text.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
    ALERTMANAGER_CONFIG_SECRET,
    type AlertmanagerConfigSource,
    ALERTMANAGER_SERVICE,
    GRAFANA_ADMIN_SECRET,
    Monitoring,
    PROMETHEUS_OPERATOR_VERSION,
    PROMETHEUS_SERVICE,
    podMonitor,
} from "../components/monitoring";
import { platformAlertGroups, platformAlertsRule } from "../components/monitoring.rules";
import { EXTERNAL_SECRETS_METRICS } from "../components/externalSecrets";
import { KARPENTER_METRICS } from "../components/karpenter";
import { PrometheusOperatorCrds } from "../components/prometheusOperatorCrds";
import { TRIVY_METRICS } from "../components/trivyOperator";
import { VELERO_METRICS } from "../components/velero";
import { CHARTS } from "../components/shared/helm";
import { monitoringSchema, type MonitoringConfig } from "../config/addons";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import { fakeClusterContext } from "./fixtures/cluster";
import { helmValues as values, runComponent, type Recorded, type RecordedResource } from "./harness";
import { crdErrors, type CustomResource } from "./support/crdSchema";
import { unknownValuePaths } from "./support/helmValues";
import { chartDefaults, chartDir, upstreamAvailable, upstreamPins } from "./support/upstream";

const CHART = "kube-prometheus-stack";
const VERSION = CHARTS.kubePrometheusStack.version;
const SUBCHARTS = { "kube-state-metrics": "kube-state-metrics-8.4.0", "prometheus-node-exporter": "prometheus-node-exporter-4.56.1" } as const;

/**
 * Rendered whole with toYaml (pod/container security contexts): the defaults in values.yaml are
 * one example, not the list of accepted fields.
 */
const FREE_FORM = [
    "prometheusOperator.containerSecurityContext",
    "prometheusOperator.admissionWebhooks.patch.securityContext",
    "prometheusOperator.admissionWebhooks.createSecretJob.securityContext",
    "prometheusOperator.admissionWebhooks.patchWebhookJob.securityContext",
];
/** The same, inside the subcharts (paths relative to the subchart). */
const SUBCHART_FREE_FORM: Record<keyof typeof SUBCHARTS, string[]> = {
    "kube-state-metrics": [],
    "prometheus-node-exporter": ["securityContext", "containerSecurityContext"],
};

/**
 * Keys of the Grafana subchart (grafana 12.11.1, grafana-community/helm-charts
 * charts/grafana/values.yaml) that the parent's `grafana:` block does not repeat. The pinned
 * data holds only the parent block, so these few are listed here by hand.
 */
const GRAFANA_SUBCHART_PATHS = [
    "nodeSelector",
    "tolerations",
    "resources",
    "securityContext",
    "containerSecurityContext",
    "extraEmptyDirMounts",
    "initChownData",
    "testFramework",
    "sidecar.resources",
    "sidecar.securityContext",
];

async function build(overrides: { config?: Partial<MonitoringConfig>; prod?: boolean; alertmanagerConfig?: AlertmanagerConfigSource } = {}): Promise<Recorded> {
    const { recorded } = await runComponent(() => {
        const cluster = fakeClusterContext({ highAvailability: overrides.prod ?? false, protectStateful: overrides.prod ?? false });
        return new Monitoring("monitoring", {
            cluster,
            config: { ...monitoringSchema.parse({}), ...overrides.config },
            tenants: [{ name: "payments", owners: ["team-payments"], quota: "small", allowIngressFrom: [], metricsPorts: [8080, 9090], internetFacing: false, expose: [] }],
            scrapeTargets: [VELERO_METRICS, TRIVY_METRICS, KARPENTER_METRICS, EXTERNAL_SECRETS_METRICS],
            crds: new PrometheusOperatorCrds("prometheus-operator-crds", { cluster }),
            podTargets: [{ name: "example", namespace: "example-addon", podLabels: { "app.kubernetes.io/name": "example" }, port: 9102 }],
            alertmanagerConfig: overrides.alertmanagerConfig,
        });
    });
    return recorded;
}


function omit(tree: Record<string, any>, path: string): Record<string, any> {
    const [head, ...rest] = path.split(".");
    if (!(head in tree)) return tree;
    const copy = { ...tree };
    if (rest.length === 0) delete copy[head];
    else copy[head] = omit(copy[head], rest.join("."));
    return copy;
}

/** Parent keys against the parent values.yaml; subchart keys against the subcharts' own defaults. */
function valueProblems(v: Record<string, any>): string[] {
    let parent = v;
    for (const sub of Object.keys(SUBCHARTS)) parent = omit(parent, sub);
    let grafana = v.grafana ?? {};
    for (const path of GRAFANA_SUBCHART_PATHS) grafana = omit(grafana, path);
    parent = { ...parent, grafana };
    const problems = unknownValuePaths(parent, chartDefaults(CHART, VERSION), FREE_FORM).map((p) => p.path);
    for (const [key, dir] of Object.entries(SUBCHARTS)) {
        const freeForm = SUBCHART_FREE_FORM[key as keyof typeof SUBCHARTS];
        problems.push(...unknownValuePaths(v[key] ?? {}, chartDefaults(CHART, VERSION, dir), freeForm).map((p) => `${key}.${p.path}`));
    }
    return problems;
}

let recorded: Recorded;
let release: RecordedResource;
beforeAll(async () => {
    recorded = await build();
    release = recorded.one("kubernetes:helm.sh/v3:Release", "kube-prometheus-stack");
});

describe.skipIf(!upstreamAvailable)("Helm values against the pinned chart kube-prometheus-stack 88.5.3", () => {
    it("is the pinned chart, and the CRDs come from the operator release it deploys", () => {
        expect(upstreamPins()[CHART]).toBe(VERSION);
        const appVersion = /appVersion:\s*"?(v[\d.]+)/.exec(readFileSync(join(chartDir(CHART, VERSION), "Chart.yaml"), "utf8"))?.[1];
        expect(PROMETHEUS_OPERATOR_VERSION).toBe(appVersion);
    });

    it("sets only keys of the chart and of its node-exporter and kube-state-metrics subcharts", () => {
        expect(valueProblems(values(release))).toEqual([]);
    });

    it("the checker catches typos in the parent and in a subchart", () => {
        const v = values(release);
        const typo = {
            ...v,
            kubeEtcdd: { enabled: false },
            prometheus: { ...v.prometheus, prometheusSpec: { ...v.prometheus.prometheusSpec, retentionn: "1d" } },
            "prometheus-node-exporter": { ...v["prometheus-node-exporter"], namespaceOveride: "x" },
            grafana: { ...v.grafana, admin: { ...v.grafana.admin, existingSecrett: "x" } },
        };
        expect(valueProblems(typo).sort()).toEqual(["grafana.admin.existingSecrett", "kubeEtcdd", "prometheus-node-exporter.namespaceOveride", "prometheus.prometheusSpec.retentionn"]);
    });

    it("the platform PrometheusRule and PodMonitors validate against the pinned CRDs (strictly)", () => {
        const rule = recorded.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs as unknown as CustomResource;
        expect(crdErrors(CHART, VERSION, rule)).toEqual([]);
        for (const pm of recorded.ofType("kubernetes:monitoring.coreos.com/v1:PodMonitor")) expect(crdErrors(CHART, VERSION, pm.inputs as unknown as CustomResource)).toEqual([]);
        const bad = platformAlertsRule("monitoring", BASE) as unknown as CustomResource & { spec: { groups: any[] } };
        bad.spec.groups[0].rules[0] = { ...bad.spec.groups[0].rules[0], expression: "up" };
        expect(crdErrors(CHART, VERSION, bad).join("\n")).toMatch(/expression/);
        // The CRD's RE2 pattern `^(?i)(abort|warn)?$` is evaluated case-insensitively, and still bites.
        const badStrategy = platformAlertsRule("monitoring", BASE) as unknown as CustomResource & { spec: { groups: any[] } };
        badStrategy.spec.groups[0].partial_response_strategy = "ignore";
        expect(crdErrors(CHART, VERSION, badStrategy).join("\n")).toMatch(/pattern/);
        badStrategy.spec.groups[0].partial_response_strategy = "WARN";
        expect(crdErrors(CHART, VERSION, badStrategy)).toEqual([]);
        const badMonitor = podMonitor("monitoring", { name: "x", namespace: "y", podLabels: { a: "b" }, port: 1 }) as unknown as CustomResource & { spec: any };
        badMonitor.spec.podMetricsEndpoints[0].portNumbr = 1;
        expect(crdErrors(CHART, VERSION, badMonitor).join("\n")).toMatch(/portNumbr/);
    });
});


const BASE = "https://github.com/acme/eks-platform/blob/main/";

describe("platform alerts", () => {
    const rules = () => platformAlertGroups(BASE).flatMap((g) => g.rules);
    const expr = (name: string) => rules().find((r) => r.alert === name)?.expr ?? "";

    it("pages on everything the platform needs, with the pinned releases' metric names", () => {
        const required: Record<string, RegExp> = {
            VeleroNoSuccessfulBackupIn25h: /velero_backup_last_successful_timestamp[\s\S]*> 90000/,
            VeleroBackupFailed: /velero_backup_failure_total/,
            KarpenterCloudProviderErrors: /karpenter_cloudprovider_errors_total/,
            KarpenterReconcileErrors: /controller_runtime_reconcile_errors_total\{namespace="karpenter"\}/,
            KarpenterInterruptionBacklog: /karpenter_interruption_message_queue_duration_seconds_bucket[\s\S]*karpenter_interruption_received_messages_total[\s\S]*karpenter_interruption_deleted_messages_total/,
            ExternalSecretNotSynced: /externalsecret_status_condition\{condition="Ready", status="False"\}/,
            PlatformNodeNotReady: /kube_node_status_condition\{condition="Ready", status="true"\} == 0/,
            CriticalVulnerabilitiesInRunningWorkloads: /trivy_image_vulnerabilities\{severity="Critical"\}/,
        };
        for (const [alert, pattern] of Object.entries(required)) expect(expr(alert), alert).toMatch(pattern);
        for (const alert of Object.keys(required)) expect(rules().find((r) => r.alert === alert)!.labels.severity, alert).toBe("critical");
    });

    it("the rule is registered in the monitoring namespace after the CRDs", () => {
        const rule = recorded.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        expect((rule.inputs.metadata as any).namespace).toBe("monitoring");
        expect(recorded.dependsOn(rule, recorded.one("kubernetes:helm.sh/v3:Release", "monitoring-prometheus-crds"))).toBe(true);
    });
});

describe("kube-prometheus-stack", () => {
    it("installs the Prometheus CRDs from the pinned CRD chart of operator v0.93.1; kube-prometheus-stack installs none", () => {
        const crds = recorded.one("kubernetes:helm.sh/v3:Release", "monitoring-prometheus-crds");
        expect(crds.inputs).toMatchObject({ chart: "prometheus-operator-crds", version: "31.0.1", repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" } });
        expect(crds.inputs.skipCrds).toBe(false);
        expect(values(release).crds.enabled).toBe(false);
        expect(release.inputs.skipCrds).toBe(true);
        expect(recorded.dependsOn(release, crds)).toBe(true);
    });

    it("turns off the control-plane scrapers that have nothing to scrape on EKS", () => {
        const v = values(release);
        for (const key of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) expect(v[key], key).toEqual({ enabled: false });
        expect(v.defaultRules.rules).toMatchObject({ etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeProxy: false });
    });

    it("keeps Prometheus and Alertmanager on encrypted volumes, with retention from config", async () => {
        const v = values(release);
        const claim = v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec;
        expect(claim).toMatchObject({ storageClassName: "gp3-encrypted", resources: { requests: { storage: "50Gi" } } });
        expect(v.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec).toMatchObject({ storageClassName: "gp3-encrypted", resources: { requests: { storage: "5Gi" } } });
        expect(v.prometheus.prometheusSpec.retention).toBe("15d");
        const custom = values((await build({ config: { prometheusRetention: "30d", prometheusStorageGiB: 200 } })).one("kubernetes:helm.sh/v3:Release", "kube-prometheus-stack"));
        expect(custom.prometheus.prometheusSpec.retention).toBe("30d");
        expect(custom.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("200Gi");
    });

    it("in prod two replicas with disruption budgets; in dev one and none", async () => {
        const dev = values(release);
        expect([dev.prometheus.prometheusSpec.replicas, dev.alertmanager.alertmanagerSpec.replicas]).toEqual([1, 1]);
        expect([dev.prometheus.podDisruptionBudget.enabled, dev.alertmanager.podDisruptionBudget.enabled]).toEqual([false, false]);
        const prod = values((await build({ prod: true })).one("kubernetes:helm.sh/v3:Release", "kube-prometheus-stack"));
        expect([prod.prometheus.prometheusSpec.replicas, prod.alertmanager.alertmanagerSpec.replicas]).toEqual([2, 2]);
        expect([prod.prometheus.podDisruptionBudget.enabled, prod.alertmanager.podDisruptionBudget.enabled]).toEqual([true, true]);
    });

    it("places every restricted pod on system nodes with requests and limits (hook jobs included)", () => {
        const v = values(release);
        const pods: Record<string, any> = {
            prometheusOperator: v.prometheusOperator,
            admissionWebhookJobs: v.prometheusOperator.admissionWebhooks.patch,
            prometheus: v.prometheus.prometheusSpec,
            alertmanager: v.alertmanager.alertmanagerSpec,
            grafana: v.grafana,
            kubeStateMetrics: v["kube-state-metrics"],
        };
        for (const [name, pod] of Object.entries(pods)) {
            expect(pod.nodeSelector, name).toEqual({ ["platform.eks.aws/node-role"]: "system" });
            expect(pod.tolerations?.length, name).toBeGreaterThan(0);
            expect(pod.resources?.limits, name).toBeDefined();
            expect(pod.resources?.requests, name).toBeDefined();
        }
        for (const sc of [v.prometheusOperator.securityContext, v.prometheus.prometheusSpec.securityContext, v.alertmanager.alertmanagerSpec.securityContext, v.grafana.securityContext, v.prometheusOperator.admissionWebhooks.patch.securityContext]) {
            expect(sc).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        }
        // Grafana's root init container and its unrestricted test pod are off.
        expect(v.grafana.initChownData.enabled).toBe(false);
        expect(v.grafana.testFramework.enabled).toBe(false);
        expect(v["prometheus-node-exporter"].resources.limits).toBeDefined();
    });

    it("moves node-exporter to its own privileged namespace with the reason written; monitoring stays restricted", () => {
        expect(values(release)["prometheus-node-exporter"].namespaceOverride).toBe("monitoring-host");
        const byName = (name: string) => recorded.ofType("kubernetes:core/v1:Namespace").find((n) => (n.inputs.metadata as any).name === name)!.inputs.metadata as any;
        const host = byName(PLATFORM_NAMESPACES.nodeExporter);
        expect(host.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
        expect(host.annotations["platform.eks.aws/pod-security-exception"]).toMatch(/hostNetwork/);
        const monitoring = byName(PLATFORM_NAMESPACES.monitoring);
        expect(monitoring.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        expect(monitoring.annotations?.["platform.eks.aws/pod-security-exception"]).toBeUndefined();
        // Both get a quota and a LimitRange; Prometheus's 4Gi limit fits under the max.
        expect(recorded.ofType("kubernetes:core/v1:ResourceQuota")).toHaveLength(2);
        const ranges = recorded.ofType("kubernetes:core/v1:LimitRange").map((r) => (r.inputs as any).spec.limits[0].max.memory);
        expect(ranges).toContain("8Gi");
    });

    it("lets Prometheus reach the add-ons and tenants it scrapes, and nothing else by name", () => {
        const egress = recorded
            .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .filter((p) => (p.inputs.metadata as any).namespace === PLATFORM_NAMESPACES.monitoring)
            .map((p) => (p.inputs.metadata as any).name as string);
        for (const name of ["allow-scrape-velero", "allow-scrape-trivy", "allow-scrape-karpenter", "allow-scrape-external-secrets", "allow-scrape-tenant-payments", "allow-scrape-example", "allow-webhook-from-control-plane"]) expect(egress).toContain(name);
    });

    it("outputs names, never the password", () => {
        expect([PROMETHEUS_SERVICE, ALERTMANAGER_SERVICE]).toEqual(["kube-prometheus-stack-prometheus", "kube-prometheus-stack-alertmanager"]);
    });
});

describe("Grafana admin credentials", () => {
    // What the plan mocks hand back as the RandomPassword's result (plan/mocks.ts).
    const generated = `pw-${createHash("sha256").update("random:index/randomPassword:RandomPassword::monitoring-grafana-admin").digest("hex").slice(0, 24)}`;

    it("come from a Secret the chart references, not from values", () => {
        const secret = recorded.one("kubernetes:core/v1:Secret");
        expect((secret.inputs.metadata as any).name).toBe(GRAFANA_ADMIN_SECRET);
        expect(values(release).grafana.admin).toEqual({ existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" });
        expect(JSON.stringify(values(release))).not.toMatch(/adminPassword/);
        expect(recorded.dependsOn(release, secret)).toBe(true);
    });

    it("the generated password is recorded only as a secret, never in plain text", () => {
        const secret = recorded.one("kubernetes:core/v1:Secret");
        // It does reach the Secret (so this test can fail)...
        expect(JSON.stringify(secret.props)).toContain(generated);
        // ...but every printable input shows it as a secret.
        expect(JSON.stringify(secret.inputs.stringData)).toContain("[secret]");
        for (const r of recorded.resources) expect(JSON.stringify(r.inputs), r.urn).not.toContain(generated);
    });

    it("no Grafana, no password", async () => {
        const without = await build({ config: { grafanaEnabled: false } });
        expect(without.ofType("random:index/randomPassword:RandomPassword")).toEqual([]);
        expect(values(without.one("kubernetes:helm.sh/v3:Release", "kube-prometheus-stack")).grafana.enabled).toBe(false);
    });
});

describe("every paging alert has a runbook", () => {
    const alerts = platformAlertGroups(BASE).flatMap((g) => g.rules);
    /** The repository path a runbook_url points at, under the base URL. */
    const runbookPath = (url: string) => {
        expect(url.startsWith(BASE), url).toBe(true);
        return url.slice(BASE.length);
    };

    it.each(alerts)("$alert links a runbook that exists and covers it", (rule) => {
        const file = join(__dirname, "..", runbookPath(rule.annotations.runbook_url));
        expect(existsSync(file), rule.annotations.runbook_url).toBe(true);
        expect(readFileSync(file, "utf8")).toContain(rule.alert);
    });

    it("runbook links are absolute URLs under addons.monitoring.runbookBaseUrl, by default the repository's (package.json)", async () => {
        const recorded = await build();
        const rule = recorded.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs as any;
        const urls: string[] = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.annotations.runbook_url));
        expect(urls).toContain("https://github.com/acme/eks-platform/blob/main/docs/runbooks/vulnerabilities.md");
        const moved = await build({ config: { runbookBaseUrl: "https://runbooks.example.com/platform/" } });
        const movedRule = moved.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs as any;
        expect(movedRule.spec.groups[0].rules[0].annotations.runbook_url).toBe("https://runbooks.example.com/platform/docs/runbooks/restore.md");
    });

    it("docs/runbooks/on-call.md lists, for every alert, the runbook the alert links", () => {
        const onCall = readFileSync(join(__dirname, "..", "docs", "runbooks", "on-call.md"), "utf8");
        const rows = onCall.split("\n").filter((line) => /^\| `[A-Z]/.test(line));
        const listed = new Map<string, string[]>();
        for (const row of rows) {
            const [alertCell, runbookCell] = row.split("|").slice(1, 3);
            const links = [...runbookCell.matchAll(/\]\(([^)]+\.md)\)/g)].map((m) => `docs/runbooks/${m[1]}`);
            for (const alert of alertCell.matchAll(/`(\w+)`/g)) listed.set(alert[1], links);
        }
        expect([...listed.keys()].sort()).toEqual(alerts.map((a) => a.alert).sort());
        for (const alert of alerts) expect(listed.get(alert.alert), alert.alert).toContain(runbookPath(alert.annotations.runbook_url));
    });
});

describe("Alertmanager receivers come from Secrets Manager, never from values", () => {
    const source: AlertmanagerConfigSource = { storeName: "aws-secrets-manager", secretName: "prod/apps/alertmanager", dependsOn: [] };

    it.skipIf(!upstreamAvailable)("syncs alertmanager.yaml with an ExternalSecret the pinned CRD accepts, into the Secret the operator reads", async () => {
        const recorded = await build({ prod: true, alertmanagerConfig: source });
        const external = recorded.one("kubernetes:external-secrets.io/v1:ExternalSecret");
        expect(crdErrors("external-secrets", upstreamPins()["external-secrets"], external.inputs as CustomResource)).toEqual([]);
        const spec = external.inputs.spec as any;
        expect(spec.target.name).toBe(ALERTMANAGER_CONFIG_SECRET);
        expect(ALERTMANAGER_CONFIG_SECRET).toBe("alertmanager-kube-prometheus-stack-alertmanager");
        expect(spec.data).toEqual([{ secretKey: "alertmanager.yaml", remoteRef: { key: "prod/apps/alertmanager" } }]);
        const v = values(recorded.one("kubernetes:helm.sh/v3:Release", "kube-prometheus-stack"));
        expect(v.alertmanager.alertmanagerSpec.useExistingSecret).toBe(true);
        expect(valueProblems(v)).toEqual([]);
        // The operator waits for the Secret itself; the release must not wait for External Secrets.
        expect(recorded.dependsOn(recorded.one("kubernetes:helm.sh/v3:Release", "kube-prometheus-stack"), external)).toBe(false);
    });

    it("without a configured source the chart keeps rendering its own config", async () => {
        const recorded = await build();
        expect(recorded.ofType("kubernetes:external-secrets.io/v1:ExternalSecret")).toEqual([]);
        expect(values(recorded.one("kubernetes:helm.sh/v3:Release", "kube-prometheus-stack")).alertmanager.alertmanagerSpec.useExistingSecret).toBeUndefined();
    });
});

describe("certificate expiry is watched", () => {
    it("keeps the chart's kubernetes-system rules (KubeClientCertificateExpiration) on", async () => {
        const v = values((await build()).one("kubernetes:helm.sh/v3:Release", "kube-prometheus-stack"));
        expect(v.defaultRules.create).toBe(true);
        expect(v.defaultRules.rules.kubernetesSystem).not.toBe(false);
        expect(v.defaultRules.rules.kubernetesApps).not.toBe(false);
    });
});
