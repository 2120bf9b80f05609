/**
 * References the engine cannot order. A resource that names another resource of the same plan
 * through a plain value (a config string equal to a cluster name, an ARN assembled by hand)
 * instead of its output carries no dependency on it: on a new stack the engine may create it
 * first and AWS answers ResourceNotFoundException, while a second `pulumi up` succeeds (which
 * hides the defect). Every input value that equals an identifier of another resource in the
 * plan must therefore have that resource among its transitive dependencies.
 */
import { ResourceGraph } from "./graph";
import type { PlanResourceDocument } from "./index";
import { UNKNOWN_MARK, UNKNOWN_SENTINEL } from "./record";

/**
 * What another resource would refer to a cloud resource by: its id, its name (an input or an
 * output: AWS resources are named by their `name`), and the identifiers only the provider
 * computes. An `arn` given as an input is a reference to something else (an EventTarget's
 * target), never the resource's own ARN.
 */
const COMPUTED_IDENTITY_KEYS = ["arn", "url", "keyId"];

/**
 * Values that name a resource without needing it to exist: labels (a tag value equal to the
 * cluster name; every resource carries one, the VPC before the cluster), descriptions, and IAM
 * policy conditions, which are compared with the request context when a request is made (a
 * key policy may name the log group that will use the key: the group needs the key first).
 */
const NOT_A_REFERENCE = /^(tags|tagsAll|tagSpecifications|description|.*Tags|Condition)$/;

/** Shorter strings are too generic to be identifiers (e.g. an id "aws"). */
const MIN_IDENTIFIER_LENGTH = 8;

export interface HiddenReference {
    /** The resource whose input names another resource. */
    urn: string;
    /** Where in its inputs, e.g. `clusterName` or `policy.Statement[2].Resource`. */
    path: string;
    value: string;
    /** The resource the value identifies, which `urn` does not wait for. */
    target: string;
}

/** Cloud resources (AWS, and the opaque `@pulumi/eks` components whose AWS children they stand for). */
function isCloudResource(resource: PlanResourceDocument): boolean {
    return resource.type.startsWith("aws:") || (resource.remote && resource.type.startsWith("eks:"));
}

function identityValues(resource: PlanResourceDocument): string[] {
    const values: unknown[] = [resource.id, resource.outputs.name ?? resource.inputs.name];
    for (const key of COMPUTED_IDENTITY_KEYS) values.push(resource.outputs[key]);
    // A remote component's children are opaque: the outputs it exposes as objects (e.g. the EKS
    // component's `eksCluster`) carry their identifiers.
    if (resource.remote) {
        for (const value of Object.values(resource.outputs)) {
            if (value && typeof value === "object" && !Array.isArray(value)) {
                const child = value as Record<string, unknown>;
                values.push(child.id, child.name, ...COMPUTED_IDENTITY_KEYS.map((key) => child[key]));
            }
        }
    }
    return values.filter((v): v is string => typeof v === "string" && v.length >= MIN_IDENTIFIER_LENGTH && v !== UNKNOWN_MARK && v !== UNKNOWN_SENTINEL);
}

/** Every string leaf of `value` with its path; JSON documents held in strings are walked too. */
function* stringLeaves(value: unknown, path: string): Generator<[string, string]> {
    if (typeof value === "string") {
        const trimmed = value.trim();
        if (/^[[{]/.test(trimmed)) {
            try {
                yield* stringLeaves(JSON.parse(trimmed), path);
                return;
            } catch {
                // Not JSON after all: compare it as a plain string.
            }
        }
        yield [path, value];
    } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) yield* stringLeaves(value[i], `${path}[${i}]`);
    } else if (value && typeof value === "object") {
        for (const [key, child] of Object.entries(value)) {
            if (NOT_A_REFERENCE.test(key)) continue;
            yield* stringLeaves(child, path ? `${path}.${key}` : key);
        }
    }
}

/** Inputs that name another resource of the plan without depending on it (directly or transitively). */
export function hiddenReferences(resources: PlanResourceDocument[]): HiddenReference[] {
    const graph = new ResourceGraph(resources);
    const owners = new Map<string, Set<string>>();
    for (const resource of resources.filter(isCloudResource)) {
        for (const value of identityValues(resource)) {
            const set = owners.get(value) ?? new Set<string>();
            set.add(resource.urn);
            owners.set(value, set);
        }
    }
    const closure = new Map<string, Set<string>>();
    const waitsFor = (urn: string): Set<string> => {
        const cached = closure.get(urn);
        if (cached) return cached;
        const result = new Set<string>();
        closure.set(urn, result);
        const stack = [urn];
        while (stack.length > 0) {
            const current = graph.byUrn.get(stack.pop()!);
            if (!current) continue;
            for (const dependency of graph.effectiveDependencies(current)) {
                if (result.has(dependency)) continue;
                result.add(dependency);
                stack.push(dependency);
            }
        }
        return result;
    };
    const findings: HiddenReference[] = [];
    for (const resource of resources) {
        for (const [path, value] of stringLeaves(resource.inputs, "")) {
            for (const target of owners.get(value) ?? []) {
                if (target === resource.urn || graph.subtree(resource.urn).includes(target)) continue;
                if (!waitsFor(resource.urn).has(target)) findings.push({ urn: resource.urn, path, value, target });
            }
        }
    }
    return findings;
}
