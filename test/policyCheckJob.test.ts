// The workflow's manifest gate, run for real: the script of the policy-check job's step is taken
// from platform.yaml and run with `bash -e` (what GitHub runs for a `run:` without a shell) on
// directories of manifests. It must select only Kubernetes manifests, fail on a mandatory
// violation and on a file the checker cannot read, and pass a compliant one.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const checker = path.join(root, "test", "policy", "fixtures", "checker");

interface Step {
    name?: string;
    run?: string;
    env?: Record<string, string>;
}

function gateStep(): Step {
    const workflow = parse(readFileSync(path.join(root, ".github", "workflows", "platform.yaml"), "utf8")) as { jobs: Record<string, { steps: Step[] }> };
    const step = workflow.jobs["policy-check"].steps.find((s) => s.name === "policy:check over Kubernetes manifests");
    if (!step?.run) throw new Error("platform.yaml: job policy-check has no step 'policy:check over Kubernetes manifests'");
    return step;
}

interface Run {
    code: number;
    stdout: string;
    summary: string;
    temp: string;
}

/** Runs the step's script in the repository, as the job does, with MANIFEST_DIRS pointing at `dirs`. */
function runGate(dirs: string): Promise<Run> {
    const temp = mkdtempSync(path.join(tmpdir(), "policy-gate-"));
    const script = path.join(temp, "step.sh");
    const summary = path.join(temp, "summary.md");
    writeFileSync(script, gateStep().run!);
    writeFileSync(summary, "");
    return new Promise((resolve) =>
        execFile(
            "bash",
            ["-e", script],
            { cwd: root, env: { ...process.env, ...gateStep().env, MANIFEST_DIRS: dirs, RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary }, timeout: 120_000 },
            (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, summary: readFileSync(summary, "utf8"), temp }),
        ),
    );
}

/** A directory like a repository's: manifests beside a Pulumi project and other YAML. */
function repository(manifests: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), "policy-gate-repo-"));
    mkdirSync(path.join(dir, "deploy"));
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: app\nruntime: nodejs\n");
    writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n");
    writeFileSync(path.join(dir, "deploy", "values.yaml"), "replicaCount: 2\nimage: { tag: latest }\n");
    for (const [name, source] of Object.entries(manifests)) copyFileSync(source, path.join(dir, "deploy", name));
    return dir;
}

describe.concurrent("the policy-check job's gate", () => {
    it("is written for bash -e: it sets pipefail itself", () => {
        expect(gateStep().run).toMatch(/^set -o pipefail$/m);
    });

    it("fails on a noncompliant manifest, checking only the manifests", async () => {
        const run = await runGate(repository({ "api.yaml": path.join(checker, "violations", "noncompliant.yaml") }));
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/checking .*deploy\/api\.yaml/);
        expect(run.stdout).not.toMatch(/Pulumi|values\.yaml/);
        expect(JSON.parse(readFileSync(path.join(run.temp, "policy-check.json"), "utf8")).violations.length).toBeGreaterThan(0);
        expect(run.summary).toMatch(/## Policy check: ❌/);
        expect(JSON.parse(readFileSync(path.join(run.temp, "policy-check.sarif"), "utf8")).version).toBe("2.1.0");
    });

    it("passes a compliant manifest", async () => {
        const run = await runGate(repository({ "web.yaml": path.join(checker, "ok", "compliant.yaml") }));
        expect(run.code).toBe(0);
        expect(run.summary).toMatch(/## Policy check: ✅ no mandatory violations/);
    });

    it("fails on a manifest the checker cannot read (exit 2 is not swallowed by tee)", async () => {
        const run = await runGate(repository({ "web.yaml": path.join(checker, "ok", "compliant.yaml"), "bad.yaml": path.join(checker, "broken", "bad.yaml") }));
        expect(run.code).toBe(2);
    });

    it("has nothing to check in a directory without manifests, and fails on a directory that does not exist", async () => {
        const [empty, missing] = await Promise.all([runGate(repository({})), runGate(path.join(tmpdir(), "no-such-manifest-dir"))]);
        expect(empty.code).toBe(0);
        expect(empty.stdout).toMatch(/no Kubernetes manifests under/);
        expect(missing.code).toBe(2);
    });
});
