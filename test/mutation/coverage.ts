/**
 * Setup file of the mutation runs (test/mutation/vitest.config.mts; never part of `npm test`).
 *
 * Stryker's perTest coverage counts what runs inside a test. What a file's beforeAll hooks run
 * counts as "static" instead, and Stryker runs every test file related to the mutated file for a
 * static mutant. Most tests here plan a stack once in beforeAll and then read that plan, so
 * nearly every mutant of the program would be static, each costing minutes. This file hands what
 * the hooks ran to every test of the file that ran them: those are the tests that read what the
 * hooks computed, and Stryker then runs exactly them for such a mutant (with the mutant active
 * before the hooks run). Code run while a test file is imported stays static, as it must: a
 * mutant there is only active if set before the import.
 *
 * Relies on the coverage object of @stryker-mutator/instrumenter (pinned): `{ static, perTest }`
 * on `globalThis[namespace].mutantCoverage`, written in place.
 */
import { afterAll, beforeAll, beforeEach, inject } from "vitest";

type Counts = Record<string, number>;
interface StrykerNamespace {
    mutantCoverage?: { static: Counts; perTest: Record<string, Counts> };
    currentTestId?: string;
}

const provided = inject as unknown as (key: string) => unknown;

if (provided("mode") === "dry-run") {
    const globals = globalThis as unknown as Record<string, StrykerNamespace | undefined>;
    const name = String(provided("globalNamespace"));
    const ns = (globals[name] ??= {});
    const coverage = (ns.mutantCoverage ??= { static: {}, perTest: {} });
    /** Static counts already accounted for: what importing the file ran, and what was moved since. */
    let seen: Counts = {};
    const fromHooks: Counts = {};
    const tests = new Set<string>();

    /** Moves what ran since the last call out of the static counts, into the file's hook counts. */
    const collect = () => {
        for (const [mutant, count] of Object.entries(coverage.static)) {
            const before = seen[mutant] ?? 0;
            if (count <= before) continue;
            fromHooks[mutant] = (fromHooks[mutant] ?? 0) + count - before;
            if (before === 0) delete coverage.static[mutant];
            else coverage.static[mutant] = before;
        }
    };

    beforeAll(() => {
        seen = { ...coverage.static };
    });
    // Runs after Stryker's own beforeEach (its setup file comes first), so the test id is set.
    beforeEach(() => {
        collect();
        if (ns.currentTestId) tests.add(ns.currentTestId);
    });
    afterAll(() => {
        collect();
        for (const test of tests) {
            const counts = (coverage.perTest[test] ??= {});
            for (const [mutant, count] of Object.entries(fromHooks)) counts[mutant] = (counts[mutant] ?? 0) + count;
        }
    });
}
