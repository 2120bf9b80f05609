// Where the render step's Helm comes from, and how a release becomes `helm template` arguments.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findHelm, HELM_ENV } from "../plan/helm/binary";
import { releasesOf, type ReleaseSpec } from "../plan/helm/releases";
import { helmTemplateArguments } from "../plan/helm/template";

const saved = { path: process.env.PATH, helm: process.env[HELM_ENV] };
afterEach(() => {
    process.env.PATH = saved.path;
    if (saved.helm === undefined) delete process.env[HELM_ENV];
    else process.env[HELM_ENV] = saved.helm;
});

/** A folder on PATH with a `helm` that answers `helm version` as the given version. */
function fakeHelmOnPath(version: string): string {
    const dir = mkdtempSync(join(tmpdir(), "fake-helm-"));
    writeFileSync(join(dir, "helm"), `#!/bin/sh\necho ${version}\n`);
    chmodSync(join(dir, "helm"), 0o755);
    return dir;
}

describe("finding Helm", () => {
    it("prefers PLATFORM_HELM, then helm on PATH, then the Helm 4.1.4 the npm package carries", async () => {
        delete process.env[HELM_ENV];
        process.env.PATH = "";
        const packaged = await findHelm();
        expect(packaged).toMatchObject({ version: "v4.1.4", source: "npm package" });
        expect(packaged.path).toMatch(/node_modules\/\.cache\/eks-platform-helm\/2\.2\.2\/helm$/);

        const dir = fakeHelmOnPath("v3.19.0");
        process.env.PATH = dir;
        expect(await findHelm()).toEqual({ path: join(dir, "helm"), version: "v3.19.0", source: "path" });

        process.env[HELM_ENV] = packaged.path;
        expect(await findHelm()).toEqual({ path: packaged.path, version: "v4.1.4", source: "environment" });
    });

    it("a PLATFORM_HELM that does not run is an error, never a quiet fall-back", async () => {
        process.env[HELM_ENV] = "/bin/false";
        await expect(findHelm()).rejects.toThrow("PLATFORM_HELM=/bin/false: not a Helm binary that runs (`helm version` failed)");
    });

    it("a helm on PATH that is not Helm is passed over", async () => {
        delete process.env[HELM_ENV];
        process.env.PATH = fakeHelmOnPath("not-a-version");
        expect(await findHelm()).toMatchObject({ source: "npm package" });
    });
});

describe("helm template arguments", () => {
    const base: ReleaseSpec = { urn: "u", releaseName: "velero", chart: "velero", version: "12.1.0", namespace: "velero", values: {}, skipCrds: false };
    const options = { kubeVersion: "v1.33.0", apiVersions: ["monitoring.coreos.com/v1"] };

    it("pulls an HTTP chart from its repository at the pinned version, an OCI chart by reference", () => {
        expect(helmTemplateArguments({ ...base, repository: "https://vmware-tanzu.github.io/helm-charts" }, "/tmp/v.json", options)).toEqual([
            "template", "velero", "velero", "--repo", "https://vmware-tanzu.github.io/helm-charts", "--version", "12.1.0",
            "--namespace", "velero", "--values", "/tmp/v.json", "--kube-version", "v1.33.0", "--api-versions", "monitoring.coreos.com/v1",
            "--include-crds", "--skip-tests",
        ]);
        const oci = { ...base, releaseName: "karpenter", chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.14.1", namespace: "karpenter", skipCrds: true };
        expect(helmTemplateArguments(oci, "/tmp/k.json", { ...options, apiVersions: [] })).toEqual([
            "template", "karpenter", "oci://public.ecr.aws/karpenter/karpenter", "--version", "1.14.1",
            "--namespace", "karpenter", "--values", "/tmp/k.json", "--kube-version", "v1.33.0", "--skip-crds", "--skip-tests",
        ]);
    });

    it("does not render a release whose chart is not pinned, or whose values are unknown until deployment (preview)", () => {
        const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const release = (name: string, props: Record<string, unknown>) => ({ urn: `urn:${name}`, type: "kubernetes:helm.sh/v3:Release", name, props });
        const { releases, unrenderable } = releasesOf([
            release("ok", { chart: "a", version: "1.0.0", namespace: "x", values: { k: "v" } }),
            release("unpinned", { chart: "a", namespace: "x" }),
            release("preview", { chart: "a", version: "1.0.0", namespace: "x", values: { roleArn: UNKNOWN } }),
        ]);
        expect(releases.map((r) => r.releaseName)).toEqual(["ok"]);
        expect(unrenderable).toEqual([
            { urn: "urn:unpinned", reason: "no known version (the render step renders pinned charts only)" },
            { urn: "urn:preview", reason: "namespace or values unknown until deployment (plan without --preview to render it)" },
        ]);
    });
});
