/**
 * `helm template` of one release, parsed into objects. Hooks are kept (a Release runs them:
 * admission-webhook patch jobs, CRD upgrade jobs are real pods); chart tests are not (a Release
 * never runs `helm test`).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { HelmBinary } from "./binary";
import { chartArguments, type ReleaseSpec } from "./releases";

export interface RenderedObject {
    /** The chart template that produced it (`# Source:` line of Helm's output). */
    source: string;
    hook: boolean;
    object: Record<string, unknown>;
}

export interface TemplateOptions {
    chartsDir?: string;
    /** Capabilities.KubeVersion, e.g. `1.33`. */
    kubeVersion: string;
    /** Capabilities.APIVersions beyond Helm's built-in set (`group/version` and `group/version/Kind`). */
    apiVersions: readonly string[];
}

/** Helm refused to render a release: its message, verbatim. */
export class HelmTemplateError extends Error {}

const MAX_OUTPUT = 256 * 1024 * 1024;

export function helmTemplateArguments(release: ReleaseSpec, valuesFile: string, options: TemplateOptions): string[] {
    return [
        "template",
        release.releaseName,
        ...chartArguments(release, options.chartsDir),
        "--namespace",
        release.namespace,
        "--values",
        valuesFile,
        "--kube-version",
        options.kubeVersion,
        ...(options.apiVersions.length > 0 ? ["--api-versions", options.apiVersions.join(",")] : []),
        release.skipCrds ? "--skip-crds" : "--include-crds",
        "--skip-tests",
    ];
}

export async function helmTemplate(helm: HelmBinary, release: ReleaseSpec, options: TemplateOptions): Promise<RenderedObject[]> {
    // Values may hold secrets: a private folder, removed whatever happens.
    const directory = mkdtempSync(join(tmpdir(), "platform-render-"));
    try {
        const valuesFile = join(directory, "values.json");
        writeFileSync(valuesFile, JSON.stringify(release.values), { mode: 0o600 });
        const stdout = await new Promise<string>((resolve, reject) => {
            execFile(helm.path, helmTemplateArguments(release, valuesFile, options), { maxBuffer: MAX_OUTPUT, timeout: 300_000 }, (error, out, err) => {
                if (error) reject(new HelmTemplateError(String(err).trim() || error.message));
                else resolve(out);
            });
        });
        return parseRendered(stdout, release.releaseName);
    } finally {
        rmSync(directory, { recursive: true, force: true });
    }
}

// The yaml parser keeps `# Source: chart/templates/x.yaml` as the comment before the document's first node.
const SOURCE_LINE = /^\s*#?\s*Source:\s*(\S+)/m;

export function parseRendered(text: string, releaseName: string): RenderedObject[] {
    const objects: RenderedObject[] = [];
    for (const document of parseAllDocuments(text)) {
        if (!("errors" in document)) continue;
        if (document.errors.length > 0) throw new HelmTemplateError(`release ${releaseName}: Helm printed invalid YAML (${document.errors[0].message.split("\n")[0]})`);
        const value: unknown = document.toJS();
        if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
        const object = value as Record<string, unknown>;
        if (typeof object.kind !== "string" || typeof object.apiVersion !== "string") continue;
        const comments = [document.commentBefore, document.contents?.commentBefore].filter((c): c is string => typeof c === "string").join("\n");
        const source = SOURCE_LINE.exec(comments)?.[1] ?? "";
        const annotations = (object.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations ?? {};
        objects.push({ source, hook: typeof annotations["helm.sh/hook"] === "string", object });
    }
    return objects;
}
