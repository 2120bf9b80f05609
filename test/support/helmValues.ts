/**
 * Helm silently ignores a value under a key the chart never reads. Every key path the program
 * sets must exist in the pinned chart's values.yaml; below a key whose default is an empty map
 * or a list, the contents are free-form (nodeSelector, annotations, tolerations, ...).
 */
import Ajv from "ajv";

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

/** For charts that ship values.schema.json: the merged values must validate (Helm itself checks this). */
export function valuesSchemaErrors(values: unknown, schema: object): string[] {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
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
