/**
 * Validates custom resources against a CRD's openAPIV3Schema the way the API server's
 * structural schema treats them: a field the schema does not declare is an error here
 * (the API server would silently prune it), unless the schema preserves unknown fields.
 */
import Ajv, { type ValidateFunction } from "ajv";
import { crdSchemas, type CrdVersionSchema } from "./upstream";

type Schema = Record<string, unknown>;

/** OpenAPI v3 + Kubernetes extensions -> JSON Schema that ajv evaluates strictly. */
export function toStrictJsonSchema(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(toStrictJsonSchema);
    if (typeof node !== "object" || node === null) return node;
    const schema = node as Schema;
    const out: Schema = {};
    for (const [key, value] of Object.entries(schema)) {
        if (key.startsWith("x-kubernetes-") || key === "nullable" || key === "format") continue;
        out[key] = key === "properties" || key === "patternProperties" ? mapValues(value as Schema, toStrictJsonSchema) : toStrictJsonSchema(value);
    }
    if (schema["x-kubernetes-int-or-string"]) {
        delete out.type;
        out.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    if (schema.nullable && typeof out.type === "string") out.type = [out.type, "null"];
    const preserves = schema["x-kubernetes-preserve-unknown-fields"] === true;
    if (schema.properties && !preserves && schema.additionalProperties === undefined) out.additionalProperties = false;
    return out;
}

function mapValues(record: Schema, fn: (v: unknown) => unknown): Schema {
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}

const cache = new Map<string, ValidateFunction>();

function validatorFor(entry: CrdVersionSchema): ValidateFunction {
    const key = `${entry.group}/${entry.version}/${entry.kind}`;
    let validate = cache.get(key);
    if (!validate) {
        const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
        validate = ajv.compile(toStrictJsonSchema(entry.schema) as object);
        cache.set(key, validate);
    }
    return validate;
}

export interface CustomResource {
    apiVersion: string;
    kind: string;
    metadata?: unknown;
    [field: string]: unknown;
}

/**
 * Errors for one custom resource against the pinned CRDs of `chart`; throws if the chart's
 * CRDs do not serve the resource's apiVersion/kind at all.
 */
export function crdErrors(chart: string, chartVersion: string, resource: CustomResource): string[] {
    const [group, version] = resource.apiVersion.split("/");
    const entry = crdSchemas(chart, chartVersion).find((c) => c.group === group && c.version === version && c.kind === resource.kind);
    if (!entry) throw new Error(`${chart}-${chartVersion} serves no ${resource.kind} in ${resource.apiVersion}`);
    const validate = validatorFor(entry);
    // The API server validates metadata itself; the CRD schema only says "object".
    const { metadata: _metadata, ...body } = resource;
    if (validate({ ...body, metadata: {} })) return [];
    return (validate.errors ?? []).map((e) => {
        const extra = e.keyword === "additionalProperties" ? ` "${(e.params as { additionalProperty: string }).additionalProperty}" (the API server would prune it)` : "";
        return `${resource.kind} ${e.instancePath || "(root)"}: ${e.message ?? e.keyword}${extra}`;
    });
}
