/**
 * `npm run test:mutation [-- scope... [--force] [--ignore-static] [--retest-survivors]]`: StrykerJS over the modules where a wrong line is
 * a security hole (test/mutation/scopes.mjs), one scope after the other, incrementally: only
 * mutants whose code or tests changed since the committed results (test/mutation/incremental/)
 * are run again. Then the score per module, and every surviving mutant that
 * test/mutation/equivalent.json does not explain (a gap in the tests: kill it or explain it).
 *
 * `--ignore-static` leaves out the static mutants (code run while a module loads, for which Stryker
 * runs every test of the scope): a first run that fits a sitting; a later run without the flag
 * tests those, and only those (Stryker reruns what it ignored before).
 *
 * `--retest-survivors` tests the stored survivors again, whatever changed: Stryker reuses a surviving
 * static mutant while its code is unchanged, even when new tests would kill it; dropping the
 * survivors from the stored results makes them new mutants to it (a cheap `--force` for them alone).
 *
 * `--write-scores` runs nothing: it rewrites the score table of docs/testing.md from the committed
 * results (after a run and its results are in test/mutation/incremental/).
 *
 * Exit codes: 0 every mutant killed or explained; 1 unexplained survivors, static mutants not run,
 * or Stryker failed;
 * 2 usage. Not part of `npm test`: a first run takes hours on two cores (docs/testing.md).
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..");
const STRYKER = join(ROOT, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");
export const EQUIVALENTS_FILE = join(ROOT, "test", "mutation", "equivalent.json");

/** What mutation-testing-report-schema (Stryker's JSON report) says of one mutant; only the fields read here. */
interface ReportMutant {
    id: string;
    mutatorName: string;
    replacement?: string;
    status: "Killed" | "Survived" | "NoCoverage" | "Timeout" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";
    statusReason?: string;
    location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

interface Report {
    files: Record<string, { source: string; mutants: ReportMutant[] }>;
}

/** A survivor the tests cannot kill because the mutated code behaves the same: why, and which mutant. */
export interface EquivalentMutant {
    file: string;
    mutator: string;
    /** The source line of the mutant, trimmed (survives line moves; a changed line needs a new review). */
    line: string;
    replacement: string;
    reason: string;
}

export interface ModuleScore {
    module: string;
    killed: number;
    survived: number;
    noCoverage: number;
    timeout: number;
    /** Mutants the type checker rejected: not valid programs, not counted. */
    compileErrors: number;
    explained: number;
    /** Static mutants a run with `--ignore-static` left out: neither killed nor survived, not counted. */
    staticNotRun: number;
    /** (killed + timeout) / (killed + timeout + survived + noCoverage), in percent. */
    score: number;
    /** The same, with the explained equivalent survivors counted as not applicable. */
    scoreWithoutEquivalents: number;
}

/** The module a file belongs to, for the score table of docs/testing.md. */
export function moduleOf(file: string): string {
    if (/^components\/(.*\.iam\.ts|shared\/iamDocuments\.ts)$/.test(file)) return "components: IAM documents";
    if (file.startsWith("components/")) return "components: namespace baseline and access control";
    if (file.startsWith("policy/policies/")) return `policy/policies/${file.split("/")[2].replace(/\.ts$/, "")}`;
    return file.split("/").slice(0, -1).join("/") || file;
}

function sourceLine(source: string, mutant: ReportMutant): string {
    return (source.split("\n")[mutant.location.start.line - 1] ?? "").trim();
}

export function isExplained(file: string, source: string, mutant: ReportMutant, equivalents: EquivalentMutant[]): boolean {
    const line = sourceLine(source, mutant);
    return equivalents.some((e) => e.file === file && e.mutator === mutant.mutatorName && e.line === line && e.replacement === (mutant.replacement ?? ""));
}

/** Stryker's status reason for a static mutant under `ignoreStatic` (documentation is ignored too, for another reason). */
function isStaticNotRun(mutant: ReportMutant): boolean {
    return mutant.status === "Ignored" && /^Static mutant/.test(mutant.statusReason ?? "");
}

export function scores(report: Report, equivalents: EquivalentMutant[]): { modules: ModuleScore[]; unexplained: string[] } {
    const modules = new Map<string, ModuleScore>();
    const unexplained: string[] = [];
    for (const [file, { source, mutants }] of Object.entries(report.files)) {
        const name = moduleOf(file);
        const score = modules.get(name) ?? { module: name, killed: 0, survived: 0, noCoverage: 0, timeout: 0, compileErrors: 0, explained: 0, staticNotRun: 0, score: 0, scoreWithoutEquivalents: 0 };
        modules.set(name, score);
        for (const mutant of mutants) {
            if (mutant.status === "Killed") score.killed++;
            else if (mutant.status === "Timeout") score.timeout++;
            else if (mutant.status === "CompileError") score.compileErrors++;
            else if (isStaticNotRun(mutant)) score.staticNotRun++;
            else if (mutant.status === "Survived" || mutant.status === "NoCoverage") {
                if (mutant.status === "Survived") score.survived++;
                else score.noCoverage++;
                if (isExplained(file, source, mutant, equivalents)) score.explained++;
                else unexplained.push(`${file}:${mutant.location.start.line}:${mutant.location.start.column + 1} ${mutant.mutatorName} ${mutant.status}: ${sourceLine(source, mutant)}  ->  ${JSON.stringify(mutant.replacement ?? "")}`);
            }
        }
    }
    for (const m of modules.values()) {
        const detected = m.killed + m.timeout;
        const valid = detected + m.survived + m.noCoverage;
        m.score = valid === 0 ? 100 : (100 * detected) / valid;
        m.scoreWithoutEquivalents = valid - m.explained === 0 ? 100 : (100 * detected) / (valid - m.explained);
    }
    return { modules: [...modules.values()].sort((a, b) => a.module.localeCompare(b.module)), unexplained };
}

/** The stored results without their survivors, so that Stryker's next incremental run tests those again. */
export function withoutSurvivors<R extends Report>(report: R): R {
    const files = Object.fromEntries(
        Object.entries(report.files).map(([file, result]) => [file, { ...result, mutants: result.mutants.filter((m) => m.status !== "Survived" && m.status !== "NoCoverage") }]),
    );
    return { ...report, files } as R;
}

export function scoreTable(modules: ModuleScore[]): string {
    const rows = modules.map((m) =>
        [m.module, m.killed + m.timeout, m.survived + m.noCoverage, m.explained, m.compileErrors, `${m.score.toFixed(1)}%`, `${m.scoreWithoutEquivalents.toFixed(1)}%`, m.staticNotRun].join(" | "),
    );
    return [
        "| module | killed | survived | of which equivalent | invalid (type errors) | score | score without equivalents | static, not run yet |",
        "|---|---|---|---|---|---|---|---|",
        ...rows.map((r) => `| ${r} |`),
    ].join("\n");
}

export const TESTING_DOC = join(ROOT, "docs", "testing.md");
const SCORES_START = "<!-- scores:start -->";
const SCORES_END = "<!-- scores:end -->";

/** The committed results of each scope (Stryker's incremental files are full reports), and the scopes that have none yet. */
export function committedReports(scopes: string[], fileOf: (scope: string) => string): { reports: Report[]; unmeasured: string[] } {
    const files = scopes.map((scope) => ({ scope, file: join(ROOT, fileOf(scope)) }));
    return {
        reports: files.filter(({ file }) => existsSync(file)).map(({ file }) => JSON.parse(readFileSync(file, "utf8")) as Report),
        unmeasured: files.filter(({ file }) => !existsSync(file)).map(({ scope }) => scope),
    };
}

/** The score table of the committed results, as docs/testing.md shows it, and what is not measured yet. */
export function committedScoreTable(scopes: string[], fileOf: (scope: string) => string): string {
    const { reports, unmeasured } = committedReports(scopes, fileOf);
    const files = Object.assign({}, ...reports.map((r) => r.files)) as Report["files"];
    const table = scoreTable(scores({ files }, readEquivalents()).modules);
    if (unmeasured.length === 0) return table;
    return `${table}\n\nNot measured yet (no committed results; \`npm run test:mutation -- <scope>\` makes them): ${unmeasured.map((s) => `\`${s}\``).join(", ")}.`;
}

/** The score section of docs/testing.md: what lies between its markers. */
export function documentedScores(doc = readFileSync(TESTING_DOC, "utf8")): string {
    const start = doc.indexOf(SCORES_START);
    const end = doc.indexOf(SCORES_END);
    if (start < 0 || end < start) throw new Error(`${relative(ROOT, TESTING_DOC)} has no ${SCORES_START} ... ${SCORES_END} section`);
    return doc.slice(start + SCORES_START.length, end).trim();
}

/** Rewrites the score table of docs/testing.md from the committed results; the prose around it stays. */
function writeScores(scopes: string[], fileOf: (scope: string) => string, date: string): void {
    const doc = readFileSync(TESTING_DOC, "utf8");
    const section = `Scores of the committed results (\`test/mutation/incremental/\`), written ${date}:\n\n${committedScoreTable(scopes, fileOf)}`;
    const start = doc.indexOf(SCORES_START) + SCORES_START.length;
    writeFileSync(TESTING_DOC, `${doc.slice(0, start)}\n${section}\n${doc.slice(doc.indexOf(SCORES_END))}`);
    process.stdout.write(`${relative(ROOT, TESTING_DOC)}: score table rewritten (${date})\n`);
}

function readEquivalents(): EquivalentMutant[] {
    return existsSync(EQUIVALENTS_FILE) ? (JSON.parse(readFileSync(EQUIVALENTS_FILE, "utf8")) as EquivalentMutant[]) : [];
}

async function main(): Promise<void> {
    const { SCOPES, incrementalFileOf } = (await import("../test/mutation/scopes.mjs")) as {
        SCOPES: Record<string, { description: string }>;
        incrementalFileOf: (scope: string) => string;
    };
    const args = process.argv.slice(2);
    const force = args.includes("--force");
    const ignoreStatic = args.includes("--ignore-static");
    const retestSurvivors = args.includes("--retest-survivors");
    const unknown = args.filter((a) => a.startsWith("-") && !["--force", "--ignore-static", "--retest-survivors", "--write-scores"].includes(a));
    const named = args.filter((a) => !a.startsWith("-"));
    const bad = named.filter((n) => !(n in SCOPES));
    if (unknown.length > 0 || bad.length > 0) {
        process.stderr.write(`usage: npm run test:mutation -- [${Object.keys(SCOPES).join("|")}]... [--force] [--ignore-static] [--retest-survivors] | --write-scores\n${[...unknown, ...bad].map((a) => `unknown argument ${a}`).join("\n")}\n`);
        process.exit(2);
    }
    if (args.includes("--write-scores")) {
        try {
            writeScores(Object.keys(SCOPES), incrementalFileOf, new Date().toISOString().slice(0, 10));
        } catch (error) {
            process.stderr.write(`${(error as Error).message}\n`);
            process.exit(1);
        }
        return;
    }
    const scopes = named.length > 0 ? named : Object.keys(SCOPES);
    const equivalents = readEquivalents();
    let failed = false;
    const allModules: ModuleScore[] = [];
    const allUnexplained: string[] = [];
    for (const scope of scopes) {
        process.stdout.write(`\n== mutation scope ${scope}: ${SCOPES[scope].description}\n`);
        const stored = join(ROOT, incrementalFileOf(scope));
        if (retestSurvivors && existsSync(stored)) writeFileSync(stored, JSON.stringify(withoutSurvivors(JSON.parse(readFileSync(stored, "utf8")) as Report)));
        const started = Date.now();
        const run = spawnSync(process.execPath, [STRYKER, "run", "--incremental", ...(force ? ["--force"] : []), ...(ignoreStatic ? ["--ignoreStatic"] : [])], {
            cwd: ROOT,
            stdio: "inherit",
            env: { ...process.env, MUTATION_SCOPE: scope },
        });
        process.stdout.write(`== ${scope}: Stryker exited ${run.status} after ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
        if (run.status !== 0) {
            failed = true;
            continue;
        }
        const reportFile = join(ROOT, "reports", "mutation", `${scope}.json`);
        const { modules, unexplained } = scores(JSON.parse(readFileSync(reportFile, "utf8")) as Report, equivalents);
        allModules.push(...modules);
        allUnexplained.push(...unexplained);
        process.stdout.write(`== ${scope}: report ${relative(ROOT, reportFile)} (and .html)\n`);
    }
    const summary = [scoreTable(allModules)];
    const notRun = allModules.reduce((sum, m) => sum + m.staticNotRun, 0);
    if (notRun > 0) summary.push(`${notRun} static mutant(s) not run (--ignore-static): a run without the flag tests them, and only them, incrementally.`);
    if (allUnexplained.length > 0) {
        summary.push(`${allUnexplained.length} surviving mutant(s) no test kills and ${relative(ROOT, EQUIVALENTS_FILE)} does not explain:\n${allUnexplained.join("\n")}`);
    }
    process.stdout.write(`\n${summary.join("\n\n")}\n`);
    // The workflow's job summary.
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `## Mutation testing (${scopes.join(", ")})\n\n${summary.join("\n\n```\n")}${allUnexplained.length > 0 ? "\n```" : ""}\n`);
    process.exit(failed || allUnexplained.length > 0 || notRun > 0 ? 1 : 0);
}

if (require.main === module) {
    main().catch((error: unknown) => {
        process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
        process.exit(1);
    });
}
