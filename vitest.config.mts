import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Whole-program runs under mocks take seconds on a 2-core machine; this is a hang guard, not a performance assertion.
        testTimeout: 120_000,
        hookTimeout: 120_000,
        pool: "forks",
        reporters: ["default"],
    },
});
