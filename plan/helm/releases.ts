/**
 * The Helm releases of a plan, as `helm template` needs them: chart, version, where the chart
 * comes from, release name, namespace, values and whether the release installs its CRDs.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What the render step needs of a recorded resource (the plan's `props`: secrets unwrapped). */
export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    props: Record<string, unknown>;
}

export interface ReleaseSpec {
    /** URN of the Release resource in the plan. */
    urn: string;
    releaseName: string;
    /** As the program gives it: a name in `repository`, or a full `oci://` reference. */
    chart: string;
    version: string;
    repository?: string;
    namespace: string;
    values: Record<string, unknown>;
    skipCrds: boolean;
}

/** A release the render step cannot render, and why (e.g. values unknown until deployment). */
export interface UnrenderableRelease {
    urn: string;
    reason: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    return isRecord(value) && Object.values(value).some(containsUnknown);
}

function knownString(props: Record<string, unknown>, key: string): string | undefined {
    const value = props[key];
    return typeof value === "string" && value !== "" && value !== UNKNOWN ? value : undefined;
}

export function releasesOf(resources: readonly PlannedResource[]): { releases: ReleaseSpec[]; unrenderable: UnrenderableRelease[] } {
    const releases: ReleaseSpec[] = [];
    const unrenderable: UnrenderableRelease[] = [];
    for (const resource of resources.filter((r) => r.type === RELEASE_TYPE)) {
        const props = resource.props;
        const chart = knownString(props, "chart");
        const version = knownString(props, "version");
        const namespace = knownString(props, "namespace") ?? "default";
        const values = isRecord(props.values) ? props.values : {};
        const missing = [!chart && "chart", !version && "version (the render step renders pinned charts only)"].filter(Boolean);
        if (missing.length > 0) {
            unrenderable.push({ urn: resource.urn, reason: `no known ${missing.join(" and ")}` });
            continue;
        }
        if (props.namespace === UNKNOWN || containsUnknown(values)) {
            unrenderable.push({ urn: resource.urn, reason: "namespace or values unknown until deployment (plan without --preview to render it)" });
            continue;
        }
        const repositoryOpts = isRecord(props.repositoryOpts) ? props.repositoryOpts : {};
        releases.push({
            urn: resource.urn,
            releaseName: knownString(props, "name") ?? resource.name,
            chart: chart!,
            version: version!,
            repository: knownString(repositoryOpts, "repo"),
            namespace,
            values,
            skipCrds: props.skipCrds === true,
        });
    }
    return { releases, unrenderable };
}

/** `oci://public.ecr.aws/karpenter/karpenter` → `karpenter`; `external-secrets` stays. */
export function chartName(chart: string): string {
    return chart.replace(/\/+$/, "").split("/").pop() ?? chart;
}

/** Input the render step cannot work with (the plan exits 2 with its message). */
export class RenderInputError extends Error {
    override name = "RenderInputError";
}

/** A chart named by the plan is missing from the `--charts` folder. */
export class ChartNotFoundError extends RenderInputError {}

/**
 * The chart argument and flags of `helm template`: from a local folder of pulled charts
 * (`<chart>-<version>.tgz` as `helm pull` writes it, or an unpacked `<chart>-<version>/`), or
 * else from the release's own repository at its pinned version.
 */
export function chartArguments(release: ReleaseSpec, chartsDir?: string): string[] {
    if (chartsDir) {
        const base = `${chartName(release.chart)}-${release.version}`;
        const archive = join(chartsDir, `${base}.tgz`);
        const folder = join(chartsDir, base);
        if (existsSync(archive)) return [archive];
        if (existsSync(folder) && statSync(folder).isDirectory()) return [folder];
        throw new ChartNotFoundError(`chart ${release.chart} ${release.version} (release ${release.releaseName}) is not in ${chartsDir}: expected ${base}.tgz or ${base}/`);
    }
    if (release.repository) return [release.chart, "--repo", release.repository, "--version", release.version];
    return [release.chart, "--version", release.version];
}
