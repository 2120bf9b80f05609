/**
 * The mutation-testing setup (`npm run test:mutation`, docs/testing.md) checked without running
 * Stryker: the scopes cover the modules the project decided to mutate and run tests that exist,
 * the committed incremental results cover each scope's files (or docs/testing.md names the scope
 * as not measured yet), every explained equivalent mutant still points at real code, and the
 * score arithmetic of scripts/mutation.ts.
 */
import { existsSync, globSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { committedScoreTable, documentedScores, EQUIVALENTS_FILE, moduleOf, scoreTable, scores, withoutSurvivors, type EquivalentMutant } from "../scripts/mutation";
import { incrementalFileOf, POLICY_TESTS_IN_ANOTHER_PROCESS, SCOPES } from "./mutation/scopes.mjs";

const ROOT = join(__dirname, "..");
const files = (pattern: string) => globSync(pattern, { cwd: ROOT }).sort();
const isOnlyReExports = (source: string) =>
    source
        .replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "")
        .replace(/export\s+(type\s+)?(\*|\{[^}]*\})\s+from\s+"[^"]+";?/g, "")
        .trim() === "";

describe("mutation scopes (test/mutation/scopes.mjs)", () => {
    it("mutate exactly the modules where a wrong line is a security hole", () => {
        const mutated = new Set(Object.values(SCOPES).flatMap((scope) => scope.mutate.flatMap(files)));
        const expected = [
            ...files("policy/lib/**/*.ts"),
            ...files("policy/policies/**/*.ts"),
            ...files("config/**/*.ts"),
            ...files("components/*.iam.ts"),
            "components/shared/iamDocuments.ts",
            "components/namespaceBaseline.ts",
            "components/tenantNamespace.ts",
            "components/accessControl.ts",
            "components/lockedNamespace.ts",
        ];
        expect([...mutated].sort()).toEqual([...new Set(expected)].sort());
        expect(files("components/*.iam.ts").length).toBeGreaterThanOrEqual(5);
    });

    it("every policy scope runs every test of the pack, bar those that run it in another process", () => {
        const inProcess = files("test/policy/*.test.ts").filter((test) => !POLICY_TESTS_IN_ANOTHER_PROCESS.includes(test));
        for (const [name, scope] of Object.entries(SCOPES).filter(([, s]) => s.mutate.some((pattern) => pattern.startsWith("policy/")))) {
            expect(inProcess.filter((test) => !scope.tests.includes(test)), name).toEqual([]);
        }
        for (const test of POLICY_TESTS_IN_ANOTHER_PROCESS) expect(existsSync(join(ROOT, test)), test).toBe(true);
    });

    it.each(Object.entries(SCOPES))("%s: mutates files no other scope mutates, and runs test files that exist and that npm test runs too", (name, scope) => {
        for (const pattern of scope.mutate) expect(files(pattern).length, pattern).toBeGreaterThan(0);
        const others = Object.entries(SCOPES).filter(([other]) => other !== name).flatMap(([, s]) => s.mutate.flatMap(files));
        expect(scope.mutate.flatMap(files).filter((f) => others.includes(f))).toEqual([]);
        expect(scope.tests.length).toBeGreaterThan(0);
        const suite = files("test/**/*.test.ts");
        for (const test of scope.tests) expect(suite, test).toContain(test);
    });

    it("tells a module of re-exports, which Stryker leaves out of its results, from a module with code", () => {
        expect(isOnlyReExports(readFileSync(join(ROOT, "config/index.ts"), "utf8"))).toBe(true);
        expect(isOnlyReExports('export { a } from "./a";\nexport const b = 1;\n')).toBe(false);
        expect(isOnlyReExports('// why\nexport type { A } from "./a";\nexport * from "./b";\n')).toBe(true);
    });

    it.each(Object.keys(SCOPES))("%s: its committed incremental results cover exactly its files, or docs/testing.md says it is not measured yet", (name) => {
        const file = join(ROOT, incrementalFileOf(name));
        if (!existsSync(file)) {
            expect(documentedScores(), `${file} is missing`).toMatch(new RegExp(`Not measured yet .*\`${name}\``));
            return;
        }
        const report = JSON.parse(readFileSync(file, "utf8")) as { schemaVersion: string; files: Record<string, unknown>; testFiles?: Record<string, unknown> };
        expect(report.schemaVersion).toMatch(/^\d/);
        const scopeFiles = [...new Set(SCOPES[name].mutate.flatMap(files))].sort();
        expect(Object.keys(report.files).filter((f) => !scopeFiles.includes(f))).toEqual([]);
        // Stryker leaves out a file it finds nothing to mutate in: only a module of re-exports may be absent.
        const absent = scopeFiles.filter((f) => !(f in report.files));
        expect(absent.filter((f) => !isOnlyReExports(readFileSync(join(ROOT, f), "utf8")))).toEqual([]);
    });
});

describe("explained equivalent mutants (test/mutation/equivalent.json)", () => {
    const equivalents = JSON.parse(readFileSync(EQUIVALENTS_FILE, "utf8")) as EquivalentMutant[];

    it.each(equivalents.map((e) => [`${e.file} ${e.mutator} ${e.line}`, e] as const))("%s: still names a line of the code, with a reason", (_label, entry) => {
        expect(existsSync(join(ROOT, entry.file)), entry.file).toBe(true);
        const lines = readFileSync(join(ROOT, entry.file), "utf8").split("\n").map((l) => l.trim());
        expect(lines, `${entry.file} no longer has this line: review the entry`).toContain(entry.line);
        expect(entry.reason.length).toBeGreaterThan(20);
    });

    it("has no entry twice", () => {
        const keys = equivalents.map((e) => JSON.stringify([e.file, e.mutator, e.line, e.replacement]));
        expect(new Set(keys).size).toBe(keys.length);
    });
});

describe("the score per module (scripts/mutation.ts)", () => {
    const source = "const a = 1;\nif (a > 0) run();\n";
    const mutant = (id: string, status: string, line: number, mutatorName = "EqualityOperator", replacement = "a >= 0") => ({
        id,
        mutatorName,
        replacement,
        status: status as "Killed",
        location: { start: { line, column: 4 }, end: { line, column: 9 } },
    });
    const report = {
        files: {
            "config/cidr.ts": { source, mutants: [mutant("1", "Killed", 2), mutant("2", "Survived", 2), mutant("3", "Timeout", 2), mutant("4", "CompileError", 1)] },
            "components/karpenter.iam.ts": { source, mutants: [mutant("5", "NoCoverage", 1, "NumericLiteral", "0")] },
        },
    };

    it("counts killed and timed-out mutants as detected, ignores invalid ones, and lists survivors nobody explained", () => {
        const { modules, unexplained } = scores(report, []);
        expect(modules.map((m) => [m.module, m.killed, m.timeout, m.survived, m.noCoverage, m.compileErrors, Math.round(m.score)])).toEqual([
            ["components: IAM documents", 0, 0, 0, 1, 0, 0],
            ["config", 1, 1, 1, 0, 1, 67],
        ]);
        expect(unexplained).toEqual([
            'config/cidr.ts:2:5 EqualityOperator Survived: if (a > 0) run();  ->  "a >= 0"',
            'components/karpenter.iam.ts:1:5 NumericLiteral NoCoverage: const a = 1;  ->  "0"',
        ]);
    });

    it("an explained equivalent is matched by file, mutator, line text and replacement, and counted apart", () => {
        const explained: EquivalentMutant = { file: "config/cidr.ts", mutator: "EqualityOperator", line: "if (a > 0) run();", replacement: "a >= 0", reason: "a is never 0" };
        const { modules, unexplained } = scores(report, [explained]);
        const cidr = modules.find((m) => m.module === "config")!;
        expect([cidr.explained, Math.round(cidr.score), Math.round(cidr.scoreWithoutEquivalents)]).toEqual([1, 67, 100]);
        expect(unexplained).toHaveLength(1);
        expect(scores(report, [{ ...explained, replacement: "a < 0" }]).unexplained).toHaveLength(2);
        expect(scoreTable(modules)).toContain("| config | 2 | 1 | 1 | 1 | 66.7% | 100.0% |");
    });

    it("counts static mutants a run left out (--ignore-static) apart from the score, and prose ignored for its own reason in neither", () => {
        const leftOut = (id: string, statusReason: string) => ({ ...mutant(id, "Ignored", 2), statusReason });
        const withIgnored = {
            files: {
                "config/cidr.ts": {
                    source,
                    mutants: [...report.files["config/cidr.ts"].mutants, leftOut("6", 'Static mutant (and "ignoreStatic" was enabled)'), leftOut("7", "documentation: compared with the generated docs")],
                },
            },
        };
        const [config] = scores(withIgnored, []).modules;
        expect([config.killed, config.timeout, config.survived, config.staticNotRun, Math.round(config.score)]).toEqual([1, 1, 1, 1, 67]);
        expect(scoreTable([config])).toContain("| config | 2 | 1 | 0 | 1 | 66.7% | 66.7% | 1 |");
    });

    it("--retest-survivors drops the stored survivors and keeps every other result and field Stryker stored", () => {
        const stored = { schemaVersion: "2", files: { "config/cidr.ts": { ...report.files["config/cidr.ts"], language: "typescript" } }, testFiles: { "test/a.test.ts": { tests: [] } } };
        const kept = withoutSurvivors(stored);
        expect(kept.files["config/cidr.ts"].mutants.map((m) => [m.id, m.status])).toEqual([
            ["1", "Killed"],
            ["3", "Timeout"],
            ["4", "CompileError"],
        ]);
        expect(withoutSurvivors(report).files["components/karpenter.iam.ts"].mutants).toEqual([]);
        expect([kept.schemaVersion, kept.files["config/cidr.ts"].language, kept.testFiles]).toEqual(["2", "typescript", stored.testFiles]);
    });

    it("groups files into the modules docs/testing.md reports", () => {
        expect(
            ["policy/lib/kubernetes.ts", "policy/policies/aws/ebs-encryption.ts", "policy/policies/index.ts", "config/schema.ts", "components/velero.iam.ts", "components/shared/iamDocuments.ts", "components/accessControl.ts"].map(moduleOf),
        ).toEqual([
            "policy/lib",
            "policy/policies/aws",
            "policy/policies/index",
            "config",
            "components: IAM documents",
            "components: IAM documents",
            "components: namespace baseline and access control",
        ]);
    });
});

describe("docs/testing.md", () => {
    it("shows the scores of the committed results, with the date they were written (npm run test:mutation -- --write-scores)", () => {
        const section = documentedScores();
        expect(section).toMatch(/written \d{4}-\d{2}-\d{2}/);
        expect(section).toContain(committedScoreTable(Object.keys(SCOPES), incrementalFileOf));
    });
});
