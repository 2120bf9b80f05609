import { defineConfig } from "vitest/config";

// `npm run test:integration`: the real deployment test only (`npm test` never includes it).
// Without AWS credentials and a Pulumi backend, globalSetup prints a NOT RUN banner and exits 78.
export default defineConfig({
    test: {
        include: ["test/integration/**/*.integration.ts"],
        globalSetup: ["test/integration/preflight.ts"],
        // An EKS cluster takes ~15-25 minutes to create and as long to destroy.
        testTimeout: 30 * 60_000,
        hookTimeout: 90 * 60_000,
        pool: "forks",
        fileParallelism: false,
        reporters: ["verbose"],
    },
});
