// Every GitHub Actions workflow of the repository, checked offline: valid YAML, a sound job
// graph, scripts and paths that exist, pinned actions, guarded cloud jobs, gated deploys.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HelmBinary } from "../plan/helm/binary";
import { helmForTests, platformChartMirror } from "./support/charts";
import { parsePlatformConfig } from "../config";
import { cidrContains } from "../config/cidr";
import { listStacks, loadStackConfig } from "../plan/stackConfig";
import { deployRunners } from "../scripts/deploy-runners";
import { INTEGRATION_RUNNER_LABELS } from "./integration/stackConfig";
import { SCOPES as MUTATION_SCOPES } from "./mutation/scopes.mjs";

const root = path.resolve(__dirname, "..");
const workflowDir = path.join(root, ".github", "workflows");
const scripts = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}
interface Job {
    "runs-on"?: string | string[];
    needs?: string | string[];
    if?: string;
    environment?: string | { name: string };
    permissions?: string | Record<string, string>;
    concurrency?: string | { group: string };
    env?: Record<string, unknown>;
    steps?: Step[];
    uses?: string;
}
interface Workflow {
    on?: unknown;
    permissions?: string | Record<string, string>;
    jobs?: Record<string, Job>;
}

function loadWorkflows(): { file: string; text: string }[] {
    if (!fs.existsSync(workflowDir)) return [];
    return fs
        .readdirSync(workflowDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => ({ file: f, text: fs.readFileSync(path.join(workflowDir, f), "utf8") }));
}

// --- checks: each returns a list of problems, so a broken in-memory workflow can prove they fail ---

const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const envName = (job: Job): string | undefined => (typeof job.environment === "string" ? job.environment : job.environment?.name);

function structureProblems(doc: unknown): string[] {
    if (doc === null || typeof doc !== "object") return ["not a YAML mapping"];
    const wf = doc as Workflow;
    const problems: string[] = [];
    if (wf.on === undefined) problems.push("no `on` trigger");
    if (wf.jobs === undefined || typeof wf.jobs !== "object" || Object.keys(wf.jobs).length === 0) problems.push("no `jobs`");
    for (const [id, job] of Object.entries(wf.jobs ?? {})) {
        if (job.uses === undefined && (!Array.isArray(job.steps) || job.steps.length === 0)) problems.push(`job ${id} has no steps`);
    }
    return problems;
}

function graphProblems(wf: Workflow): string[] {
    const jobs = wf.jobs ?? {};
    const problems: string[] = [];
    for (const [id, job] of Object.entries(jobs)) {
        for (const need of needsOf(job)) if (!(need in jobs)) problems.push(`job ${id} needs unknown job ${need}`);
    }
    const state = new Map<string, "visiting" | "done">();
    const visit = (id: string, trail: string[]): void => {
        if (state.get(id) === "done" || !(id in jobs)) return;
        if (state.get(id) === "visiting") {
            problems.push(`cycle: ${[...trail.slice(trail.indexOf(id)), id].join(" -> ")}`);
            return;
        }
        state.set(id, "visiting");
        for (const need of needsOf(jobs[id])) visit(need, [...trail, id]);
        state.set(id, "done");
    };
    for (const id of Object.keys(jobs)) visit(id, []);
    return problems;
}

const NPM_RUN = /\bnpm\s+run(?:\s+--?[\w-]+)*\s+([\w:.-]+)/g;
const NPM_SHORTHAND = /\bnpm\s+(test|start)\b/g;
const PATH_AFTER = /\b(?:bash|sh|node|tsx|npx tsx)\s+((?:\.{0,2}\/)?[\w.-]+(?:\/[\w.-]+)+|[\w-]+\.(?:sh|ts|js|mjs))/g;
const PATH_FLAGS = /--(?:policy-pack|policy-pack-config|prefix|config)[ =]((?:\.{0,2}\/)?[\w.\/-]+)/g;

function referenceProblems(wf: Workflow, packageScripts: Record<string, string>, exists: (p: string) => boolean): string[] {
    const problems: string[] = [];
    for (const [id, job] of Object.entries(wf.jobs ?? {})) {
        for (const step of job.steps ?? []) {
            const run = step.run ?? "";
            for (const m of run.matchAll(NPM_RUN)) if (!(m[1] in packageScripts)) problems.push(`job ${id}: npm run ${m[1]}: no such script in package.json`);
            for (const m of run.matchAll(NPM_SHORTHAND)) if (!(m[1] in packageScripts)) problems.push(`job ${id}: npm ${m[1]}: no such script in package.json`);
            for (const m of [...run.matchAll(PATH_AFTER), ...run.matchAll(PATH_FLAGS)]) {
                if (!exists(m[1])) problems.push(`job ${id}: references ${m[1]}, which does not exist in the repository`);
            }
            if (step.uses?.startsWith("./") && !exists(step.uses)) problems.push(`job ${id}: local action ${step.uses} does not exist`);
        }
    }
    return problems;
}

const PINNED = /^[\w.-]+\/[\w.\/-]+@(v\d+(\.\d+)*|[0-9a-f]{40})$/;

function pinningProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [id, job] of Object.entries(wf.jobs ?? {})) {
        const uses = [...(job.uses ? [job.uses] : []), ...(job.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : []))];
        for (const u of uses) {
            if (u.startsWith("./")) continue;
            if (u.startsWith("docker://")) {
                if (!/@sha256:[0-9a-f]{64}$/.test(u)) problems.push(`job ${id}: ${u} is not pinned by digest`);
            } else if (!PINNED.test(u)) problems.push(`job ${id}: ${u} is not pinned to a version tag (@vN) or a commit SHA`);
        }
    }
    return problems;
}

const CLOUD_GUARD = /vars\.AWS_ROLE_ARN\s*!=\s*''/;

function usesCloud(job: Job): boolean {
    const text = JSON.stringify(job);
    return (
        (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") || /\bpulumi\s+(preview|up|destroy|refresh)\b/.test(s.run ?? "")) ||
        /secrets\.PULUMI_ACCESS_TOKEN/.test(text) ||
        /npm run test:integration/.test(text)
    );
}

/** The one job that must run the integration test without credentials, to report NOT RUN. */
const isNotRunReporter = (job: Job) => /vars\.AWS_ROLE_ARN\s*==\s*''/.test(job.if ?? "") && !/secrets\./.test(JSON.stringify(job));

function guardProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    const top = wf.permissions;
    if (top === undefined || typeof top === "string" || top["contents"] !== "read" || Object.keys(top).length !== 1) {
        problems.push("workflow permissions must be exactly { contents: read }");
    }
    for (const [id, job] of Object.entries(wf.jobs ?? {})) {
        const oidc = (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        const perms = typeof job.permissions === "object" ? job.permissions : {};
        if (oidc && perms["id-token"] !== "write") problems.push(`job ${id} assumes an AWS role but lacks permissions id-token: write`);
        if (!oidc && perms["id-token"] !== undefined) problems.push(`job ${id} asks for id-token without using OIDC`);
        if (perms["id-token"] !== undefined && perms["contents"] !== "read") problems.push(`job ${id} must keep contents: read next to id-token`);
        for (const [scope, level] of Object.entries(perms)) {
            if (level === "write" && scope !== "id-token") problems.push(`job ${id} has ${scope}: write`);
        }
        if (usesCloud(job) && !isNotRunReporter(job) && !CLOUD_GUARD.test(job.if ?? "")) {
            problems.push(`job ${id} uses cloud credentials but its if: does not check vars.AWS_ROLE_ARN != ''`);
        }
    }
    return problems;
}

const deploysStack = (job: Job, stack?: string): boolean =>
    (job.steps ?? []).some((s) => {
        const m = /\bpulumi\s+up\b.*--stack[ =]"?([\w.-]+)/.exec(s.run ?? "");
        return m !== null && (stack === undefined || m[1] === stack);
    });

function deployProblems(wf: Workflow): string[] {
    const jobs = wf.jobs ?? {};
    const problems: string[] = [];
    const deployJobs = Object.entries(jobs).filter(([, job]) => deploysStack(job));
    if (deployJobs.length === 0) return ["no job runs pulumi up --stack <name>"];
    for (const [id, job] of deployJobs) {
        const cond = job.if ?? "";
        if (!/github\.ref\s*==\s*'refs\/heads\/main'/.test(cond) || !/github\.event_name\s*==\s*'push'/.test(cond)) {
            problems.push(`deploy job ${id} must run only on push to main (its if: is ${JSON.stringify(cond)})`);
        }
        if (!(job.steps ?? []).some((s) => /\bpulumi\s+up\b.*--policy-pack[ =]policy\b/.test(s.run ?? ""))) problems.push(`deploy job ${id} must run pulumi up with --policy-pack policy`);
        const group = typeof job.concurrency === "string" ? job.concurrency : job.concurrency?.group;
        if (group === undefined) problems.push(`deploy job ${id} has no concurrency group (two deploys of one stack must never overlap)`);
    }
    const prod = deployJobs.filter(([, job]) => deploysStack(job, "prod"));
    const dev = new Set(deployJobs.filter(([, job]) => deploysStack(job, "dev")).map(([id]) => id));
    if (prod.length === 0) problems.push("no job deploys prod");
    for (const [id, job] of prod) {
        if (envName(job) !== "production") problems.push(`prod deploy job ${id} must use environment: production (manual approval)`);
        if (!needsOf(job).some((n) => dev.has(n))) problems.push(`prod deploy job ${id} must need the dev deploy job`);
    }
    return problems;
}

/**
 * Jobs that talk to a stack's API server (`pulumi preview` and `pulumi up` read and write
 * Kubernetes objects) must run on that stack's deploy runner, as the stacks job reads it from
 * `eks-platform:deployRunner`; GitHub's hosted runners reach neither a private endpoint nor an
 * allow-listed public one.
 */
function runnerProblems(wf: Workflow, stacks: string[]): string[] {
    const jobs = wf.jobs ?? {};
    const problems: string[] = [];
    const stacksJob = jobs.stacks;
    const computes = (stacksJob?.steps ?? []).some((s) => /npx tsx scripts\/deploy-runners\.ts/.test(s.run ?? "") && /runners=.*GITHUB_OUTPUT/s.test(s.run ?? ""));
    if (!computes || !/steps\.runners\.outputs\.runners/.test(JSON.stringify((stacksJob as { outputs?: unknown })?.outputs ?? {}))) {
        problems.push("job stacks must output `runners` from scripts/deploy-runners.ts");
    }
    const runsOn = (job: Job) => (Array.isArray(job["runs-on"]) ? job["runs-on"].join(",") : job["runs-on"] ?? "");
    for (const [id, job] of Object.entries(jobs)) {
        const text = (job.steps ?? []).map((s) => s.run ?? "").join("\n");
        const touches = /\bpulumi\s+(preview|up)\b.*--stack[ =]"?([^\s"]+)/.exec(text);
        if (!touches || id === "integration") continue;
        const target = touches[2];
        const expected = target === "${{" || target.includes("matrix.stack") ? "${{ fromJSON(needs.stacks.outputs.runners)[matrix.stack] }}" : `\${{ fromJSON(needs.stacks.outputs.runners).${target} }}`;
        if (runsOn(job) !== expected) problems.push(`job ${id} runs pulumi ${touches[1]} for ${target} on ${JSON.stringify(runsOn(job))}, not on the stack's deploy runner (${expected})`);
        if (!needsOf(job).includes("stacks")) problems.push(`job ${id} must need the stacks job (it computes the runners)`);
        if (!target.includes("matrix.stack") && target !== "${{" && !stacks.includes(target)) problems.push(`job ${id} deploys ${target}, which has no Pulumi.${target}.yaml`);
    }
    return problems;
}

function allProblems(wf: Workflow, exists = (p: string) => fs.existsSync(path.join(root, p))): string[] {
    return [...structureProblems(wf), ...graphProblems(wf), ...referenceProblems(wf, scripts, exists), ...pinningProblems(wf), ...guardProblems(wf)];
}

// --- the repository's workflows --------------------------------------------------------------

const workflows = loadWorkflows();

describe("the repository's GitHub Actions workflows", () => {
    it("exist, including the platform pipeline", () => {
        expect(workflows.map((w) => w.file)).toContain("platform.yaml");
    });

    describe.each(workflows)("$file", ({ text }) => {
        const doc = parse(text) as Workflow;

        it("is valid YAML with `on` and `jobs`", () => {
            expect(structureProblems(doc)).toEqual([]);
        });

        it("every needs names an existing job and the job graph has no cycle", () => {
            expect(graphProblems(doc)).toEqual([]);
        });

        it("every npm script and repository path it runs exists", () => {
            expect(referenceProblems(doc, scripts, (p) => fs.existsSync(path.join(root, p)))).toEqual([]);
        });

        it("every action is pinned to a version tag or commit SHA", () => {
            expect(pinningProblems(doc)).toEqual([]);
        });

        it("least privilege: contents read, id-token only with OIDC, cloud jobs guarded", () => {
            expect(guardProblems(doc)).toEqual([]);
        });
    });
});

describe("platform.yaml", () => {
    const doc = parse(fs.readFileSync(path.join(workflowDir, "platform.yaml"), "utf8")) as Workflow;
    const jobs = doc.jobs ?? {};
    const runs = (id: string) => (jobs[id]?.steps ?? []).map((s) => s.run ?? "").join("\n");

    it("deploys on push to main only, prod behind environment production and after dev", () => {
        expect(deployProblems(doc)).toEqual([]);
        expect(doc.on).toMatchObject({ push: { branches: ["main"] } });
    });

    it("every job that runs the policy pack installs it from its own lockfile (npm ci --prefix policy)", () => {
        const packJobs = Object.keys(jobs).filter((id) => /--policy-pack policy/.test(runs(id)) || /npm run test:integration/.test(runs(id)) && !/NOT RUN/.test(runs(id)));
        expect(packJobs.length).toBeGreaterThan(0);
        for (const id of packJobs) {
            expect(runs(id), id).toMatch(/npm ci --prefix policy\b/);
            expect(runs(id), id).not.toMatch(/npm install --prefix policy/);
        }
    });

    it("on pull requests: npm ci, npm test, the offline plan of every stack, the policy check", () => {
        expect(runs("test")).toMatch(/npm ci[\s\S]*npm test/);
        expect(runs("plan")).toMatch(/npm run --silent plan -- --stack "\$\{\{ matrix\.stack \}\}" --json/);
        expect(runs("plan")).toMatch(/enforcementLevel === "mandatory"/);
        expect(runs("stacks")).toContain("Pulumi.*.yaml");
        expect(runs("policy-check")).toMatch(/npm run --silent policy:check -- --format json/);
        expect(jobs.preview.if).toMatch(/pull_request/);
        expect(runs("preview")).toMatch(/pulumi preview .*--policy-pack policy/);
    });

    it("renders every stack's Helm releases (Helm from the runner or npm, charts from their repositories) before any deploy", () => {
        expect(jobs.render.needs).toEqual(["stacks"]);
        expect((jobs.render as unknown as { strategy: { matrix: { stack: string } } }).strategy.matrix.stack).toBe("${{ fromJSON(needs.stacks.outputs.stacks) }}");
        expect(runs("render")).toMatch(/npm ci[\s\S]*npm run --silent plan -- --stack "\$STACK" --json --render/);
        expect(runs("render")).not.toMatch(/--charts [^"$]/); // no fixed chart folder: the repositories, unless a mirror is configured
        expect(needsOf(jobs["deploy-dev"])).toContain("render");
    });

    describe("the render job's script, run as the runner runs it", () => {
        const step = () => (jobs.render?.steps ?? []).find((s) => s.run?.includes("--render"))!;
        let helm: HelmBinary | undefined;
        beforeAll(async () => {
            helm = await helmForTests();
        });
        beforeEach((context) => {
            if (!helm) context.skip();
        });

        function runStep(charts: string): { status: number | null; stdout: string } {
            const env = { ...process.env, STACK: "dev", PLATFORM_CHARTS_DIR: charts, PLATFORM_HELM: (helm as HelmBinary).path, FORCE_COLOR: "0" };
            try {
                const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step().run!], { cwd: root, env, encoding: "utf8" });
                return { status: result.status, stdout: result.stdout };
            } finally {
                fs.rmSync(path.join(root, "render.json"), { force: true });
            }
        }

        const ADMIN_BINDING =
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: too-much}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: []\n";
        /** One small chart per release of the dev plan; `bad` gets a cluster-admin binding. */
        const mirror = (bad?: string) => platformChartMirror((name) => (name === bad ? { "templates/admin.yaml": ADMIN_BINDING } : undefined));

        it("passes on compliant charts and fails, with an annotation naming release and object, on a cluster-admin binding", () => {
            const ok = runStep(mirror());
            expect(ok.status).toBe(0);
            expect(ok.stdout).toMatch(/^8 releases, 8 objects rendered with Helm v\d+\.\d+\.\d+: 0 mandatory violations$/m);
            const bad = runStep(mirror("trivy-operator"));
            expect(bad.status).toBe(1);
            expect(bad.stdout).toContain("::error title=k8s-no-cluster-admin-binding::release trivy-operator, ClusterRoleBinding too-much: binds the cluster-admin role");
            expect(bad.stdout).toMatch(/: 1 mandatory violations$/m);
        });
    });

    it("setup-node uses a Node line package.json supports, with the npm cache", () => {
        const setups = Object.values(jobs).flatMap((j) => (j.steps ?? []).filter((s) => s.uses?.startsWith("actions/setup-node@")));
        expect(setups.length).toBeGreaterThan(0);
        for (const s of setups) expect(s.with).toMatchObject({ cache: "npm" });
        const engines = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).engines.node as string;
        const supported = [...engines.matchAll(/\^(\d+)/g)].map((m) => m[1]);
        expect(supported.length).toBeGreaterThan(0);
        expect(supported).toContain(/NODE_VERSION: "(\d+)"/.exec(text())?.[1]);
    });

    it("the image gate is Trivy failing on fixable HIGH/CRITICAL", () => {
        const trivy = (jobs["image-scan"]?.steps ?? []).find((s) => s.uses?.startsWith("aquasecurity/trivy-action@"));
        expect(trivy?.with).toMatchObject({ severity: "HIGH,CRITICAL", "exit-code": "1", "ignore-unfixed": true });
    });

    it("the integration test runs on a schedule and on demand, with credentials, and says NOT RUN without them", () => {
        expect(doc.on).toHaveProperty("schedule");
        expect(doc.on).toHaveProperty("workflow_dispatch");
        expect(jobs.integration.if).toMatch(/schedule[\s\S]*workflow_dispatch[\s\S]*vars\.AWS_ROLE_ARN != ''/);
        expect(runs("integration")).toContain("npm run test:integration");
        expect(runs("integration")).toMatch(/pulumi destroy .*--remove/);
        expect(jobs["integration-not-configured"].if).toMatch(/vars\.AWS_ROLE_ARN == ''/);
        expect(runs("integration-not-configured")).toContain("npm run test:integration");
    });

    it("mutation testing runs on the schedule and on demand, incrementally, with the upstream data, and keeps its results", () => {
        const job = jobs.mutation;
        expect(job.if).toMatch(/github\.event_name == 'schedule' \|\| github\.event_name == 'workflow_dispatch'/);
        expect(job.if).not.toMatch(/pull_request|push/);
        expect(runs("mutation")).toMatch(/npm ci[\s\S]*npm run test:mutation/);
        expect(scripts["test:mutation"]).toBe("node scripts/ts-run.cjs scripts/mutation.ts");
        const step = (job.steps ?? []).find((s) => s.run?.includes("npm run test:mutation"))!;
        expect(step.env).toMatchObject({ CI: "true" });
        expect(String(step.env?.PLATFORM_UPSTREAM_DIR)).toContain(".upstream");
        const upload = (job.steps ?? []).find((s) => s.uses?.startsWith("actions/upload-artifact@"));
        expect(upload?.if).toBe("always()");
        expect(String(upload?.with?.path).split("\n")).toEqual(expect.arrayContaining(["reports/mutation/", "test/mutation/incremental/"]));
        expect((job as Job & { "timeout-minutes"?: number })["timeout-minutes"]).toBe(360);
        // One job per scope, each scope of test/mutation/scopes.mjs, each with its own results.
        const matrix = (job as Job & { strategy?: { matrix?: { scope?: string[] } } }).strategy?.matrix?.scope;
        expect([...(matrix ?? [])].sort()).toEqual(Object.keys(MUTATION_SCOPES).sort());
        expect(step.run).toContain("${{ matrix.scope }}");
        expect(String(upload?.with?.name)).toContain("${{ matrix.scope }}");
        expect(usesCloud(job)).toBe(false);
        // Hours for a first run: never part of `npm test` or the CI gate.
        expect(scripts.test).not.toMatch(/mutation|stryker/);
        expect(fs.readFileSync(path.join(root, ".ci", "run"), "utf8")).not.toMatch(/mutation|stryker/);
    });

    it("previews and deploys every stack from its own deploy runner", () => {
        expect(runnerProblems(doc, listStacks(root))).toEqual([]);
        expect(deployRunners(root)).toEqual(Object.fromEntries(listStacks(root).map((stack) => [stack, parsePlatformConfig(loadStackConfig(root, stack)).deployRunner?.labels])));
    });

    it("runs the integration test where the ephemeral stack's allow-list expects it (the job's own egress address)", () => {
        expect(jobs.integration["runs-on"]).toEqual(INTEGRATION_RUNNER_LABELS[0]);
    });

    function text(): string {
        return fs.readFileSync(path.join(workflowDir, "platform.yaml"), "utf8");
    }
});

/**
 * Every stack file against the workflow: a deploy runner that can reach its API server (a
 * private endpoint only from the VPC, a public one only from its allow-list), and the jobs
 * that touch the stack run there.
 */
describe.each(listStacks(root))("Pulumi.%s.yaml and the workflow", (stack) => {
    const config = parsePlatformConfig(loadStackConfig(root, stack));

    it("names a deploy runner that reaches its API server", () => {
        const runner = config.deployRunner;
        expect(runner, `eks-platform:deployRunner in Pulumi.${stack}.yaml`).toBeDefined();
        if (!config.endpoint.publicAccess) {
            expect(runner!.network).toBe("vpc");
            expect(runner!.labels.some((l) => /^(ubuntu|windows|macos)-/.test(l))).toBe(false);
        } else if (runner!.network === "public") {
            for (const cidr of runner!.sourceCidrs) expect(config.endpoint.publicAccessCidrs.some((allowed) => cidrContains(allowed, cidr)), cidr).toBe(true);
        }
    });

    it("is previewed (and, if deployed, deployed) on that runner", () => {
        const doc = parse(fs.readFileSync(path.join(workflowDir, "platform.yaml"), "utf8")) as Workflow;
        const onRunner = Object.entries(doc.jobs ?? {}).filter(([id, job]) => id !== "integration" && (job.steps ?? []).some((s) => /\bpulumi\s+(preview|up)\b/.test(s.run ?? "")));
        expect(onRunner.length).toBeGreaterThan(0);
        expect(runnerProblems(doc, listStacks(root))).toEqual([]);
        expect(deployRunners(root)[stack]).toEqual(config.deployRunner!.labels);
    });
});

// --- the checks can fail ---------------------------------------------------------------------

describe("the checks catch a broken workflow (in memory)", () => {
    const broken = parse(`
on: push
permissions: write-all
jobs:
  a:
    needs: [c]
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@main
      - run: npm run no-such-script && bash .ci/missing-script
  b:
    needs: [a, ghost]
    runs-on: ubuntu-24.04
    permissions: { contents: write, id-token: write }
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
      - uses: docker://alpine:3
  c:
    needs: b
    runs-on: ubuntu-24.04
    steps:
      - run: pulumi up --stack prod --yes
  d:
    runs-on: ubuntu-24.04
`) as Workflow;

    it("finds every problem", () => {
        expect(structureProblems(broken)).toEqual(["job d has no steps"]);
        expect(graphProblems(broken)).toEqual(["job b needs unknown job ghost", "cycle: a -> c -> b -> a"]);
        expect(referenceProblems(broken, scripts, (p) => fs.existsSync(path.join(root, p)))).toEqual([
            "job a: npm run no-such-script: no such script in package.json",
            "job a: references .ci/missing-script, which does not exist in the repository",
        ]);
        expect(pinningProblems(broken)).toEqual([
            "job a: actions/checkout@main is not pinned to a version tag (@vN) or a commit SHA",
            "job b: docker://alpine:3 is not pinned by digest",
        ]);
        expect(guardProblems(broken)).toEqual([
            "workflow permissions must be exactly { contents: read }",
            "job b must keep contents: read next to id-token",
            "job b has contents: write",
            "job b uses cloud credentials but its if: does not check vars.AWS_ROLE_ARN != ''",
            "job c uses cloud credentials but its if: does not check vars.AWS_ROLE_ARN != ''",
        ]);
        expect(deployProblems(broken)).toEqual([
            'deploy job c must run only on push to main (its if: is "")',
            "deploy job c must run pulumi up with --policy-pack policy",
            "deploy job c has no concurrency group (two deploys of one stack must never overlap)",
            "prod deploy job c must use environment: production (manual approval)",
            "prod deploy job c must need the dev deploy job",
        ]);
        expect(allProblems(broken).length).toBeGreaterThan(10);
    });

    it("rejects a document without on or jobs, and non-mappings", () => {
        expect(structureProblems(parse("name: x\n"))).toEqual(["no `on` trigger", "no `jobs`"]);
        expect(structureProblems(parse("- a\n"))).toEqual(["no `on` trigger", "no `jobs`"]);
        expect(structureProblems(null)).toEqual(["not a YAML mapping"]);
    });

    it("accepts SHA pins and version tags, rejects branches and bare names", () => {
        const wf = (uses: string): Workflow => ({ jobs: { a: { steps: [{ uses }] } } });
        expect(pinningProblems(wf("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"))).toEqual([]);
        expect(pinningProblems(wf("aquasecurity/trivy-action@v0.36.0"))).toEqual([]);
        expect(pinningProblems(wf("actions/checkout@master"))).toHaveLength(1);
        expect(pinningProblems(wf("actions/checkout"))).toHaveLength(1);
        expect(pinningProblems(wf("actions/checkout@0.28.0"))).toHaveLength(1);
    });

    it("a real workflow mutated to deploy prod from a GitHub-hosted runner fails", () => {
        const doc = parse(fs.readFileSync(path.join(workflowDir, "platform.yaml"), "utf8")) as Workflow;
        doc.jobs!["deploy-prod"]["runs-on"] = "ubuntu-24.04";
        doc.jobs!["deploy-prod"].needs = ["deploy-dev"];
        expect(runnerProblems(doc, ["dev", "prod"])).toEqual([
            'job deploy-prod runs pulumi up for prod on "ubuntu-24.04", not on the stack\'s deploy runner (${{ fromJSON(needs.stacks.outputs.runners).prod }})',
            "job deploy-prod must need the stacks job (it computes the runners)",
        ]);
    });

    it("a real workflow mutated to deploy prod without approval fails", () => {
        const doc = parse(fs.readFileSync(path.join(workflowDir, "platform.yaml"), "utf8")) as Workflow;
        delete doc.jobs!["deploy-prod"].environment;
        doc.jobs!["deploy-prod"].needs = ["test"];
        expect(deployProblems(doc)).toEqual([
            "prod deploy job deploy-prod must use environment: production (manual approval)",
            "prod deploy job deploy-prod must need the dev deploy job",
        ]);
    });
});
