// The render step runs a real Helm on charts these tests write: namespace defaulting, hooks,
// CRDs and skipCrds, API versions from the plan, the cluster's version, a noncompliant pod, a
// cluster-admin binding, a precise exemption, and Pod Security admission at the namespace's level.
import { execFileSync } from "node:child_process";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { evaluatePolicies, type PolicyPackConfig, type ResourceUnderTest } from "../policy/engine";
import type { HelmBinary } from "../plan/helm/binary";
import { renderFailures, renderHelmReleases, type HelmRenderReport } from "../plan/helm/index";
import { chartsDir, COMPLIANT_CONTAINER, deploymentTemplate, helmForTests, platformChartMirror, writeChart } from "./support/charts";
import { ROOT, runScript, runScriptAsync } from "./support/cli";

let helm: HelmBinary | undefined;
beforeAll(async () => {
    helm = await helmForTests();
});

const RELEASE_URN = "urn:pulumi:test::platform::platform:index:Demo$kubernetes:helm.sh/v3:Release::demo";

function release(name: string, namespace: string, extra: Record<string, unknown> = {}, urn = RELEASE_URN.replace(/::demo$/, `::${name}`)): ResourceUnderTest {
    return { urn, type: "kubernetes:helm.sh/v3:Release", name, props: { name, chart: name, version: "1.2.3", namespace, values: {}, skipCrds: false, ...extra } };
}

function namespace(name: string, level: string): ResourceUnderTest {
    return {
        urn: `urn:pulumi:test::platform::kubernetes:core/v1:Namespace::${name}`,
        type: "kubernetes:core/v1:Namespace",
        name,
        props: { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level } } },
    };
}

/** The plan uses a PrometheusRule: monitoring.coreos.com/v1 exists where it deploys. */
const prometheusRule: ResourceUnderTest = {
    urn: "urn:pulumi:test::platform::kubernetes:monitoring.coreos.com/v1:PrometheusRule::alerts",
    type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    name: "alerts",
    props: { metadata: { name: "alerts", namespace: "apps" }, spec: { groups: [] } },
};

const DEMO_TEMPLATES: Record<string, string> = {
    "templates/web.yaml": deploymentTemplate("web"),
    "templates/bad.yaml": deploymentTemplate(
        "bad",
        `
        - name: app
          image: public.ecr.aws/example/app:1.0.0
          securityContext: {privileged: {{ .Values.privileged }}}`,
        `
      volumes: [{name: host, hostPath: {path: /var/run}}]`,
    ),
    "templates/hook.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {"helm.sh/hook": pre-install, "helm.sh/hook-delete-policy": hook-succeeded}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: public.ecr.aws/example/migrate:1.0.0
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: {drop: [ALL]}}
          resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}
`,
    "templates/binding.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: demo-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: demo, namespace: {{ .Release.Namespace }}}]
`,
    "templates/settings.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  EXPOSED_SECRET_SCANNER_ENABLED: "true"
`,
    "templates/monitor.yaml": `{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web}
spec: {selector: {matchLabels: {app: web}}, endpoints: [{port: http}]}
{{- end }}
`,
    "crds/widgets.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.demo.example.com}
spec:
  group: demo.example.com
  scope: Cluster
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
`,
    "templates/widget.yaml": `{{- if .Capabilities.APIVersions.Has "demo.example.com/v1/Widget" }}
apiVersion: demo.example.com/v1
kind: Widget
metadata: {name: default-widget}
spec: {size: 3}
{{- end }}
`,
    "templates/version-guard.yaml": `{{- if semverCompare "<1.33-0" .Capabilities.KubeVersion.Version }}
{{- fail "demo needs Kubernetes 1.33 or later" }}
{{- end }}
`,
};

const HOST_TEMPLATES: Record<string, string> = {
    "templates/agent.yaml": deploymentTemplate("agent", undefined, "\n      hostNetwork: true").replace("kind: Deployment", "kind: DaemonSet").replace("  replicas: 1\n", ""),
    "templates/agent-deployment.yaml": deploymentTemplate("agent", undefined, "\n      hostNetwork: true"),
};

let dir: string;
beforeAll(() => {
    dir = chartsDir();
    writeChart(dir, "demo", "1.2.3", DEMO_TEMPLATES);
    writeChart(dir, "host", "1.2.3", HOST_TEMPLATES);
});

async function render(resources: ResourceUnderTest[], options: { policyConfig?: PolicyPackConfig; kubernetesVersion?: string } = {}): Promise<HelmRenderReport> {
    const policyConfig = options.policyConfig ?? {};
    return renderHelmReleases(resources, {
        chartsDir: dir,
        kubernetesVersion: options.kubernetesVersion ?? "1.33",
        policyConfig,
        planPolicy: evaluatePolicies(resources, policyConfig),
        helm: helm as HelmBinary,
    });
}

const findings = (report: HelmRenderReport, policy: string) =>
    report.policy.violations.filter((v) => v.policy === policy).map((v) => `${v.release} ${v.object}: ${v.message}`);

describe("helm template of every release, checked like the program's own resources", () => {
    let report: HelmRenderReport;
    beforeAll(async () => {
        if (helm) report = await render([namespace("apps", "restricted"), prometheusRule, release("demo", "apps", { values: { privileged: true } })]);
    });
    beforeEach((context) => {
        if (!helm) context.skip();
    });

    it("puts namespaced objects without a namespace in the release's, and leaves cluster-scoped ones (CRD scope included) without", () => {
        const where = Object.fromEntries(report.objects.map((o) => [`${o.kind}/${o.name}`, o.namespace]));
        expect(where).toMatchObject({
            "Deployment/web": "apps",
            "ConfigMap/settings": "apps",
            "ServiceMonitor/web": "apps",
            "ClusterRoleBinding/demo-admin": null,
            "CustomResourceDefinition/widgets.demo.example.com": null,
            "Widget/default-widget": null,
        });
        expect(findings(report, "k8s-no-default-namespace")).toEqual([]);
    });

    it("keeps hooks (a Release runs them) and checks them too, naming the template of each object", () => {
        const settings = report.objects.find((o) => o.name === "settings");
        expect(settings?.template).toBe("demo/templates/settings.yaml");
        const migrate = report.objects.find((o) => o.kind === "Job");
        expect(migrate).toMatchObject({ name: "migrate", namespace: "apps", hook: true });
        expect(report.releases).toEqual([expect.objectContaining({ release: "demo", chart: "demo", version: "1.2.3", namespace: "apps", hooks: 1 })]);
        expect(findings(report, "k8s-seccomp-profile").filter((f) => f.includes("migrate"))).toEqual(['demo Job apps/migrate: Job container "migrate" has no seccomp profile']);
    });

    it("catches the noncompliant pod (privileged through the release's values) and the cluster-admin binding, naming release and object", () => {
        expect(findings(report, "k8s-no-privileged-containers")).toEqual(['demo Deployment apps/bad: Deployment container "app" runs privileged']);
        expect(findings(report, "k8s-no-host-path-volumes")).toEqual(['demo Deployment apps/bad: Deployment mounts hostPath volume "host"']);
        expect(findings(report, "k8s-no-cluster-admin-binding")).toEqual(["demo ClusterRoleBinding demo-admin: binds the cluster-admin role"]);
        expect(report.policy.violations.every((v) => v.urn.startsWith("urn:pulumi:test::platform::platform:index:Demo$kubernetes:helm.sh/v3:Release$kubernetes:"))).toBe(true);
        expect(report.policy.violations.every((v) => v.urn.includes("::demo:"))).toBe(true);
        expect(renderFailures(report)).toBeGreaterThan(0);
    });

    it("does not take a true/false switch for a plaintext secret", () => {
        expect(findings(report, "k8s-no-plaintext-secrets")).toEqual([]);
    });

    it("gives Helm the APIs the plan uses and the CRDs the releases install (second pass)", () => {
        expect(report.apiVersions).toEqual(expect.arrayContaining(["monitoring.coreos.com/v1", "demo.example.com/v1", "demo.example.com/v1/Widget"]));
        expect(report.objects.map((o) => o.kind)).toEqual(expect.arrayContaining(["ServiceMonitor", "Widget"]));
    });

    it("with skipCrds the chart's CRDs are not installed, so neither is what needs their API", async () => {
        const skipped = await render([namespace("apps", "restricted"), release("demo", "apps", { skipCrds: true })]);
        const kinds = skipped.objects.map((o) => o.kind);
        expect(kinds).not.toContain("CustomResourceDefinition");
        expect(kinds).not.toContain("Widget");
        // No PrometheusRule in this plan: no monitoring API, no ServiceMonitor.
        expect(kinds).not.toContain("ServiceMonitor");
    });

    it("renders for the cluster's Kubernetes version: a chart that refuses it does not render, and that fails the step", async () => {
        const old = await render([namespace("apps", "restricted"), release("demo", "apps")], { kubernetesVersion: "1.32" });
        expect(old.kubeVersion).toBe("v1.32.0");
        expect(old.releases[0].error).toMatch(/demo needs Kubernetes 1.33 or later/);
        expect(renderFailures(old)).toBeGreaterThan(0);
    });

    it("predicts Pod Security admission at each namespace's enforced level", () => {
        const verdict = (name: string) => report.podSecurity.find((p) => p.urn.endsWith(`/${name}`));
        expect(verdict("web")).toMatchObject({ namespace: "apps", level: "restricted", verdict: "admitted" });
        expect(verdict("bad")).toMatchObject({ verdict: "rejected" });
        expect(verdict("bad")?.reasons.join("\n")).toMatch(/runs privileged/);
        expect(verdict("migrate")).toMatchObject({ verdict: "rejected" });
    });
});

describe("exemptions reach rendered objects, precisely", () => {
    beforeEach((context) => {
        if (!helm) context.skip();
    });

    const plan = () => [namespace("host-tools", "privileged"), release("host", "host-tools")];
    const exemptAgent: PolicyPackConfig = {
        "k8s-no-host-namespaces": { exemptObjects: [{ kind: "DaemonSet", namespace: "host-tools", name: "agent", reason: "reads the node's interfaces" }] },
    };

    it("without an exemption both host-network workloads are reported; admission in a privileged namespace admits them", async () => {
        const report = await render(plan());
        expect(findings(report, "k8s-no-host-namespaces").sort()).toEqual([
            "host DaemonSet host-tools/agent: DaemonSet sets hostNetwork: true",
            "host Deployment host-tools/agent: Deployment sets hostNetwork: true",
        ]);
        expect(report.podSecurity.map((p) => p.verdict)).toEqual(["admitted", "admitted"]);
    });

    it("an exemption naming kind, namespace and name covers that object and nothing beside it", async () => {
        const report = await render(plan(), { policyConfig: exemptAgent });
        expect(findings(report, "k8s-no-host-namespaces")).toEqual(["host Deployment host-tools/agent: Deployment sets hostNetwork: true"]);
    });

    it("admission judges at the namespace's level: the same pod in a baseline namespace is rejected, whatever the pack exempts", async () => {
        const report = await render([namespace("host-tools", "baseline"), release("host", "host-tools")], { policyConfig: exemptAgent });
        expect(report.podSecurity.map((p) => [p.level, p.verdict])).toEqual([
            ["baseline", "rejected"],
            ["baseline", "rejected"],
        ]);
        expect(report.podSecurity[0].reasons).toEqual(["k8s-no-host-namespaces: DaemonSet sets hostNetwork: true"]);
    });

    it("reads a chart archive as `helm pull` writes it", async () => {
        const archives = chartsDir();
        execFileSync((helm as HelmBinary).path, ["package", `${dir}/host-1.2.3`, "--destination", archives]);
        const report = await renderHelmReleases(plan(), { chartsDir: archives, kubernetesVersion: "1.33", policyConfig: {}, planPolicy: { violations: [], notEvaluated: [] }, helm: helm as HelmBinary });
        expect(report.objects.map((o) => `${o.kind}/${o.name}`).sort()).toEqual(["DaemonSet/agent", "Deployment/agent"]);
    });
});

describe("npm run plan -- --render: the plan's releases, its exit codes and its JSON contract", () => {
    const PLAN = "scripts/plan.ts";
    const PLAN_FIELDS = ["project", "stack", "resources", "outputs", "policy"];
    /** One small chart per release of the dev plan; Velero's runs a privileged pod. */
    function planCharts(skip?: string): string {
        const privileged = COMPLIANT_CONTAINER.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: true\n            privileged: true");
        return platformChartMirror((name) => (name === "velero" ? { "templates/app.yaml": deploymentTemplate("velero-bad", privileged) } : undefined), skip);
    }

    beforeEach((context) => {
        if (!helm) context.skip();
    });

    it("renders every release of the dev plan, reports the chart's noncompliant pod by release and object, exits 1, and only adds a `render` field", () => {
        const result = runScript(PLAN, ["--stack", "dev", "--json", "--render", "--charts", planCharts()], ROOT, { env: { PLATFORM_HELM: (helm as HelmBinary).path } });
        expect(result.stderr).toBe("");
        expect(result.status).toBe(1);
        const document = JSON.parse(result.stdout);
        expect(Object.keys(document)).toEqual([...PLAN_FIELDS, "render"]);
        expect(document.policy.violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory")).toEqual([]);
        const render = document.render as HelmRenderReport;
        expect(render.kubeVersion).toBe("v1.35.0");
        expect(render.releases.map((r) => `${r.release} ${r.version} ${r.namespace} ${r.objects}`)).toEqual([
            "monitoring-prometheus-crds 31.0.1 kube-system 1",
            "karpenter-crd 1.14.1 karpenter 1",
            "karpenter 1.14.1 karpenter 1",
            "aws-load-balancer-controller 3.5.0 aws-load-balancer-controller 1",
            "trivy-operator 0.34.0 trivy-system 1",
            "external-secrets 2.9.0 external-secrets 1",
            "velero 12.1.0 velero 1",
            "kube-prometheus-stack 88.5.3 monitoring 1",
        ]);
        const mandatory = render.policy.violations.filter((v) => v.enforcementLevel === "mandatory");
        expect(mandatory.map((v) => `${v.policy} ${v.release} ${v.object}: ${v.message}`)).toEqual([
            'k8s-no-privileged-containers velero Deployment velero/velero-bad: Deployment container "app" runs privileged',
        ]);
        expect(mandatory[0].urn).toBe("urn:pulumi:dev::eks-platform::platform:index:Velero$kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:Deployment::velero:velero/velero-bad");
        expect(render.podSecurity.filter((p) => p.verdict === "rejected").map((p) => p.urn)).toEqual([mandatory[0].urn]);
    });

    it("exits 2 with a message and nothing on stdout when a chart is not in --charts, Helm does not run, or --charts comes without --render", async () => {
        const [missing, noHelm, usage] = await Promise.all([
            runScriptAsync(PLAN, ["--stack", "dev", "--render", "--charts", planCharts("velero")], { PLATFORM_HELM: (helm as HelmBinary).path }),
            runScriptAsync(PLAN, ["--stack", "dev", "--render", "--charts", planCharts()], { PLATFORM_HELM: "/nonexistent/helm" }),
            runScriptAsync(PLAN, ["--stack", "dev", "--charts", "/tmp"]),
        ]);
        expect([missing.status, missing.stdout]).toEqual([2, ""]);
        expect(missing.stderr).toMatch(/plan: chart velero 12\.1\.0 \(release velero\) is not in .*: expected velero-12\.1\.0\.tgz or velero-12\.1\.0\//);
        expect([noHelm.status, noHelm.stdout, noHelm.stderr]).toEqual([2, "", "plan: PLATFORM_HELM=/nonexistent/helm: not a Helm binary that runs (`helm version` failed)\n"]);
        expect([usage.status, usage.stdout]).toEqual([2, ""]);
        expect(usage.stderr).toMatch(/--charts needs --render/);
    });
});
