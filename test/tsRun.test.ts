/**
 * The launcher behind `npm run plan` (scripts/ts-run.cjs): TypeScript compiled once into a
 * content-addressed cache, and the plan it runs is the plan tsx runs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runScript } from "./support/cli";

const LAUNCHER = join(ROOT, "scripts", "ts-run.cjs");

function launch(entry: string, cacheDir: string): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [LAUNCHER, entry], { encoding: "utf8", env: { ...process.env, EKS_PLATFORM_CACHE_DIR: cacheDir } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cached = (cacheDir: string) => readdirSync(join(cacheDir, "ts")).filter((f) => f.endsWith(".js"));

describe("the compile cache", () => {
    const dir = mkdtempSync(join(tmpdir(), "ts-run-"));
    const cacheDir = join(dir, "cache");
    const entry = join(dir, "entry.ts");
    const helper = join(dir, "helper.ts");
    writeFileSync(helper, 'export const greeting: string = "first";\n');
    writeFileSync(entry, 'import { greeting } from "./helper";\nconst typed: number = 1;\nconsole.log(`${greeting} ${typed} ${__dirname} main=${require.main === module}`);\n');

    it("compiles each file on first use, with its real location (__dirname), the entry as the main module", () => {
        const run = launch(entry, cacheDir);
        expect(run.stderr).toBe("");
        expect(run.stdout.trim()).toBe(`first 1 ${dir} main=true`);
        expect(cached(cacheDir)).toHaveLength(2);
    });

    it("reads an unchanged file back from the cache instead of compiling it again", () => {
        // Prove the cache is what runs: alter the cached JavaScript of the unchanged helper.
        const helperEntry = cached(cacheDir)
            .map((f) => join(cacheDir, "ts", f))
            .find((f) => readFileSync(f, "utf8").includes('"first"'))!;
        writeFileSync(helperEntry, readFileSync(helperEntry, "utf8").replace('"first"', '"from the cache"'));
        expect(launch(entry, cacheDir).stdout.trim()).toBe(`from the cache 1 ${dir} main=true`);
        expect(cached(cacheDir)).toHaveLength(2);
    });

    it("picks up a changed source: the stale entry is never served", () => {
        writeFileSync(helper, 'export const greeting: string = "second";\n');
        expect(launch(entry, cacheDir).stdout.trim()).toBe(`second 1 ${dir} main=true`);
        expect(cached(cacheDir)).toHaveLength(3);
    });

    it("reports a syntax error with the file's name", () => {
        writeFileSync(helper, "export const greeting: string = ;\n");
        const run = launch(entry, cacheDir);
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain("helper.ts");
    });
});

describe("the plan through the launcher", () => {
    it("is the plan tsx produces (same resources, outputs and policy report)", () => {
        const launched = runScript("scripts/plan.ts", ["--stack", "dev", "--json"]);
        const viaTsx = runScript("scripts/plan.ts", ["--stack", "dev", "--json"], ROOT, { via: "tsx" });
        expect(launched.status).toBe(0);
        expect(viaTsx.status).toBe(0);
        const normalized = (stdout: string) => {
            const document = JSON.parse(stdout);
            // Registration order depends on when the ESM-only CRD models finish loading; the contract does not promise it.
            return { ...document, resources: [...document.resources].sort((a: { urn: string }, b: { urn: string }) => a.urn.localeCompare(b.urn)) };
        };
        expect(normalized(launched.stdout)).toEqual(normalized(viaTsx.stdout));
    });

    it("loads the program only after the mocks are installed (a resource created at import is recorded)", () => {
        const result = runScript("scripts/plan.ts", ["--project-dir", join(ROOT, "test", "fixtures", "programs", "toplevel"), "--stack", "test", "--json"]);
        expect(result.stderr).toBe("");
        const document = JSON.parse(result.stdout);
        expect(document.resources.map((r: { name: string }) => r.name)).toContain("registered-at-import");
    });
});
