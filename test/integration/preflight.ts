/**
 * vitest globalSetup of `npm run test:integration`: without credentials the run stops here,
 * prints the NOT RUN banner and exits 78, so neither a person nor CI can mistake it for a pass.
 */
import { spawnSync } from "node:child_process";
import { detectCredentials, NOT_RUN_EXIT_CODE, notRunBanner } from "./credentials";

export function onPath(command: string, args: string[]): boolean {
    const result = spawnSync(command, args, { stdio: "ignore", timeout: 30_000 });
    return result.error === undefined && result.status === 0;
}

export function toolsOnPath(): { kubectl: boolean; pulumi: boolean } {
    return { kubectl: onPath("kubectl", ["version", "--client"]), pulumi: onPath("pulumi", ["version"]) };
}

export default function setup(): void {
    const report = detectCredentials(process.env, toolsOnPath());
    if (!report.ready) {
        process.stderr.write(`\n${notRunBanner(report.missing)}\n\n`);
        process.exit(NOT_RUN_EXIT_CODE);
    }
    process.stderr.write(`integration test: AWS credentials from ${report.aws}, Pulumi backend ${report.backend}\n`);
}
