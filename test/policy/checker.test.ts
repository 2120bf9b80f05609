// The offline checker as CI runs it: a subprocess, its exit code, stdout and stderr.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const fixtures = path.join("test", "policy", "fixtures", "checker");
const tsx = path.join(root, "node_modules", ".bin", "tsx");

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

function runChecker(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
        execFile(tsx, ["policy/cli/check.ts", ...args], { cwd: root }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
            resolve({ code, stdout, stderr });
        });
    });
}

describe.concurrent("policy:check", () => {
    it("exits 0 on a directory with only advisory findings, reading YAML, Lists and a stack export", async () => {
        const run = await runChecker("--format", "json", path.join(fixtures, "ok"));
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        const output = JSON.parse(run.stdout);
        expect(output.resources).toBe(16);
        expect(output.violations.map((v: { policy: string; enforcementLevel: string }) => [v.policy, v.enforcementLevel])).toEqual([
            ["k8s-no-inline-secret-data", "advisory"],
        ]);
    });

    it("exits 1 with a mandatory violation and prints the documented JSON shape", async () => {
        const run = await runChecker("--format", "json", path.join(fixtures, "violations"));
        expect(run.code).toBe(1);
        const output = JSON.parse(run.stdout);
        expect(Object.keys(output)).toEqual(expect.arrayContaining(["resources", "violations"]));
        expect(output.resources).toBe(3);
        const image = output.violations.find((v: { policy: string }) => v.policy === "k8s-image-pinned");
        expect(image).toEqual({
            policy: "k8s-image-pinned",
            enforcementLevel: "mandatory",
            resource: {
                type: "kubernetes:apps/v1:Deployment",
                name: "api",
                namespace: "shop",
                urn: expect.stringContaining("kubernetes:apps/v1:Deployment::shop/api"),
                file: path.join(fixtures, "violations", "noncompliant.yaml"),
            },
            message: expect.stringContaining("registry.example.com:5000/shop/api has neither a tag nor a digest"),
        });
        const ecr = output.violations.find((v: { policy: string }) => v.policy === "ecr-scan-on-push");
        expect(ecr.resource).toMatchObject({ type: "aws:ecr/repository:Repository", name: "app", namespace: null });
    });

    it("lets --config downgrade everything so the same input exits 0, in text format", async () => {
        const run = await runChecker("--config", path.join(fixtures, "all-advisory.json"), path.join(fixtures, "violations"));
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/^ADVISORY k8s-image-pinned: /m);
        expect(run.stdout).toMatch(/3 resource\(s\) in 2 file\(s\): 0 mandatory, 2 advisory violation\(s\), 1 not evaluated/);
    });

    it("exits 2 naming the file and document for invalid YAML, with nothing on stdout", async () => {
        const run = await runChecker(path.join(fixtures, "ok"), path.join(fixtures, "broken", "bad.yaml"));
        expect(run.code).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).toMatch(/broken\/bad\.yaml: document 2: invalid YAML/);
        expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });

    it("exits 2 for usage errors and missing paths", async () => {
        const [format, missing, none] = await Promise.all([
            runChecker("--format", "xml", fixtures),
            runChecker("does/not/exist.yaml"),
            runChecker(),
        ]);
        expect([format.code, missing.code, none.code]).toEqual([2, 2, 2]);
        expect(missing.stderr).toMatch(/does\/not\/exist\.yaml: no such file or directory/);
        expect(format.stdout + missing.stdout + none.stdout).toBe("");
    });

    it("checks manifests that name no namespace where --namespace applies them (helm template output)", async () => {
        // What `helm template velero ... --namespace velero` prints for the chart's ServiceMonitor.
        const file = path.join(mkdtempSync(path.join(tmpdir(), "checker-ns-")), "velero.yaml");
        writeFileSync(
            file,
            [
                "# Source: velero/templates/servicemonitor.yaml",
                "apiVersion: monitoring.coreos.com/v1",
                "kind: ServiceMonitor",
                "metadata: {name: velero}",
                "spec: {selector: {matchLabels: {app: velero}}, endpoints: [{port: http-monitoring}]}",
                "---",
                "apiVersion: rbac.authorization.k8s.io/v1",
                "kind: ClusterRole",
                "metadata: {name: velero-upgrade-crds}",
                "rules: [{apiGroups: [apiextensions.k8s.io], resources: [customresourcedefinitions], verbs: [get]}]",
                "",
            ].join("\n"),
        );
        const [without, within] = await Promise.all([runChecker("--format", "json", file), runChecker("--format", "json", "--namespace", "velero", file)]);
        expect(without.code).toBe(1);
        expect(JSON.parse(without.stdout).violations.map((v: { policy: string; message: string }) => `${v.policy}: ${v.message}`)).toEqual([
            "k8s-no-default-namespace: ServiceMonitor has no namespace (it would land in default)",
        ]);
        expect(within.stderr).toBe("");
        expect(within.code).toBe(0);
        expect(JSON.parse(within.stdout).violations).toEqual([]);
    });
});
