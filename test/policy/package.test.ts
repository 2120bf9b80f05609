// policy/ is a package of its own: what `pulumi policy publish` uploads and what the CLI runs.
// Its manifest must name everything it imports, at the versions the root lock pins, and a copy
// of the directory alone must install from its lockfile and serve the pack (started the way the
// CLI starts a Node.js policy pack, over the analyzer protocol).
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { allPolicies } from "../../policy/policies";
import { getAnalyzerInfo, startAnalyzer } from "../support/analyzer";

const root = path.resolve(__dirname, "../..");
const policyDir = path.join(root, "policy");

interface Manifest {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
}
interface Lock {
    packages: Record<string, { version?: string; integrity?: string; dev?: boolean }>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
        const full = path.join(dir, entry);
        if (entry === "node_modules") return [];
        if (statSync(full).isDirectory()) return sources(full);
        return entry.endsWith(".ts") ? [full] : [];
    });
}

/** Packages the pack's sources import (a specifier's package: `@scope/name` or `name`). */
function importedPackages(): Map<string, boolean> {
    const packages = new Map<string, boolean>(); // name -> imported for its values (not only `import type`)
    for (const file of sources(policyDir)) {
        for (const match of readFileSync(file, "utf8").matchAll(/^import (type )?[^;]*? from "([^".][^"]*)";/gm)) {
            const specifier = match[2];
            if (specifier.startsWith("node:")) continue;
            const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
            packages.set(name, (packages.get(name) ?? false) || match[1] === undefined);
        }
    }
    return packages;
}

describe("policy/ as its own package", () => {
    const manifest = readJson<Manifest>(path.join(policyDir, "package.json"));
    const rootManifest = readJson<Manifest>(path.join(root, "package.json"));

    it("lists every package its sources import, as a run-time dependency at the root's exact version", () => {
        const imported = importedPackages();
        expect([...imported.keys()].sort()).toEqual(["@pulumi/policy", "ajv", "commander", "ip-address", "js-yaml"]);
        const rootVersions = { ...rootManifest.dependencies, ...rootManifest.devDependencies };
        for (const name of imported.keys()) {
            expect(manifest.dependencies?.[name], name).toBe(rootVersions[name]);
            expect(manifest.dependencies?.[name], name).toMatch(/^\d+\.\d+\.\d+$/);
        }
        // What the CLI needs to run a TypeScript pack: the SDK's run-policy-pack and a type-checking ts-node.
        for (const name of ["@pulumi/pulumi", "typescript", "ts-node", "@types/node"]) expect(manifest.dependencies?.[name], name).toBe(rootVersions[name]);
    });

    it("has a lockfile that pins every package at the version the root lock pins, with its integrity", () => {
        const lock = readJson<Lock>(path.join(policyDir, "package-lock.json"));
        const rootLock = readJson<Lock>(path.join(root, "package-lock.json"));
        const rootByName = new Map<string, Set<string>>();
        for (const [key, entry] of Object.entries(rootLock.packages)) {
            const name = key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
            if (key !== "") rootByName.set(name, new Set([...(rootByName.get(name) ?? []), `${entry.version}|${entry.integrity}`]));
        }
        const entries = Object.entries(lock.packages).filter(([key]) => key !== "");
        expect(entries.length).toBeGreaterThan(100);
        for (const [key, entry] of entries) {
            const name = key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
            expect(rootByName.get(name), key).toContain(`${entry.version}|${entry.integrity}`);
        }
        expect(lock.packages[""]).toMatchObject({ dependencies: manifest.dependencies, devDependencies: manifest.devDependencies });
    });

    it("installs alone from its lockfile (npm ci) and serves the pack the way the Pulumi CLI starts it", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "policy-pack-"));
        try {
            cpSync(policyDir, dir, { recursive: true, filter: (source) => !source.split(path.sep).includes("node_modules") });
            // The registry when it answers, else the npm cache the root install filled with the same versions.
            const install = await new Promise<{ code: number; output: string }>((resolve) =>
                execFile("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, timeout: 300_000 }, (error, stdout, stderr) =>
                    resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
                ),
            );
            expect(install.code, install.output).toBe(0);
            // pulumi-analyzer-policy runs `node <pack>/node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine> .` in the
            // pack's directory; for TypeScript it registers the pack's own ts-node, type-checking.
            const analyzer = await startAnalyzer(dir, process.execPath, [path.join("node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"), "127.0.0.1:0", "."]);
            try {
                const info = await getAnalyzerInfo(analyzer);
                expect(info.name).toBe("eks-platform");
                expect(info.policies.map((p) => p.name).sort()).toEqual(allPolicies.map((p) => p.name).sort());
            } finally {
                analyzer.stop();
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    }, 300_000);
});
