import { mkdtempSync, readFileSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runScript } from "./support/cli";

const PLAN = "scripts/plan.ts";
const fixture = (name: string) => join(ROOT, "test", "fixtures", "programs", name);

// Fields are only ever added: `id` and `outputs` (what the mocked providers returned), then `aliases`, came last.
const RESOURCE_FIELDS = ["urn", "type", "name", "custom", "remote", "parent", "provider", "dependencies", "protect", "retainOnDelete", "inputs", "id", "outputs", "aliases"];

/** A throw-away project that runs the real program with a stack file the test writes. */
function projectWithStack(stack: string, stackYaml: string): string {
    const dir = mkdtempSync(join(tmpdir(), "plan-"));
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    symlinkSync(join(ROOT, "index.ts"), join(dir, "index.ts"));
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stackYaml);
    return dir;
}

describe("npm run plan -- --json: the contract other tools read", () => {
    const result = runScript(PLAN, ["--stack", "prod", "--json"]);

    it("exits 0 with nothing on stderr and one JSON document on stdout", () => {
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(() => JSON.parse(result.stdout)).not.toThrow();
    });

    it("has exactly the specified top-level fields and resource fields", () => {
        const document = JSON.parse(result.stdout);
        expect(Object.keys(document)).toEqual(["project", "stack", "resources", "outputs", "policy"]);
        expect(document.project).toBe("eks-platform");
        expect(document.stack).toBe("prod");
        for (const resource of document.resources) {
            expect(Object.keys(resource)).toEqual(RESOURCE_FIELDS);
            expect(typeof resource.custom).toBe("boolean");
            expect(Array.isArray(resource.dependencies)).toBe(true);
        }
        expect(Array.isArray(document.policy.violations)).toBe(true);
        for (const violation of document.policy.violations) {
            expect(Object.keys(violation)).toEqual(expect.arrayContaining(["policy", "enforcementLevel", "urn", "message"]));
        }
    });

    it("parents, providers and dependencies point at recorded resources", () => {
        const document = JSON.parse(result.stdout);
        const urns = new Set(document.resources.map((r: { urn: string }) => r.urn));
        for (const resource of document.resources) {
            if (resource.parent) expect(urns).toContain(resource.parent);
            if (resource.provider) expect(urns).toContain(resource.provider);
            for (const dependency of resource.dependencies) expect(urns).toContain(dependency);
        }
    });
});

describe("exit codes and messages", () => {
    it("a plan with a mandatory violation exits 1 and names it", () => {
        const result = runScript(PLAN, ["--project-dir", fixture("noncompliant"), "--stack", "test", "--json"]);
        expect(result.status).toBe(1);
        const document = JSON.parse(result.stdout);
        const rules = document.policy.violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory").map((v: { policy: string }) => v.policy);
        expect(rules).toEqual(expect.arrayContaining(["kms-key-rotation", "s3-bucket-encryption"]));
    });

    it("secure: config values are secret: the ciphertext and the value are never printed", () => {
        const result = runScript(PLAN, ["--project-dir", fixture("noncompliant"), "--stack", "test", "--json"]);
        const stackFile = readFileSync(join(fixture("noncompliant"), "Pulumi.test.yaml"), "utf8");
        const ciphertext = /secure: (\S+)/.exec(stackFile)![1];
        expect(result.stdout).not.toContain(ciphertext);
        const document = JSON.parse(result.stdout);
        expect(document.outputs.token).toBe("[secret]");
        const bucket = document.resources.find((r: { type: string }) => r.type === "aws:s3/bucket:Bucket");
        expect(bucket.inputs.tags).toEqual({ token: "[secret]" });
    });

    it("duplicate URNs are an error, as the engine would make them", () => {
        const result = runScript(PLAN, ["--project-dir", fixture("duplicates"), "--stack", "test"]);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("duplicate URNs");
        expect(result.stderr).toContain("aws:sqs/queue:Queue::same");
    });

    it("invalid config exits 2 with the problem on stderr, nothing on stdout, no stack trace", () => {
        const dev = readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8").replace('kubernetesVersion: "1.35"', 'kubernetesVersion: "1.21"');
        const result = runScript(PLAN, ["--project-dir", projectWithStack("broken", dev), "--stack", "broken", "--json"]);
        expect(result.status).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain('Invalid configuration for stack "broken"');
        expect(result.stderr).toContain('eks-platform:kubernetesVersion = "1.21"');
        expect(result.stderr).not.toMatch(/\n\s+at /);
    });

    it("an invalid --policy-config file is a usage error: exit 2 with the message, nothing on stdout", () => {
        const dir = mkdtempSync(join(tmpdir(), "policy-config-"));
        const file = join(dir, "policy.json");
        writeFileSync(file, JSON.stringify({ "no-such-policy": "mandatory" }));
        const result = runScript(PLAN, ["--stack", "dev", "--json", "--policy-config", file]);
        expect(result.status).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(new RegExp(`^plan: ${file}: .*no-such-policy`));
        expect(result.stderr).not.toContain("the program failed");
        writeFileSync(file, "{ not json");
        const broken = runScript(PLAN, ["--stack", "dev", "--policy-config", file]);
        expect(broken.status).toBe(2);
        expect(broken.stderr).toMatch(new RegExp(`^plan: ${file}: invalid JSON`));
    });

    it("a stack whose derived names AWS would refuse (Staging_EU) exits 2 naming the bucket and S3's rule", () => {
        const dev = readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8");
        const result = runScript(PLAN, ["--project-dir", projectWithStack("Staging_EU", dev), "--stack", "Staging_EU", "--json"]);
        expect(result.status).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain('the Velero backup bucket would be named "eks-platform-Staging_EU-backups-<account-id>"');
        expect(result.stderr).toContain("an S3 bucket name must be 3-63 lowercase letters");
    });

    it("more zones than the account has in a Region the table lacks: the program stops before any subnet, naming azCount", () => {
        const dev = readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8").replace("aws:region: eu-west-1", "aws:region: eu-south-7").replace("azCount: 2", "azCount: 4");
        const result = runScript(PLAN, ["--project-dir", projectWithStack("zones", dev), "--stack", "zones", "--json"]);
        expect(result.status).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toBe(
            "plan: the program failed: network.azCount is 4, but this account has 3 available Availability Zones in the Region (eu-south-7a, eu-south-7b, eu-south-7c): set network.azCount to at most 3\n",
        );
    });

    it("an unknown stack exits 2 and lists the stacks that exist", () => {
        const result = runScript(PLAN, ["--stack", "nope"]);
        expect(result.status).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain('no stack "nope"');
        expect(result.stderr).toContain("dev, prod");
    });

    it("an unknown option exits 2", () => {
        const result = runScript(PLAN, ["--stak", "dev"]);
        expect(result.status).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain("unknown option");
    });
});

describe("--preview", () => {
    it("leaves provider-computed outputs unknown and still reports", () => {
        const result = runScript(PLAN, ["--project-dir", fixture("noncompliant"), "--stack", "test", "--preview", "--json"]);
        const document = JSON.parse(result.stdout);
        expect(document.outputs.keyArn).toBe("[unknown]");
        expect(result.status).toBe(1);
    });
});

describe("the readable plan", () => {
    it("marks [protect] on remote components too, as --json records it (prod's EKS cluster)", () => {
        const result = runScript(PLAN, ["--stack", "prod"]);
        expect(result.status).toBe(0);
        expect(result.stdout).toMatch(/─ eks:index:Cluster {2}cluster \(remote component\) \[protect\]\n/);
        expect(result.stdout).toMatch(/─ eks:index:ManagedNodeGroup {2}node-group-system \(remote component\)\n/);
    });

    it("prints the component tree, counts and the policy report", () => {
        const result = runScript(PLAN, ["--project-dir", fixture("noncompliant"), "--stack", "test"]);
        expect(result.stdout).toContain("└─ aws:s3/bucket:Bucket  unencrypted");
        expect(result.stdout).toMatch(/Resources: 2 \(2 custom/);
        expect(result.stdout).toMatch(/Policy report: \d+ mandatory/);
    });
});
