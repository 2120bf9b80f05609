import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

export interface CliResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs one of the project's TypeScript entry points the way `npm run` does. */
export function runScript(script: string, args: string[], cwd = ROOT, env: Record<string, string> = {}): CliResult {
    const result = spawnSync(TSX, [join(ROOT, script), ...args], { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", ...env } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking: for tests that run several processes at once. */
export function runScriptAsync(script: string, args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(TSX, [join(ROOT, script), ...args], { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", ...env } }, (error, stdout, stderr) => {
            const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
            resolve({ status, stdout, stderr });
        });
    });
}
