/**
 * Nothing may be downloaded at deploy time but the pinned charts from their repositories: no
 * manifest fetched from a URL (a release asset, a raw file), no unpinned chart. Every URL in a
 * plan's inputs is either one of those chart sources or one the deployment itself produced
 * (the cluster endpoint, a queue URL: a resource's recorded outputs).
 */
import { describe, expect, it } from "vitest";
import type { PlanResourceDocument } from "../plan";
import { listStacks } from "../plan/stackConfig";
import { PROJECT_DIR } from "../plan/run";
import { planStack } from "./harness";

/** Chart, version and source of every release the platform may install (a new chart is a new pin: add it here on purpose). */
const PINNED_CHARTS = [
    { chart: "oci://public.ecr.aws/karpenter/karpenter-crd", version: "1.14.1" },
    { chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.14.1" },
    { chart: "external-secrets", version: "2.9.0", repo: "https://charts.external-secrets.io" },
    { chart: "velero", version: "12.1.0", repo: "https://vmware-tanzu.github.io/helm-charts" },
    { chart: "trivy-operator", version: "0.34.0", repo: "https://aquasecurity.github.io/helm-charts/" },
    { chart: "kube-prometheus-stack", version: "88.5.3", repo: "https://prometheus-community.github.io/helm-charts" },
    { chart: "prometheus-operator-crds", version: "31.0.1", repo: "https://prometheus-community.github.io/helm-charts" },
    { chart: "aws-load-balancer-controller", version: "3.5.0", repo: "https://aws.github.io/eks-charts" },
];

/** Resource types that fetch what they apply when the engine runs them (manifests, charts rendered client-side). */
const FETCHING_TYPES = /^kubernetes:(yaml|yaml\/v2|kustomize|kustomize\/v2):|^kubernetes:helm\.sh\/v(3|4):Chart$/;

const URL = /\b(?:https?|oci|s3|git):\/\/[^\s"'<>)\]]+/g;

function urlsIn(value: unknown, path: string, found: Array<{ path: string; url: string }>): void {
    if (typeof value === "string") for (const match of value.matchAll(URL)) found.push({ path, url: match[0] });
    else if (Array.isArray(value)) value.forEach((item, i) => urlsIn(item, `${path}[${i}]`, found));
    else if (value && typeof value === "object") for (const [key, item] of Object.entries(value)) urlsIn(item, path ? `${path}.${key}` : key, found);
}

export function unpinnedDownloads(resources: PlanResourceDocument[]): string[] {
    const problems: string[] = [];
    const produced = new Set<string>();
    for (const resource of resources) {
        const found: Array<{ path: string; url: string }> = [];
        urlsIn(resource.outputs, "", found);
        for (const { url } of found) produced.add(url);
    }
    const chartSources = new Set(PINNED_CHARTS.flatMap((c) => [c.chart, ...(c.repo ? [c.repo] : [])]));
    for (const resource of resources) {
        if (FETCHING_TYPES.test(resource.type)) problems.push(`${resource.urn}: ${resource.type} fetches what it applies at deploy time`);
        if (resource.type === "kubernetes:helm.sh/v3:Release") {
            const repo = (resource.inputs.repositoryOpts as { repo?: string } | undefined)?.repo;
            const pinned = PINNED_CHARTS.some((c) => c.chart === resource.inputs.chart && c.version === resource.inputs.version && c.repo === repo);
            if (!pinned) problems.push(`${resource.urn}: chart ${String(resource.inputs.chart)} ${String(resource.inputs.version)} from ${repo ?? "(OCI)"} is not a pinned chart`);
        }
        const found: Array<{ path: string; url: string }> = [];
        urlsIn(resource.inputs, "", found);
        for (const { path, url } of found) {
            if (chartSources.has(url) && (path === "chart" || path === "repositoryOpts.repo")) continue;
            if (produced.has(url)) continue;
            // An alert's runbook link is for the person paged; nothing fetches it.
            if (/\.annotations\.runbook_url$/.test(path)) continue;
            problems.push(`${resource.urn}: ${path} references ${url}`);
        }
    }
    return problems;
}

describe("the download check", () => {
    const base = { custom: true, remote: false, parent: null, provider: null, dependencies: [], protect: false, retainOnDelete: false, id: null, outputs: {}, aliases: [] };
    it("reports a manifest fetched from a release asset and an unpinned chart", () => {
        const configFile = { ...base, urn: "u1", type: "kubernetes:yaml/v2:ConfigFile", name: "crds", inputs: { file: "https://github.com/o/r/releases/download/v1/crds.yaml" } };
        const release = { ...base, urn: "u2", type: "kubernetes:helm.sh/v3:Release", name: "x", inputs: { chart: "velero", version: "12.2.0", repositoryOpts: { repo: "https://vmware-tanzu.github.io/helm-charts" } } };
        expect(unpinnedDownloads([configFile, release])).toEqual([
            "u1: kubernetes:yaml/v2:ConfigFile fetches what it applies at deploy time",
            "u1: file references https://github.com/o/r/releases/download/v1/crds.yaml",
            "u2: chart velero 12.2.0 from https://vmware-tanzu.github.io/helm-charts is not a pinned chart",
        ]);
    });
});

describe.each(listStacks(PROJECT_DIR))("deploy-time downloads in the %s plan", (stack) => {
    it("are the pinned charts from their repositories and nothing else", async () => {
        const { plan } = await planStack(stack);
        expect(unpinnedDownloads(plan.document.resources)).toEqual([]);
    });
});
