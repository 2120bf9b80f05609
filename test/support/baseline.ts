/**
 * The namespace baseline as the program composes it: the whole program planned for a committed
 * stack file (buildPlatform, with the stack's own config), and the part of the plan below the
 * NamespaceBaseline component. Nothing here repeats how platform.ts wires the baseline, so a
 * wrong argument there (developer exec in production, a missing tenant) shows in these tests.
 */
import type { PlatformConfig } from "../../config";
import { planStackFile } from "../fixtures/stacks";
import { Recorded, type RecordedResource } from "../harness";

export const STACKS = ["dev", "prod"] as const;

export interface PlannedBaseline {
    config: PlatformConfig;
    /** The NamespaceBaseline component and everything below it. */
    recorded: Recorded;
    /** The whole plan (the cluster's provider, the add-ons' namespaces, ...). */
    plan: Recorded;
}

const planned = new Map<string, Promise<PlannedBaseline>>();

/** The baseline of `stack`'s plan (planned once per test file: the plan is deterministic). */
export function plannedBaseline(stack: string): Promise<PlannedBaseline> {
    let result = planned.get(stack);
    if (!result) {
        result = planStackFile(stack).then(({ recorded, config }) => {
            const component = recorded.one("platform:index:NamespaceBaseline");
            return { config, recorded: new Recorded([component, ...recorded.descendantsOf(component)]), plan: recorded };
        });
        planned.set(stack, result);
    }
    return result;
}

export const kindOf = (r: RecordedResource): string => r.type.split(":").pop() ?? "";
export const metadataOf = (r: RecordedResource) =>
    (r.props.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

export function ofKind(recorded: Recorded, kind: string): RecordedResource[] {
    return recorded.resources.filter((r) => r.custom && kindOf(r) === kind);
}

export function inNamespace(recorded: Recorded, kind: string, namespace: string): RecordedResource[] {
    return ofKind(recorded, kind).filter((r) => metadataOf(r).namespace === namespace);
}
