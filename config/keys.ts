/**
 * The keys the schema accepts at a place in the config, for "did you mean" suggestions. Read
 * from the schema's JSON Schema form, the same one the README reference is generated from.
 */
import { z } from "zod";
import { stackConfigSchema } from "./schema";

interface JsonSchemaNode {
    properties?: Record<string, JsonSchemaNode>;
    items?: JsonSchemaNode;
    oneOf?: JsonSchemaNode[];
    anyOf?: JsonSchemaNode[];
    const?: unknown;
}

let root: JsonSchemaNode | undefined;

function schemaRoot(): JsonSchemaNode {
    root ??= z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;
    return root;
}

/** The variants of a node; for a discriminated union, the one whose `mode` the value names (all if none matches). */
function variants(node: JsonSchemaNode, value: unknown): JsonSchemaNode[] {
    const alternatives = node.oneOf ?? node.anyOf;
    if (!alternatives) return [node];
    const mode = (value as { mode?: unknown } | undefined)?.mode;
    const chosen = alternatives.filter((v) => v.properties?.mode?.const !== undefined && v.properties.mode.const === mode);
    return (chosen.length > 0 ? chosen : alternatives).flatMap((v) => variants(v, value));
}

/** Keys allowed at `path` of `values` (the decoded project config). */
export function knownKeysAt(path: readonly PropertyKey[], values: unknown): string[] {
    let nodes = [schemaRoot()];
    let value = values;
    for (const part of path) {
        nodes = nodes.flatMap((n) => variants(n, value)).flatMap((n) => {
            const child = typeof part === "number" ? n.items : n.properties?.[String(part)];
            return child ? [child] : [];
        });
        value = (value as Record<PropertyKey, unknown> | undefined)?.[part];
    }
    return [...new Set(nodes.flatMap((n) => variants(n, value)).flatMap((n) => Object.keys(n.properties ?? {})))];
}
