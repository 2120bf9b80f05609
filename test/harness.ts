/**
 * Test harness: run the whole program (or one component) under the Pulumi mocks for a given
 * config and query what was recorded.
 */
import * as pulumi from "@pulumi/pulumi";
import { createPlan, type Plan, type PlanOptions } from "../plan";
import { PlanMocks } from "../plan/mocks";
import { ResourceRecorder, type RecordedResource } from "../plan/record";
import type { StackConfigSource } from "../plan/stackConfig";
import type { PolicyDocument } from "../components/shared/iamDocuments";
import { ConfigError, parsePlatformConfig, type RawConfigSource } from "../config";

export type { RecordedResource };

/** Queries over recorded resources, by type, name, parent and dependency. */
export class Recorded {
    constructor(readonly resources: RecordedResource[]) {}

    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource of `type` named `name`; throws (with what exists) if it is not exactly one. */
    one(type: string, name?: string): RecordedResource {
        const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
        if (found.length !== 1) {
            const names = this.ofType(type).map((r) => r.name).join(", ") || "none";
            throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length} (have: ${names})`);
        }
        return found[0];
    }

    named(name: string): RecordedResource[] {
        return this.resources.filter((r) => r.name === name);
    }

    byUrn(urn: string): RecordedResource {
        const found = this.resources.find((r) => r.urn === urn);
        if (!found) throw new Error(`no resource with URN ${urn}`);
        return found;
    }

    childrenOf(parent: RecordedResource): RecordedResource[] {
        return this.resources.filter((r) => r.parent === parent.urn);
    }

    /** Every resource below `ancestor` in the component tree. */
    descendantsOf(ancestor: RecordedResource): RecordedResource[] {
        const result: RecordedResource[] = [];
        const queue = [ancestor.urn];
        while (queue.length > 0) {
            const urn = queue.shift()!;
            for (const child of this.resources.filter((r) => r.parent === urn)) {
                result.push(child);
                queue.push(child.urn);
            }
        }
        return result;
    }

    /** Ancestors first-parent-first: a resource inherits dependsOn through its components. */
    ancestorsOf(resource: RecordedResource): RecordedResource[] {
        const chain: RecordedResource[] = [];
        let current = resource.parent ? this.resources.find((r) => r.urn === resource.parent) : undefined;
        while (current) {
            chain.push(current);
            current = current.parent ? this.resources.find((r) => r.urn === current!.parent) : undefined;
        }
        return chain;
    }

    /** Whether `resource` waits for `target`, directly or through a dependency chain. */
    dependsOn(resource: RecordedResource, target: RecordedResource): boolean {
        const seen = new Set<string>();
        const stack = [...resource.dependencies];
        while (stack.length > 0) {
            const urn = stack.pop()!;
            if (urn === target.urn) return true;
            if (seen.has(urn)) continue;
            seen.add(urn);
            const next = this.resources.find((r) => r.urn === urn);
            if (next) stack.push(...next.dependencies, ...this.descendantsOf(next).map((d) => d.urn));
        }
        return false;
    }
}

/** The whole program for a stack file, optionally with its config changed. */
export async function planStack(stack: string, options: Omit<PlanOptions, "stack"> = {}): Promise<{ plan: Plan; recorded: Recorded }> {
    const plan = await createPlan({ ...options, stack });
    return { plan, recorded: new Recorded(plan.run.resources) };
}

/** What the config helpers need of a stack's config (a StackConfigSource or a RawConfigSource). */
type ConfigValues = Pick<StackConfigSource, "project" | "values">;

function qualified(source: ConfigValues, key: string): string {
    return key.includes(":") ? key : `${source.project}:${key}`;
}

/** A structured config value of a stack (given as JSON in the stack file), parsed. */
/** The error a stack config is rejected with; throws when it is accepted or fails some other way. */
export function configErrorOf(source: RawConfigSource): ConfigError {
    try {
        parsePlatformConfig(source);
    } catch (error) {
        if (error instanceof ConfigError) return error;
        throw error;
    }
    throw new Error("expected the config to be rejected");
}

export function configValue<T = any>(source: ConfigValues, key: string): T {
    const raw = source.values[qualified(source, key)];
    if (raw === undefined) throw new Error(`no config key ${qualified(source, key)}`);
    return JSON.parse(raw) as T;
}

/** Returns a transform that replaces structured config keys (given as plain values; undefined removes). */
export function withConfig(patch: Record<string, unknown>): <S extends ConfigValues>(source: S) => S {
    return (source) => {
        const values = { ...source.values };
        for (const [key, value] of Object.entries(patch)) {
            const fullKey = qualified(source, key);
            if (value === undefined) delete values[fullKey];
            else values[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
        return { ...source, values };
    };
}

/** Returns a transform that rewrites one structured config key from its current value (`{}` when unset). */
export function updateConfig<T = any>(key: string, update: (current: T) => unknown): <S extends ConfigValues>(source: S) => S {
    return (source) => {
        const current = source.values[qualified(source, key)] === undefined ? ({} as T) : configValue<T>(source, key);
        return withConfig({ [key]: update(current) })(source);
    };
}

/** Runs `build` (which creates resources) alone under mocks and records what it registered. */
export async function runComponent<T>(
    build: () => T,
    options: { preview?: boolean; region?: string; accountId?: string; stack?: string } = {},
): Promise<{ result: T; recorded: Recorded }> {
    const preview = options.preview ?? false;
    await pulumi.runtime.setMocks(
        new PlanMocks({ region: options.region ?? "eu-west-1", accountId: options.accountId ?? "111122223333", preview }),
        "eks-platform",
        options.stack ?? "test",
        preview,
    );
    const recorder = new ResourceRecorder();
    const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown };
    recorder.attach(settings.getMonitor() as Parameters<ResourceRecorder["attach"]>[0]);
    const result = build();
    await pulumi.runtime.disconnect();
    return { result, recorded: new Recorded(recorder.resources) };
}

/** The values a recorded Helm release was given (the tree Helm merges over the chart's defaults). */
export function helmValues(release: RecordedResource): Record<string, any> {
    return release.inputs.values as Record<string, any>;
}

/**
 * A JSON document a resource was given as a string (IAM and KMS policies, trust policies, add-on
 * configuration): `field` of its inputs, or of its props (inputs with the provider's outputs).
 */
export function recordedJson<T = PolicyDocument>(resource: RecordedResource, field = "policy", from: "inputs" | "props" = "inputs"): T {
    const raw = resource[from][field];
    if (typeof raw !== "string") throw new Error(`${resource.urn}: ${from}.${field} is not a JSON string (${typeof raw})`);
    return JSON.parse(raw) as T;
}
