import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
const LAUNCHER = join(ROOT, "scripts", "ts-run.cjs");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

export interface CliResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs one of the project's TypeScript entry points the way `npm run plan` does: on this Node,
 * through the compiling launcher (scripts/ts-run.cjs). `via: "tsx"` runs it through tsx instead.
 */
export function runScript(script: string, args: string[], cwd = ROOT, options: { via?: "launcher" | "tsx"; env?: Record<string, string> } = {}): CliResult {
    const command = options.via === "tsx" ? [TSX, join(ROOT, script)] : [process.execPath, LAUNCHER, join(ROOT, script)];
    const result = spawnSync(command[0], [...command.slice(1), ...args], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, FORCE_COLOR: "0", ...options.env },
        maxBuffer: 64 * 1024 * 1024,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking: for tests that run several processes at once. */
export function runScriptAsync(script: string, args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(process.execPath, [LAUNCHER, join(ROOT, script), ...args], { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
            resolve({ status, stdout, stderr });
        });
    });
}
