// Levels per environment: the generated config files, what they may differ in, and how the plan
// and CI pick them.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ENVIRONMENTS } from "../../config/schema";
import { policyConfigPathOf } from "../../plan";
import { loadPolicyPackConfig, platformPolicyConfigPath, platformPolicyConfigPathFor } from "../../policy/engine";
import { resolvePolicyConfig } from "../../policy/lib/config";
import { ENVIRONMENT_CLASSES, ENVIRONMENT_LEVELS } from "../../policy/lib/environments";
import { allPolicies } from "../../policy/policies";
import { renderEnvironmentConfig } from "../../policy/tools/policy-configs";

const ROOT = path.resolve(__dirname, "../..");
const levelsOf = (file: string) => new Map([...resolvePolicyConfig(allPolicies, loadPolicyPackConfig(file))].map(([name, entry]) => [name, entry.enforcementLevel]));
const ENVIRONMENT_DEPENDENT = ["cloudwatch-log-group-retention", "eks-cluster-deletion-protection", "eks-cluster-endpoint-not-public", "s3-bucket-access-logging", "s3-bucket-object-lock"];

describe("policy config per environment", () => {
    it("has one file per environment class of the stack config", () => {
        expect([...ENVIRONMENT_CLASSES]).toEqual([...ENVIRONMENTS]);
        for (const environment of ENVIRONMENT_CLASSES) {
            expect(path.relative(ROOT, platformPolicyConfigPathFor(environment))).toBe(`policy/platform-policy-config.${environment}.json`);
        }
        expect(platformPolicyConfigPathFor("qa")).toBe(platformPolicyConfigPath);
    });

    it.each(ENVIRONMENT_CLASSES)("the %s file is up to date with the base config and the level table (`npx tsx policy/tools/policy-configs.ts`)", (environment) => {
        expect(readFileSync(platformPolicyConfigPathFor(environment), "utf8")).toBe(renderEnvironmentConfig(environment));
    });

    it("the files differ from each other and from the base only in the levels of the resilience/evidence policies", () => {
        expect(Object.keys(ENVIRONMENT_LEVELS).sort()).toEqual(ENVIRONMENT_DEPENDENT);
        const base = levelsOf(platformPolicyConfigPath);
        const files = Object.fromEntries(ENVIRONMENT_CLASSES.map((environment) => [environment, levelsOf(platformPolicyConfigPathFor(environment))]));
        for (const policy of allPolicies.map((p) => p.name)) {
            const levels = ENVIRONMENT_CLASSES.map((environment) => files[environment].get(policy));
            if (ENVIRONMENT_DEPENDENT.includes(policy)) {
                expect(levels, policy).toEqual(["advisory", "advisory", "mandatory"]);
            } else {
                expect(new Set(levels).size, policy).toBe(1);
            }
            // The base file is prod's levels: whoever still passes it gets the strictest.
            expect(files.prod.get(policy), policy).toBe(base.get(policy));
        }
        // Knobs and exemptions are the base file's in every environment.
        const stripLevels = (file: string) =>
            JSON.stringify(Object.entries(JSON.parse(readFileSync(file, "utf8"))).filter(([name]) => !ENVIRONMENT_DEPENDENT.includes(name)));
        for (const environment of ENVIRONMENT_CLASSES) expect(stripLevels(platformPolicyConfigPathFor(environment))).toBe(stripLevels(platformPolicyConfigPath));
    });

    it("a stack is planned with the file of its environment", () => {
        const source = (environment: string) => ({ project: "eks-platform", stack: "x", values: { "eks-platform:environment": environment }, secretKeys: [] });
        expect(path.relative(ROOT, policyConfigPathOf(source("dev")))).toBe("policy/platform-policy-config.dev.json");
        expect(path.relative(ROOT, policyConfigPathOf(source("prod")))).toBe("policy/platform-policy-config.prod.json");
        expect(policyConfigPathOf(source("nonsense"))).toBe(platformPolicyConfigPath);
    });

    it("scripts/policy-config-path.ts prints the file for a stack, and exits 2 for an unknown stack", () => {
        const run = (stack: string) => spawnSync(process.execPath, ["--import", "tsx", "scripts/policy-config-path.ts", "--stack", stack], { cwd: ROOT, encoding: "utf8" });
        expect(run("prod")).toMatchObject({ status: 0, stdout: "policy/platform-policy-config.prod.json\n" });
        expect(run("dev")).toMatchObject({ status: 0, stdout: "policy/platform-policy-config.dev.json\n" });
        const missing = run("nope");
        expect(missing.status).toBe(2);
        expect(missing.stdout).toBe("");
        expect(missing.stderr).toContain('no stack "nope"');
    });

    it("CI's pulumi preview and up pass the file of the stack they run", () => {
        const workflow = parse(readFileSync(path.join(ROOT, ".github/workflows/platform.yaml"), "utf8")) as { jobs: Record<string, { steps?: Array<{ run?: string }> }> };
        const runs = Object.values(workflow.jobs).flatMap((job) => (job.steps ?? []).map((s) => s.run ?? "")).filter((run) => /\bpulumi\s+(preview|up)\b.*--policy-pack\b/.test(run));
        expect(runs.length).toBe(3);
        for (const run of runs) {
            const stack = /pulumi\s+(?:preview|up)\s+--stack\s+("[^"]+"|\S+)/.exec(run)![1];
            expect(run).toContain(`config=$(npx tsx scripts/policy-config-path.ts --stack ${stack})`);
            expect(run).toMatch(/--policy-pack-config "\$config"/);
        }
    });
});
