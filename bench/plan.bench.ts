/**
 * `npm run bench`: how fast the offline plan answers and how it scales, the modeled time to a
 * ready platform, and the modeled monthly cost. Prints figures; asserts nothing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createPlan, stackFacts, type Plan } from "../plan";
import { estimateMonthlyCost, renderCost } from "../plan/cost";
import { criticalPath } from "../plan/timeline";
import type { StackConfigSource } from "../plan/stackConfig";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COMMAND_RUNS = Number(process.env.BENCH_COMMAND_RUNS ?? 5);
const ROOT = join(__dirname, "..");
const TENANT_COUNTS = (process.env.BENCH_TENANTS ?? "10,100,1000").split(",").map(Number);

function withTenants(count: number): (source: StackConfigSource) => StackConfigSource {
    return (source) => {
        const tenants = Array.from({ length: count }, (_, i) => ({
            name: `team-${String(i).padStart(4, "0")}`,
            owners: [`owner-${i}`],
            quota: "small",
            allowIngressFrom: i > 0 ? [{ namespace: `team-${String(i - 1).padStart(4, "0")}`, ports: [8080] }] : [],
        }));
        return { ...source, values: { ...source.values, [`${source.project}:tenants`]: JSON.stringify(tenants) } };
    };
}

async function timed(stack: string, transform?: (s: StackConfigSource) => StackConfigSource): Promise<{ ms: number; plan: Plan }> {
    const start = performance.now();
    const plan = await createPlan({ stack, transformConfig: transform });
    return { ms: performance.now() - start, plan };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function planSpeed(): Promise<void> {
    console.log(`\n## Offline plan (program + policies), median of ${RUNS} runs after one warm-up, in one process`);
    for (const stack of ["dev", "prod"]) {
        await timed(stack);
        const times: number[] = [];
        let resources = 0;
        for (let i = 0; i < RUNS; i++) {
            const { ms, plan } = await timed(stack);
            times.push(ms);
            resources = plan.document.resources.length;
        }
        console.log(`${stack.padEnd(5)} ${resources} resources  ${median(times).toFixed(0)} ms  (${(median(times) / resources).toFixed(2)} ms/resource)`);
    }
}

async function tenantScaling(): Promise<void> {
    console.log("\n## Scaling with tenant namespaces (dev stack)");
    console.log("tenants  resources  ms      ms/resource  ms/tenant");
    for (const count of TENANT_COUNTS) {
        const { ms, plan } = await timed("dev", withTenants(count));
        const resources = plan.document.resources.length;
        console.log(`${String(count).padStart(7)}  ${String(resources).padStart(9)}  ${ms.toFixed(0).padStart(6)}  ${(ms / resources).toFixed(3).padStart(11)}  ${(ms / count).toFixed(2).padStart(9)}`);
    }
}

async function modeledReadiness(): Promise<void> {
    for (const stack of ["dev", "prod"]) {
        const { plan } = await timed(stack);
        const path = criticalPath(plan.document.resources);
        console.log(`\n## Modeled time to a ready platform, ${stack}: ${(path.totalSeconds / 60).toFixed(1)} min along this chain`);
        for (const step of path.chain.filter((s) => s.seconds > 0)) {
            console.log(`  +${String(step.seconds).padStart(4)} s  -> ${String(step.finishesAt).padStart(5)} s  ${step.type}  ${step.name}`);
        }
        const facts = stackFacts(plan.source);
        console.log(`\n## Modeled monthly cost, ${stack}\n${renderCost(estimateMonthlyCost(plan.document.resources, facts.region, facts.costAssumptions))}`);
    }
}

/** What each prod choice costs: the prod stack with one choice set back to dev's, priced both ways. */
const PROD_CHOICES: Array<{ choice: string; patch: (values: Record<string, string>) => void }> = [
    { choice: "a NAT gateway per AZ (vs one)", patch: (v) => setIn(v, "network", (n) => ({ ...n, natGateways: "single" })) },
    { choice: "three AZs (vs two)", patch: (v) => setIn(v, "network", (n) => ({ ...n, azCount: 2, natGateways: "perAz", privateSubnetCidrs: undefined, publicSubnetCidrs: undefined })) },
    { choice: "system nodes m6i.xlarge x3 (vs t3.large x2)", patch: (v) => setIn(v, "nodeGroups", (g) => g.map((x: any) => (x.role === "system" ? { ...x, instanceTypes: ["t3.large"], minSize: 2, desiredSize: 2 } : x))) },
    { choice: "application nodes m6i.2xlarge x3 on-demand (vs t3.large x1 spot)", patch: (v) => setIn(v, "nodeGroups", (g) => g.map((x: any) => (x.role === "application" ? { ...x, instanceTypes: ["t3.large"], capacityType: "SPOT", minSize: 1, desiredSize: 1 } : x))) },
    { choice: "Prometheus 200 GiB x2, Alertmanager 10 GiB x2 (vs dev sizes)", patch: (v) => setIn(v, "addons", (a) => ({ ...a, monitoring: { ...a.monitoring, prometheusStorageGiB: 20, alertmanagerStorageGiB: 2 } })) },
];

function setIn(values: Record<string, string>, key: string, change: (value: any) => unknown): void {
    const fullKey = `eks-platform:${key}`;
    values[fullKey] = JSON.stringify(change(JSON.parse(values[fullKey])));
}

async function prodChoiceCosts(): Promise<void> {
    console.log("\n## What each prod choice costs per month (the prod stack priced with and without it)");
    const prodAssumptions = stackFacts((await timed("prod")).plan.source).costAssumptions;
    const monthly = async (environment: string, patch?: (values: Record<string, string>) => void) => {
        const { plan } = await timed("prod", (source) => {
            const values = { ...source.values, "eks-platform:environment": environment };
            patch?.(values);
            return { ...source, values };
        });
        // Priced with prod's usage throughout: only the choice differs.
        return estimateMonthlyCost(plan.document.resources, stackFacts(plan.source).region, prodAssumptions).totalMonthlyUsd;
    };
    const prod = await monthly("prod");
    // staging keeps prod's config but not prod's rules, so single choices can be undone one at a time.
    const staging = await monthly("staging");
    console.log(`  ${"environment prod: HA replicas (Prometheus, Alertmanager x2)".padEnd(66)} +${(prod - staging).toFixed(2).padStart(8)} USD`);
    for (const { choice, patch } of PROD_CHOICES) {
        const without = await monthly("staging", patch);
        console.log(`  ${choice.padEnd(66)} +${(staging - without).toFixed(2).padStart(8)} USD`);
    }
    console.log(`  ${"total prod".padEnd(66)}  ${prod.toFixed(2).padStart(8)} USD`);
}

/** Wall seconds of one run of `command`, which must succeed; its output is discarded. */
function wallSeconds(command: string[], env: NodeJS.ProcessEnv = process.env): number {
    const start = performance.now();
    const result = spawnSync(command[0], command.slice(1), { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`${command.join(" ")} exited ${result.status}: ${result.stderr}`);
    return (performance.now() - start) / 1000;
}

const medianSeconds = (command: string[], env?: NodeJS.ProcessEnv) => {
    wallSeconds(command, env); // warm-up: fills the compile caches as a user's first run does
    return median(Array.from({ length: COMMAND_RUNS }, () => wallSeconds(command, env)));
};

/** The plan as a user and CI start it, and what the start-up is made of. */
function commandStartup(): void {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const node = process.execPath;
    console.log(`\n## Whole command, wall clock, median of ${COMMAND_RUNS} after one warm-up (load average ${loadavg()[0].toFixed(2)})`);
    const rows: Array<[string, string[], NodeJS.ProcessEnv?]> = [
        ["npm run --silent plan -- --stack prod --json", [npm, "run", "--silent", "plan", "--", "--stack", "prod", "--json"]],
        ["the launcher alone (what the npm script runs)", [node, "--max-semi-space-size=32", "scripts/ts-run.cjs", "scripts/plan.ts", "--stack", "prod", "--json"]],
        ["the same through tsx (before: what `npm run plan` ran)", [join(ROOT, "node_modules", ".bin", "tsx"), "scripts/plan.ts", "--stack", "prod", "--json"]],
        ["node: load the Pulumi SDKs only", [node, "-e", 'require("@pulumi/pulumi");require("@pulumi/aws");require("@pulumi/kubernetes");require("@pulumi/eks")']],
        ["node: start and exit", [node, "-e", ""]],
        ["npm itself: npm exec -- node -e \"\"", [npm, "exec", "--offline", "--", "node", "-e", ""]],
    ];
    for (const [label, command, env] of rows) console.log(`  ${medianSeconds(command, env).toFixed(2).padStart(5)} s  ${label}`);
    // The first plan after `npm ci` or a change: nothing compiled yet (a fresh cache directory per run).
    const cold = Array.from({ length: COMMAND_RUNS }, () =>
        wallSeconds([npm, "run", "--silent", "plan", "--", "--stack", "prod", "--json"], { ...process.env, EKS_PLATFORM_CACHE_DIR: mkdtempSync(join(tmpdir(), "plan-cold-")) }),
    );
    console.log(`  ${median(cold).toFixed(2).padStart(5)} s  npm run --silent plan -- --stack prod --json with empty caches (first run after npm ci)`);
}

async function main(): Promise<void> {
    console.log(`# eks-platform benchmarks: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
    if (process.env.BENCH_ONLY !== "plan") commandStartup();
    if (process.env.BENCH_ONLY === "startup") return;
    await planSpeed();
    await tenantScaling();
    await modeledReadiness();
    await prodChoiceCosts();
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
