/**
 * The pinned upstream chart defaults and CRD schemas live outside the project
 * (`../shared/upstream`, or PLATFORM_UPSTREAM_DIR). Without them the tests that need them are
 * skipped with a visible message; under CI=true their absence is a failure.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, parseAllDocuments } from "yaml";

export const UPSTREAM_DIR = resolve(process.env.PLATFORM_UPSTREAM_DIR ?? join(__dirname, "..", "..", "..", "shared", "upstream"));

export const upstreamAvailable = existsSync(join(UPSTREAM_DIR, "charts")) && existsSync(join(UPSTREAM_DIR, "crds"));

if (!upstreamAvailable) {
    const message = `upstream reference data not found at ${UPSTREAM_DIR} (set PLATFORM_UPSTREAM_DIR; see docs/upstream.md)`;
    if (process.env.CI === "true") throw new Error(`${message}: required under CI=true`);
    console.warn(`SKIPPING upstream schema checks: ${message}`);
}

export function chartDir(chart: string, version: string): string {
    return join(UPSTREAM_DIR, "charts", `${chart}-${version}`);
}

export function chartDefaults(chart: string, version: string, subchart?: string): Record<string, unknown> {
    const dir = subchart ? join(chartDir(chart, version), "subcharts", subchart) : chartDir(chart, version);
    return (parse(readFileSync(join(dir, "values.yaml"), "utf8")) ?? {}) as Record<string, unknown>;
}

export function chartValuesSchema(chart: string, version: string): object | undefined {
    const file = join(chartDir(chart, version), "values.schema.json");
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as object) : undefined;
}

export interface CrdVersionSchema {
    group: string;
    kind: string;
    version: string;
    schema: Record<string, unknown>;
}

/** Every served version's openAPIV3Schema in `crds/<chart>-<version>/`. */
export function crdSchemas(chart: string, version: string): CrdVersionSchema[] {
    const dir = join(UPSTREAM_DIR, "crds", `${chart}-${version}`);
    const result: CrdVersionSchema[] = [];
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
        for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
            const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean; schema?: { openAPIV3Schema: Record<string, unknown> } }> } };
            if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
            for (const v of crd.spec.versions.filter((v) => v.served && v.schema)) {
                result.push({ group: crd.spec.group, kind: crd.spec.names.kind, version: v.name, schema: v.schema!.openAPIV3Schema });
            }
        }
    }
    return result;
}

/** The pins the upstream README lists, chart -> version. */
export function upstreamPins(): Record<string, string> {
    const readme = readFileSync(join(UPSTREAM_DIR, "README.md"), "utf8");
    const pins: Record<string, string> = {};
    for (const match of readme.matchAll(/^\|\s*([a-z-]+)\s*(?:\([^)]*\))?\s*\|\s*([\d.]+)\s*\|/gm)) pins[match[1]] = match[2];
    return pins;
}
