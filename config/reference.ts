/**
 * The README's config reference, generated from the one schema so that the two never drift.
 */
import { z } from "zod";
import { stackConfigSchema } from "./schema";

type JsonSchema = {
    type?: string | string[];
    enum?: unknown[];
    const?: unknown;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
    properties?: Record<string, JsonSchema>;
    additionalProperties?: JsonSchema | boolean;
    items?: JsonSchema;
    required?: string[];
    default?: unknown;
    description?: string;
    minimum?: number;
    maximum?: number;
    minItems?: number;
    pattern?: string;
};

interface Row {
    key: string;
    type: string;
    required: boolean;
    defaultValue: string;
    description: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function typeOf(schema: JsonSchema): string {
    if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(", ");
    if (schema.const !== undefined) return `\`${String(schema.const)}\``;
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives) return alternatives.map(typeOf).join(" \\| ");
    if (schema.type === "array") return `list of ${typeOf(schema.items ?? {})}`;
    if (schema.type === "object" && !schema.properties) return "map of string";
    const bounds = [schema.minimum !== undefined ? `≥ ${schema.minimum}` : "", schema.maximum !== undefined && schema.maximum < MAX_SAFE ? `≤ ${schema.maximum}` : ""].filter(Boolean);
    return `${String(schema.type ?? "any")}${bounds.length ? ` (${bounds.join(", ")})` : ""}`;
}

function rowsOf(schema: JsonSchema, prefix: string, required: boolean, rows: Row[]): void {
    const variants = schema.oneOf?.filter((v) => v.properties);
    if (variants && variants.length > 0) {
        if (schema.description) rows.push({ key: prefix, type: "one of the modes below", required, defaultValue: "", description: schema.description });
        for (const variant of variants) {
            const mode = variant.properties?.mode?.const;
            rowsOf({ ...variant, description: undefined }, mode ? `${prefix} (mode ${String(mode)})` : prefix, required, rows);
        }
        return;
    }
    const isObjectList = schema.items?.properties; // only arrays have items
    if (prefix && (!schema.properties || schema.description)) {
        rows.push({
            key: prefix,
            type: isObjectList ? "list of objects" : schema.properties ? "object" : typeOf(schema),
            required,
            // An object's default is the sum of its children's, which have their own rows.
            defaultValue: schema.default === undefined || schema.properties ? "" : `\`${JSON.stringify(schema.default)}\``,
            description: schema.description ?? "",
        });
    }
    if (isObjectList) rowsOf(schema.items!, `${prefix}[]`, true, rows);
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
        rowsOf(child, prefix ? `${prefix}.${key}` : key, schema.required?.includes(key) ?? false, rows);
    }
}

export function configReferenceMarkdown(project = "eks-platform", configSchema: z.ZodObject = stackConfigSchema): string {
    const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    const rows: Row[] = [{ key: "aws:region", type: "string", required: true, defaultValue: "", description: "AWS region to deploy to (e.g. `eu-west-1`)." }];
    rowsOf(schema, "", true, rows);
    const escape = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
    const lines = ["| key | type | required | default | meaning and rule |", "|---|---|---|---|---|"];
    for (const row of rows) {
        const key = row.key.startsWith("aws:") ? row.key : `${project}:${row.key}`;
        lines.push(`| \`${key}\` | ${row.type} | ${row.required ? "yes" : ""} | ${escape(row.defaultValue)} | ${escape(row.description)} |`);
    }
    return lines.join("\n");
}
