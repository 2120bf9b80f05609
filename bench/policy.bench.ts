// `npm run bench:policy`: the offline checker on one large file, as CI would run it. The input is
// generated from the Kubernetes objects of the dev and prod plans and of the policy fixtures
// (compliant and violating pods of every kind), renamed so every object is distinct: 36,271
// documents. Each output format runs in its own process (`tsx policy/cli/check.ts`), timed and
// measured by /usr/bin/time (wall clock, peak resident memory); then the same input in-process,
// split into reading (YAML) and policy evaluation. Prints figures only.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { dump } from "js-yaml";
import { createPlan } from "../plan";
import { readResources } from "../policy/cli/inputs";
import { PolicySession } from "../policy/engine";
import { isKubernetesType, parseKubernetesType } from "../policy/lib/kubernetes";
import { compliantStack } from "../test/policy/helpers";
import { asKind, CONTROL_FIXTURES, POD_BEARING_TYPES, podWith } from "../test/policy/fixtures/podSecurity";
import { corpus, LATEST_MINOR } from "../test/policy/fixtures/podSecurityCorpus";

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 36_271);
const ROOT = path.resolve(__dirname, "..");

type Props = Record<string, any>;

/** Kubernetes objects (manifest form) of the plans and the fixtures. */
async function objectPool(): Promise<Props[]> {
    const pool: Props[] = [];
    for (const stack of ["dev", "prod"]) {
        const plan = await createPlan({ stack });
        for (const resource of plan.run.resources) {
            const type = parseKubernetesType(resource.type);
            if (!type || !resource.props.metadata) continue;
            pool.push({ apiVersion: type.group === "core" ? type.version : `${type.group}/${type.version}`, kind: type.kind, ...resource.props });
        }
    }
    for (const resource of compliantStack()) if (isKubernetesType(resource.type)) pool.push({ ...resource.props, ...kindOf(resource.type) });
    CONTROL_FIXTURES.forEach((fixture, i) => {
        for (const change of [fixture.deny, fixture.allow]) pool.push(asKind(POD_BEARING_TYPES[i % POD_BEARING_TYPES.length], "fixture", podWith(change)));
    });
    corpus("restricted", LATEST_MINOR).forEach((entry, i) => pool.push(asKind(POD_BEARING_TYPES[i % POD_BEARING_TYPES.length], "corpus", entry.pod as { spec: Props })));
    return pool;
}

function kindOf(type: string): Props {
    const parsed = parseKubernetesType(type)!;
    return { apiVersion: parsed.group === "core" ? parsed.version : `${parsed.group}/${parsed.version}`, kind: parsed.kind };
}

/** Writes `count` documents cycling through the pool, each renamed (and moved to one of 50 namespaces). */
function generate(file: string, pool: Props[], count: number): void {
    const documents: string[] = [];
    for (let i = 0; i < count; i++) {
        const object = structuredClone(pool[i % pool.length]);
        object.metadata = { ...(object.metadata ?? {}), name: `${object.metadata?.name ?? "object"}-${i}` };
        if (object.metadata.namespace !== undefined) object.metadata.namespace = `team-${i % 50}`;
        documents.push(dump(object, { noRefs: true, lineWidth: -1 }));
    }
    writeFileSync(file, documents.join("---\n"));
}

interface ProcessRun {
    format: string;
    exitCode: number | null;
    seconds: number;
    cpuSeconds: number;
    maxRssMb: number;
    outputMb: number;
}

function runChecker(format: string, file: string, outputDir: string): ProcessRun {
    const output = path.join(outputDir, `out.${format}`);
    const stats = path.join(outputDir, `time.${format}`);
    const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
    const run = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", "-o", stats, "sh", "-c", `"$0" policy/cli/check.ts --format ${format} "$1" > "$2"`, tsx, file, output], {
        cwd: ROOT,
        stdio: ["ignore", "inherit", "inherit"],
    });
    const [seconds, user, system, kilobytes] = readFileSync(stats, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
    return { format, exitCode: run.status, seconds, cpuSeconds: user + system, maxRssMb: kilobytes / 1024, outputMb: statSync(output).size / 1e6 };
}

function inProcess(file: string): { readMs: number; totalMs: number; resources: number; violations: number } {
    let start = performance.now();
    let resources = 0;
    for (const _ of readResources(file)) resources++;
    const readMs = performance.now() - start;
    start = performance.now();
    const session = new PolicySession();
    let violations = 0;
    for (const resource of readResources(file)) violations += session.add(resource).violations.length;
    violations += session.finish().violations.length;
    return { readMs, totalMs: performance.now() - start, resources, violations };
}

async function main(): Promise<void> {
    const dir = mkdtempSync(path.join(tmpdir(), "policy-bench-"));
    try {
        const pool = await objectPool();
        const file = path.join(dir, "manifests.yaml");
        generate(file, pool, DOCUMENTS);
        if (process.env.BENCH_WRITE_INPUT) copyFileSync(file, process.env.BENCH_WRITE_INPUT);
        const sizeMb = statSync(file).size / 1e6;
        console.log(`# policy:check on one file: ${DOCUMENTS.toLocaleString("en")} documents, ${sizeMb.toFixed(1)} MB (${pool.length} distinct objects, renamed)`);
        // Other work on the machine slows the wall clock; CPU time (user + system) does not move with it.
        console.log(`machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}, load average ${loadavg()[0].toFixed(1)}\n`);
        console.log("| format | exit | wall clock | documents/s (wall) | CPU time | documents/s (CPU) | peak memory (RSS) | output |");
        console.log("|---|---|---|---|---|---|---|---|");
        for (const format of ["json", "sarif", "text", "markdown"]) {
            const run = runChecker(format, file, dir);
            const rate = (seconds: number) => Math.round(DOCUMENTS / seconds).toLocaleString("en");
            console.log(
                `| ${run.format} | ${run.exitCode} | ${run.seconds.toFixed(1)} s | ${rate(run.seconds)} | ${run.cpuSeconds.toFixed(1)} s | ${rate(run.cpuSeconds)} | ` +
                    `${run.maxRssMb.toFixed(0)} MB | ${run.outputMb.toFixed(1)} MB |`,
            );
        }
        console.log(`load average after the runs: ${loadavg()[0].toFixed(1)}`);
        const phases = inProcess(file);
        console.log(
            `\nin one process (no start-up): reading ${phases.resources} objects ${(phases.readMs / 1000).toFixed(2)} s; ` +
                `reading + every policy ${(phases.totalMs / 1000).toFixed(2)} s ` +
                `(${Math.round((phases.resources / phases.totalMs) * 1000).toLocaleString("en")} documents/s), ${phases.violations} violations`,
        );
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

void main();
