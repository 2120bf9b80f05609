/**
 * The render step: every Helm release of a plan rendered with its pinned chart and the
 * program's values, and every rendered object put through the same policy evaluation as the
 * program's own resources (namespace defaulted to the release's, the platform's exemptions
 * applied), plus the verdict Pod Security admission will give each pod at its namespace's level.
 */
import { availableParallelism } from "node:os";
import { evaluatePolicies, type PolicyPackConfig, type PolicyReport, type PolicyViolation, type NotEvaluated, type ResourceUnderTest } from "../../policy/engine";
import { isClusterScoped, parseKubernetesType, placedInNamespace, pulumiTypeOf } from "../../policy/lib/kubernetes";
import { findHelm, type HelmBinary } from "./binary";
import { operatorPods } from "./operatorPods";
import { enforcedLevels, predictAdmission, type AdmissionVerdict } from "./podSecurity";
import { releasesOf, type ReleaseSpec, type UnrenderableRelease } from "./releases";
import { HelmTemplateError, helmTemplate, type RenderedObject } from "./template";

export { HelmNotFoundError } from "./binary";
export { ChartNotFoundError } from "./releases";

export interface HelmRenderOptions {
    /** Charts pulled beforehand (`<chart>-<version>.tgz` or `<chart>-<version>/`); default: each release's repository. */
    chartsDir?: string;
    /** The cluster's Kubernetes minor, e.g. `1.33`. */
    kubernetesVersion: string;
    policyConfig: PolicyPackConfig;
    /** The plan's own report: findings already there are not repeated. */
    planPolicy: PolicyReport;
    helm?: HelmBinary;
}

export interface RenderedReleaseSummary {
    urn: string;
    release: string;
    chart: string;
    version: string;
    namespace: string;
    objects: number;
    hooks: number;
    /** Helm's message when the release does not render: it would not install either. */
    error?: string;
}

export interface RenderedObjectSummary {
    urn: string;
    release: string;
    apiVersion: string;
    kind: string;
    namespace: string | null;
    name: string;
    template: string;
    hook: boolean;
}

export interface RenderViolation extends PolicyViolation {
    release: string;
    /** `Kind namespace/name`, or `Kind name` for cluster-scoped objects. */
    object: string;
}

/** The `render` field of the plan's `--json` document (fields are only ever added). */
export interface HelmRenderReport {
    helm: { version: string; source: string };
    kubeVersion: string;
    /** Capabilities.APIVersions given to Helm on top of its built-in set. */
    apiVersions: string[];
    releases: RenderedReleaseSummary[];
    notRendered: UnrenderableRelease[];
    objects: RenderedObjectSummary[];
    policy: { violations: RenderViolation[]; notEvaluated: NotEvaluated[] };
    /** Pods operators will create from the rendered custom resources and settings (modelled: plan/helm/operatorPods.ts). */
    operatorPods: Array<{ urn: string; createdFrom: string; namespace: string }>;
    /** Pod Security admission at each namespace's level, for rendered pod-bearing objects and operator pods. */
    podSecurity: AdmissionVerdict[];
}

interface RenderedResource extends ResourceUnderTest {
    summary: RenderedObjectSummary;
}

interface CustomResourceDefinitionFacts {
    apiVersions: string[];
    /** `group/Kind` → cluster-scoped? */
    scopes: Map<string, boolean>;
}

const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function metadata(object: Record<string, unknown>): Record<string, unknown> {
    return isRecord(object.metadata) ? object.metadata : {};
}

/** Every API the plan itself uses exists in the cluster it deploys to (or the program fails). */
function apiVersionsUsedBy(resources: readonly ResourceUnderTest[]): string[] {
    const versions = new Set<string>();
    for (const resource of resources) {
        const parsed = parseKubernetesType(resource.type);
        if (!parsed) continue;
        const groupVersion = parsed.group === "core" ? parsed.version : `${parsed.group}/${parsed.version}`;
        versions.add(groupVersion).add(`${groupVersion}/${parsed.kind}`);
    }
    return [...versions];
}

function crdFacts(crds: readonly Record<string, unknown>[]): CustomResourceDefinitionFacts {
    const apiVersions = new Set<string>();
    const scopes = new Map<string, boolean>();
    for (const crd of crds) {
        const spec = isRecord(crd.spec) ? crd.spec : {};
        const group = spec.group;
        const kind = isRecord(spec.names) ? spec.names.kind : undefined;
        if (typeof group !== "string" || typeof kind !== "string") continue;
        scopes.set(`${group}/${kind}`, spec.scope === "Cluster");
        for (const version of Array.isArray(spec.versions) ? spec.versions : []) {
            if (!isRecord(version) || typeof version.name !== "string" || version.served === false) continue;
            apiVersions.add(`${group}/${version.name}`).add(`${group}/${version.name}/${kind}`);
        }
    }
    return { apiVersions: [...apiVersions], scopes };
}

function isCrd(object: Record<string, unknown>): boolean {
    return object.kind === "CustomResourceDefinition" && typeof object.apiVersion === "string" && object.apiVersion.startsWith("apiextensions.k8s.io/");
}

/** Runs `work` over `items`, at most `limit` at a time, results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]);
        }
    });
    await Promise.all(workers);
    return results;
}

type TemplateOutcome = { objects: RenderedObject[] } | { error: string };

async function renderAll(helm: HelmBinary, releases: readonly ReleaseSpec[], options: HelmRenderOptions, kubeVersion: string, apiVersions: string[]): Promise<TemplateOutcome[]> {
    return mapLimited(releases, Math.max(1, availableParallelism()), async (release) => {
        try {
            return { objects: await helmTemplate(helm, release, { chartsDir: options.chartsDir, kubeVersion, apiVersions }) };
        } catch (error) {
            if (error instanceof HelmTemplateError) return { error: error.message };
            throw error;
        }
    });
}

function objectsOf(outcome: TemplateOutcome): RenderedObject[] {
    return "objects" in outcome ? outcome.objects : [];
}

function toResources(release: ReleaseSpec, rendered: readonly RenderedObject[], scopes: ReadonlyMap<string, boolean>): RenderedResource[] {
    const seen = new Map<string, number>();
    return rendered.map(({ object, source, hook }) => {
        const apiVersion = String(object.apiVersion);
        const kind = String(object.kind);
        const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
        // Helm sends every namespaced object without a namespace to the release's namespace.
        const props = placedInNamespace(object, release.namespace, (k) => scopes.get(`${group}/${k}`) ?? isClusterScoped(k));
        const meta = metadata(props);
        const name = typeof meta.name === "string" ? meta.name : typeof meta.generateName === "string" ? meta.generateName : "";
        const namespace = typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : null;
        const type = pulumiTypeOf(apiVersion, kind);
        // A child of the release, named as helm.v4.Chart names its children: `<release>:<namespace>/<name>`.
        const parentTypes = release.urn.slice(0, release.urn.lastIndexOf("::"));
        const base = `${parentTypes}$${type}::${release.releaseName}:${namespace ? `${namespace}/` : ""}${name}`;
        const count = (seen.get(base) ?? 0) + 1;
        seen.set(base, count);
        const urn = count === 1 ? base : `${base}#${count}`;
        return {
            urn,
            type,
            name,
            props,
            parent: release.urn,
            summary: { urn, release: release.releaseName, apiVersion, kind, namespace, name, template: source, hook },
        };
    });
}

function describeObject(summary: RenderedObjectSummary): string {
    return `${summary.kind} ${summary.namespace ? `${summary.namespace}/` : ""}${summary.name}`;
}

function violationKey(v: PolicyViolation): string {
    return `${v.policy}\u0000${v.urn}\u0000${v.message}`;
}

const NO_DEFAULT_NAMESPACE = "k8s-no-default-namespace";

/**
 * The CRDs say which custom kinds are cluster-scoped: the knob of k8s-no-default-namespace that
 * users fill by hand for the pack gets them here, so a cluster-scoped custom object is not
 * reported as "landing in default".
 */
function withClusterScopedKinds(config: PolicyPackConfig, scopes: ReadonlyMap<string, boolean>): PolicyPackConfig {
    const kinds = [...scopes].filter(([, cluster]) => cluster).map(([groupKind]) => groupKind.slice(groupKind.lastIndexOf("/") + 1));
    if (kinds.length === 0) return config;
    const given = config[NO_DEFAULT_NAMESPACE];
    const entry = typeof given === "string" ? { enforcementLevel: given } : isRecord(given) ? given : {};
    const known = Array.isArray(entry.clusterScopedKinds) ? (entry.clusterScopedKinds as string[]) : [];
    return { ...config, [NO_DEFAULT_NAMESPACE]: { ...entry, clusterScopedKinds: [...new Set([...known, ...kinds])] } };
}

/** `1.33` → `v1.33.0`, the form `--kube-version` takes. */
export function kubeVersionFlag(kubernetesVersion: string): string {
    const parts = kubernetesVersion.replace(/^v/, "").split(".");
    while (parts.length < 3) parts.push("0");
    return `v${parts.join(".")}`;
}

export async function renderHelmReleases(resources: readonly ResourceUnderTest[], options: HelmRenderOptions): Promise<HelmRenderReport> {
    const helm = options.helm ?? (await findHelm());
    const kubeVersion = kubeVersionFlag(options.kubernetesVersion);
    const { releases, unrenderable } = releasesOf(resources);
    const planCrds = crdFacts(resources.filter((r) => r.type === CRD_TYPE).map((r) => r.props));
    const base = [...new Set([...apiVersionsUsedBy(resources), ...planCrds.apiVersions])].sort();

    // Charts may render differently once the CRDs of the other releases exist (ServiceMonitors
    // behind `Capabilities.APIVersions.Has`): render, learn the CRDs, render again if they add APIs.
    let outcomes = await renderAll(helm, releases, options, kubeVersion, base);
    const releaseCrds = crdFacts(outcomes.flatMap(objectsOf).filter((r) => !r.hook && isCrd(r.object)).map((r) => r.object));
    const apiVersions = [...new Set([...base, ...releaseCrds.apiVersions])].sort();
    if (apiVersions.length > base.length) outcomes = await renderAll(helm, releases, options, kubeVersion, apiVersions);

    const scopes = new Map([...planCrds.scopes, ...releaseCrds.scopes]);
    const rendered = releases.flatMap((release, i) => toResources(release, objectsOf(outcomes[i]), scopes));
    const summaries = new Map(rendered.map((r) => [r.urn, r.summary]));
    const combined: ResourceUnderTest[] = [...resources, ...rendered.map(({ summary: _summary, ...resource }) => resource)];
    const report = evaluatePolicies(combined, withClusterScopedKinds(options.policyConfig, scopes));

    const alreadyReported = new Set(options.planPolicy.violations.map(violationKey));
    const alreadyNotEvaluated = new Set(options.planPolicy.notEvaluated.map((n) => `${n.policy}\u0000${n.urn}`));
    const violations: RenderViolation[] = report.violations
        .filter((v) => summaries.has(v.urn) || !alreadyReported.has(violationKey(v)))
        .map((v) => {
            const summary = summaries.get(v.urn);
            return { ...v, release: summary?.release ?? "", object: summary ? describeObject(summary) : v.urn };
        });
    const notEvaluated = report.notEvaluated.filter((n) => summaries.has(n.urn) || !alreadyNotEvaluated.has(`${n.policy}\u0000${n.urn}`));

    const releaseSummaries: RenderedReleaseSummary[] = releases.map((release, i) => {
        const outcome = outcomes[i];
        const objects = objectsOf(outcome);
        return {
            urn: release.urn,
            release: release.releaseName,
            chart: release.chart,
            version: release.version,
            namespace: release.namespace,
            objects: objects.length,
            hooks: objects.filter((o) => o.hook).length,
            ...("error" in outcome ? { error: outcome.error } : {}),
        };
    });
    const levels = enforcedLevels(combined);
    const fromOperators = operatorPods(rendered);
    return {
        helm: { version: helm.version, source: helm.source },
        kubeVersion,
        apiVersions,
        releases: releaseSummaries,
        notRendered: unrenderable,
        objects: rendered.map((r) => r.summary),
        policy: { violations, notEvaluated },
        operatorPods: fromOperators.map((pod) => ({ urn: pod.urn, createdFrom: pod.parent ?? "", namespace: String((pod.props.metadata as Record<string, unknown>).namespace) })),
        podSecurity: predictAdmission([...rendered, ...fromOperators], levels),
    };
}

/** Mandatory findings, releases that do not render, pods admission would reject. */
export function renderFailures(report: HelmRenderReport): number {
    return (
        report.policy.violations.filter((v) => v.enforcementLevel === "mandatory").length +
        report.releases.filter((r) => r.error !== undefined).length +
        report.podSecurity.filter((p) => p.verdict === "rejected").length
    );
}
