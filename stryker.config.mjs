// @ts-check
// Mutation testing (`npm run test:mutation`, docs/testing.md): StrykerJS changes the code one small
// defect at a time in the modules where a wrong line is a security hole, and runs the tests that
// exercise that code; a mutant no test notices is a gap in the tests. One scope per run
// (test/mutation/scopes.mjs, chosen by MUTATION_SCOPE), each with its own incremental file.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { currentScope, incrementalFileOf } from "./test/mutation/scopes.mjs";

// The pinned upstream chart defaults and CRD schemas (test/support/upstream.ts) sit beside the
// project; Stryker runs the tests in a copy under .stryker-tmp/, from where `../shared` is elsewhere.
process.env.PLATFORM_UPSTREAM_DIR ||= resolve("..", "shared", "upstream");

const scope = currentScope();

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
const config = {
    testRunner: "vitest",
    // related: false: the scope's test list is the selection (vitest's import graph would add every plan test).
    vitest: { configFile: "test/mutation/vitest.config.mts", related: false, pool: "forks" },
    plugins: ["@stryker-mutator/*", "./test/mutation/ignore-documentation.mjs"],
    ignorers: ["documentation"],
    checkers: ["typescript"],
    tsconfigFile: scope.tsconfig ?? "tsconfig.json",
    coverageAnalysis: "perTest",
    mutate: scope.mutate,
    incremental: true,
    incrementalFile: incrementalFileOf(scope.name),
    // One process is the type checker, the others run tests: on two cores one runner, on a
    // four-core CI runner three. MUTATION_CONCURRENCY overrides it on a machine shared with other work.
    concurrency: Number(process.env.MUTATION_CONCURRENCY) || Math.max(2, availableParallelism()),
    timeoutMS: 60_000,
    dryRunTimeoutMinutes: 30,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: `reports/mutation/${scope.name}.html` },
    jsonReporter: { fileName: `reports/mutation/${scope.name}.json` },
    clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true, reportMutants: true },
    ignorePatterns: ["reports", "policy/node_modules", ".upstream"],
    tempDirName: ".stryker-tmp",
};
export default config;
