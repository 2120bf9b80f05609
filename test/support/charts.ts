/**
 * Small Helm charts the render tests write themselves, and the Helm they run: a real Helm
 * (PLATFORM_HELM, PATH, or the one the npm package carries). Without one the render tests are
 * skipped with a visible message; under CI=true a missing Helm is a failure.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CHARTS } from "../../components/shared/helm";
import { findHelm, type HelmBinary } from "../../plan/helm/binary";

export async function helmForTests(): Promise<HelmBinary | undefined> {
    try {
        return await findHelm();
    } catch (error) {
        const message = `Helm not available: ${(error as Error).message}`;
        if (process.env.CI === "true") throw new Error(`${message}: required under CI=true`);
        console.warn(`SKIPPING the render-step tests: ${message}`);
        return undefined;
    }
}

/** Writes `<dir>/<name>-<version>/` with Chart.yaml and the given files (paths relative to the chart). */
export function writeChart(dir: string, name: string, version: string, files: Record<string, string>): string {
    const chart = join(dir, `${name}-${version}`);
    const all = { "Chart.yaml": `apiVersion: v2\nname: ${name}\nversion: ${version}\n`, "values.yaml": "{}\n", ...files };
    for (const [file, text] of Object.entries(all)) {
        mkdirSync(dirname(join(chart, file)), { recursive: true });
        writeFileSync(join(chart, file), text);
    }
    return chart;
}

export function chartsDir(): string {
    return mkdtempSync(join(tmpdir(), "render-charts-"));
}

/** A restricted-compliant container (the pack's own rules), for charts whose pods should pass. */
export const COMPLIANT_CONTAINER = `
        - name: app
          image: public.ecr.aws/example/app:1.0.0@sha256:${"a".repeat(64)}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities: {drop: [ALL]}
            seccompProfile: {type: RuntimeDefault}
          resources:
            requests: {cpu: 10m, memory: 16Mi}
            limits: {cpu: 100m, memory: 64Mi}`;

/** A Deployment template without a namespace (Helm puts it in the release's). */
export function deploymentTemplate(name: string, container = COMPLIANT_CONTAINER, podExtra = ""): string {
    return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      automountServiceAccountToken: false${podExtra}
      containers:${container}
`;
}

/**
 * A chart folder with one small chart per chart the platform installs, named and versioned as the
 * plan's releases ask (`<chart>-<version>/`), each with a compliant Deployment; `extra` adds or
 * replaces templates of a chart; `skip` leaves a chart out.
 */
export function platformChartMirror(extra: (chart: string) => Record<string, string> | undefined = () => undefined, skip?: string): string {
    const charts = chartsDir();
    for (const source of Object.values(CHARTS)) {
        const name = source.chart.split("/").pop() as string;
        if (name === skip) continue;
        writeChart(charts, name, source.version, { "templates/app.yaml": deploymentTemplate(`${name}-app`), ...extra(name) });
    }
    return charts;
}
