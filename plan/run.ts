import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PlanMocks, type StackReferenceOutputs } from "./mocks";
import { ResourceRecorder, SECRET_MARK, UNKNOWN_MARK, type RecordedResource } from "./record";
import type { StackConfigSource } from "./stackConfig";

export const PROJECT_DIR = resolve(__dirname, "..");

export interface ProgramRun {
    project: string;
    stack: string;
    preview: boolean;
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
}

/** The program registered something the engine would reject. */
export class ProgramError extends Error {}

const FALLBACK_ACCOUNT = "123456789012";

/** The role the stack names as the one that runs `pulumi up`: the offline plan deploys as it. */
function deployerOf(source: StackConfigSource): string | undefined {
    try {
        const access = JSON.parse(source.values[`${source.project}:access`] ?? "{}") as { deployerRoleArn?: unknown };
        return typeof access.deployerRoleArn === "string" ? access.deployerRoleArn : undefined;
    } catch {
        return undefined; // invalid config: the program reports it
    }
}

/** The account id the stack's own role ARNs name, so ARNs in the plan look like the real ones. */
function accountOf(source: StackConfigSource): string {
    const access = source.values[`${source.project}:access`] ?? "";
    return /arn:aws[a-z-]*:iam::(\d{12}):/.exec(access)?.[1] ?? FALLBACK_ACCOUNT;
}

type Program = () => Promise<Record<string, unknown>> | Record<string, unknown>;

/**
 * Under the plan's launcher (scripts/ts-run.cjs) TypeScript loads through `require`; under
 * vitest and tsx's ESM loader, through `import()`.
 */
async function importTypeScript(file: string): Promise<{ default?: unknown }> {
    if (require.extensions[".ts"]) return require(file) as { default?: unknown };
    return (await import(pathToFileURL(file).href)) as { default?: unknown };
}

async function loadProgram(projectDir: string): Promise<Program> {
    // Imported only now: resources registered before setMocks would silently go nowhere.
    const module = await importTypeScript(join(projectDir, "index.ts"));
    const program = (module.default ?? module) as unknown;
    if (typeof program !== "function") throw new ProgramError("index.ts must export (export =) the program function");
    return program as Program;
}

/** Runs index.ts under the Pulumi runtime mocks for one stack's config and records everything. */
export interface RunOptions {
    preview?: boolean;
    projectDir?: string;
    /** Outputs of the stacks the program reads through StackReferences (consumer programs). */
    stackReferences?: Record<string, StackReferenceOutputs>;
    /** Who runs the deployment (default: the stack's access.deployerRoleArn, as the first `pulumi up` must). */
    callerRoleArn?: string;
    /** EKS clusters that exist already (default: none: the first `pulumi up` of a new stack). */
    existingClusters?: string[];
}

export async function runProgram(source: StackConfigSource, options: RunOptions = {}): Promise<ProgramRun> {
    const preview = options.preview ?? false;
    const pulumi = await import("@pulumi/pulumi");
    // The monitor is reachable only through the runtime's settings module (no typings for it).
    const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown };
    const region = source.values["aws:region"] ?? "us-east-1";
    const mocks = new PlanMocks({
        region,
        accountId: accountOf(source),
        preview,
        stackReferences: options.stackReferences,
        callerRoleArn: options.callerRoleArn ?? deployerOf(source),
        existingClusters: options.existingClusters,
    });
    await pulumi.runtime.setMocks(mocks, source.project, source.stack, preview);
    pulumi.runtime.setAllConfig(source.values, source.secretKeys);
    const recorder = new ResourceRecorder();
    recorder.attach(settings.getMonitor() as Parameters<ResourceRecorder["attach"]>[0]);

    const program = await loadProgram(options.projectDir ?? PROJECT_DIR);
    const outputs = await withoutPromiseStackTraces(async () => {
        const resolved = await resolveOutputs((await program()) ?? {});
        await pulumi.runtime.disconnect();
        return resolved;
    });

    const duplicates = recorder.duplicateUrns();
    if (duplicates.length > 0) throw new ProgramError(`duplicate URNs (the engine would reject them):\n  ${duplicates.join("\n  ")}`);
    return { project: source.project, stack: source.stack, preview, resources: recorder.resources, outputs };
}

/**
 * The SDK records `new Error().stack` for every promise it creates (leak diagnostics). With
 * source maps on, that was most of the plan's time and memory, and grew faster than linearly
 * with the number of resources (docs/performance.md). The plan never prints those traces.
 */
async function withoutPromiseStackTraces<T>(work: () => Promise<T>): Promise<T> {
    if (process.env.PLAN_STACK_TRACES === "1") return work();
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await work();
    } finally {
        Error.stackTraceLimit = limit;
    }
}

interface InternalOutput {
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    promise(): Promise<unknown>;
}

async function resolveOutputs(exported: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { output } = await import("@pulumi/pulumi");
    const entries = await Promise.all(
        Object.entries(exported).map(async ([key, value]) => {
            const lifted = output(value) as unknown as InternalOutput;
            const [known, secret] = await Promise.all([lifted.isKnown, lifted.isSecret]);
            if (secret) return [key, SECRET_MARK] as const;
            if (!known) return [key, UNKNOWN_MARK] as const;
            return [key, await lifted.promise()] as const;
        }),
    );
    return Object.fromEntries(entries);
}
