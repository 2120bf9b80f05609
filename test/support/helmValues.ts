/**
 * Helm silently ignores a value under a key the chart never reads. Every key path the program
 * sets must exist in the pinned chart's values.yaml; below a key whose default is an empty map
 * or a list, the contents are free-form (nodeSelector, annotations, tolerations, ...).
 */
import Ajv, { type Options } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";

export interface ValuesProblem {
    path: string;
    problem: string;
}

function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `freeForm`: extra dotted paths the chart documents as free-form maps even though their default is not `{}`. */
export function unknownValuePaths(values: unknown, defaults: unknown, freeForm: string[] = [], path = ""): ValuesProblem[] {
    if (!isMap(values)) return [];
    if (!isMap(defaults)) return [{ path: path || "(root)", problem: "the chart's default here is not a map" }];
    const problems: ValuesProblem[] = [];
    for (const [key, value] of Object.entries(values)) {
        const childPath = path ? `${path}.${key}` : key;
        if (!(key in defaults)) {
            problems.push({ path: childPath, problem: "is not a key of the chart's values.yaml (Helm would ignore it)" });
            continue;
        }
        const upstream = defaults[key];
        const freeHere = freeForm.includes(childPath) || (isMap(upstream) && Object.keys(upstream).length === 0) || Array.isArray(upstream) || upstream === null;
        if (freeHere || !isMap(value)) continue;
        problems.push(...unknownValuePaths(value, upstream, freeForm, childPath));
    }
    return problems;
}

const AJV_OPTIONS: Options = { strict: false, allErrors: true, validateFormats: false };

/**
 * The validator for the draft a schema declares in `$schema`: 2020-12 and 2019-09 have their
 * own ajv classes (prefixItems, $defs, unevaluated*, dependentRequired mean what they say);
 * anything else, or no declaration, is evaluated as draft-07.
 */
export function ajvFor(schema: object): Ajv {
    const declared = (schema as { $schema?: unknown }).$schema;
    const draft = typeof declared === "string" ? declared : "";
    if (draft.includes("/draft/2020-12/")) return new Ajv2020(AJV_OPTIONS);
    if (draft.includes("/draft/2019-09/")) return new Ajv2019(AJV_OPTIONS);
    return new Ajv(AJV_OPTIONS);
}

/** For charts that ship values.schema.json: the merged values must validate (Helm itself checks this). */
export function valuesSchemaErrors(values: unknown, schema: object): string[] {
    const validate = ajvFor(schema).compile(schema);
    if (validate(values)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}

/** Helm merges user values over defaults; validate the merged tree as Helm does. */
export function mergeValues(defaults: unknown, overrides: unknown): unknown {
    if (!isMap(defaults) || !isMap(overrides)) return overrides === undefined ? defaults : overrides;
    const merged: Record<string, unknown> = { ...defaults };
    for (const [key, value] of Object.entries(overrides)) merged[key] = mergeValues(defaults[key], value);
    return merged;
}
