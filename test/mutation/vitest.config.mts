import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";
import base from "../../vitest.config.mjs";
import { currentScope } from "./scopes.mjs";

/**
 * Files that failed last time first (the previous mutant's killer often kills the next one),
 * then the quickest: Stryker bails at the first failing test, so a killed mutant costs little.
 */
class FailedThenQuickestFirst extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        const { cache, config } = this.ctx;
        const stats = (file: TestSpecification) => {
            const key = `${file.project.name}:${relative(config.root, file.moduleId)}`;
            return { result: cache.getFileTestResults(key), size: cache.getFileStats(key)?.size ?? 0 };
        };
        return [...files].sort((a, b) => {
            const [sa, sb] = [stats(a), stats(b)];
            if (sa.result?.failed !== sb.result?.failed) return sa.result?.failed ? -1 : 1;
            if (sa.result && sb.result) return sa.result.duration - sb.result.duration;
            return sa.size - sb.size;
        });
    }
}

// `npm run test:mutation` (scripts/mutation.ts): the test files of one scope (test/mutation/scopes.mjs).
const scope = currentScope();

// Not mergeConfig: it would append to the base config's include list instead of replacing it.
export default defineConfig({
    ...base,
    test: {
        ...base.test,
        include: scope.tests,
        setupFiles: ["test/mutation/coverage.ts"],
        sequence: { sequencer: FailedThenQuickestFirst },
    },
});
