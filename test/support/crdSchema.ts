/**
 * Validates custom resources against a CRD's openAPIV3Schema the way the API server's
 * structural schema treats them: a field the schema does not declare is an error here
 * (the API server would silently prune it), unless the schema preserves unknown fields.
 * The schema's x-kubernetes-validations (CEL) rules are evaluated too.
 */
import { Environment, type ASTNode, type ParseResult } from "@marcbachmann/cel-js";
import Ajv, { type Options, type ValidateFunction } from "ajv";
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

// ---------------------------------------------------------------------------------------------
// RE2 (what the API server evaluates `pattern` and CEL regexes with) as JavaScript RegExp.
// ---------------------------------------------------------------------------------------------

const RE2_FLAGS: Record<string, string> = { i: "i", m: "m", s: "s" };

/**
 * An RE2 pattern as a JavaScript RegExp source and flags. RE2's inline flag groups `(?i)`,
 * `(?s)`, `(?m)` become RegExp flags where that means the same: at the top level, preceded by
 * nothing (or, for `i` and `s`, only by `^`). Flags anywhere else, unset flags (`(?-i)`),
 * scoped groups (`(?i:...)`) and `U` have no RegExp equivalent: they throw rather than
 * silently matching something else. `(?P<name>` becomes `(?<name>`.
 */
export function re2ToJs(pattern: string): { source: string; flags: string } {
    let source = "";
    const flags = new Set<string>();
    let depth = 0;
    let inClass = false;
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "\\") {
            source += pattern.slice(i, i + 2);
            i++;
            continue;
        }
        if (inClass) {
            if (c === "]") inClass = false;
            source += c;
            continue;
        }
        if (c === "[") {
            inClass = true;
            source += c;
            // A `]` right after `[` or `[^` is a literal.
            const literal = /^\[\^?\]/.exec(pattern.slice(i))?.[0];
            if (literal) {
                source += literal.slice(1);
                i += literal.length - 1;
            }
            continue;
        }
        if (c === "(" && pattern.startsWith("(?P<", i)) {
            source += "(?<";
            i += 3;
            depth++;
            continue;
        }
        const flagGroup = c === "(" ? /^\(\?([a-zA-Z-]+)(\)|:)/.exec(pattern.slice(i)) : null;
        if (flagGroup) {
            const [group, letters, end] = flagGroup;
            const problem =
                end === ":" ? "a scoped flag group" :
                depth > 0 ? "a flag group inside a group" :
                [...letters].some((f) => !RE2_FLAGS[f]) ? `flags "${letters}"` :
                [...letters].some((f) => (f === "m" ? source !== "" : source !== "" && source !== "^")) ? "flags after the start of the pattern" :
                undefined;
            if (problem) throw new Error(`RE2 pattern ${JSON.stringify(pattern)}: ${problem} has no JavaScript RegExp equivalent`);
            for (const f of letters) flags.add(RE2_FLAGS[f]);
            i += group.length - 1;
            continue;
        }
        if (c === "(") depth++;
        if (c === ")") depth--;
        source += c;
    }
    return { source, flags: [...flags].sort().join("") };
}

/** `new RegExp` for an RE2 pattern (see re2ToJs), with extra RegExp flags such as `g` or `u`. */
export function re2RegExp(pattern: string, extraFlags = ""): RegExp {
    const { source, flags } = re2ToJs(pattern);
    return new RegExp(source, [...new Set(flags + extraFlags)].join(""));
}

/** ajv's regular-expression engine for `pattern` and `patternProperties`: RE2 as the API server reads it. */
const re2Engine = Object.assign((pattern: string, u: string) => re2RegExp(pattern, u), { code: "re2RegExp" });

/** Ajv options for CRD schemas. */
export const CRD_AJV_OPTIONS: Options = { strict: false, allErrors: true, validateFormats: false, code: { regExp: re2Engine } };

const cache = new Map<string, ValidateFunction>();

function validatorFor(entry: CrdVersionSchema): ValidateFunction {
    const key = `${entry.group}/${entry.version}/${entry.kind}`;
    let validate = cache.get(key);
    if (!validate) {
        const ajv = new Ajv(CRD_AJV_OPTIONS);
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
    return [...schemaErrors(entry, resource), ...celErrors(entry, resource)];
}

function schemaErrors(entry: CrdVersionSchema, resource: CustomResource): string[] {
    const validate = validatorFor(entry);
    // The API server validates metadata itself; the CRD schema only says "object".
    const { metadata: _metadata, ...body } = resource;
    if (validate({ ...body, metadata: {} })) return [];
    return (validate.errors ?? []).map((e) => {
        const extra = e.keyword === "additionalProperties" ? ` "${(e.params as { additionalProperty: string }).additionalProperty}" (the API server would prune it)` : "";
        return `${resource.kind} ${e.instancePath || "(root)"}: ${e.message ?? e.keyword}${extra}`;
    });
}

// ---------------------------------------------------------------------------------------------
// x-kubernetes-validations (CEL). The API server evaluates these after defaulting, on every
// schema node whose value is present, with `self` bound to that value. A rule the evaluator
// cannot compile is reported by unsupportedCelRules() instead of passing silently.
// ---------------------------------------------------------------------------------------------

function celErrors(entry: CrdVersionSchema, resource: CustomResource): string[] {
    const { metadata, ...body } = resource;
    // Root rules may read metadata.name and metadata.generateName, and nothing else of metadata.
    const visibleMetadata = Object.fromEntries(Object.entries((metadata ?? {}) as object).filter(([key]) => key === "name" || key === "generateName"));
    const self = { ...(celView(entry.schema, body) as object), metadata: visibleMetadata };
    const errors: string[] = [];
    celRuleErrors(resource.kind, entry.schema, self, "", errors);
    return errors;
}

interface CelRule {
    rule: string;
    message?: string;
    optionalOldSelf?: boolean;
}

type CompiledRule = { kind: "program"; program: ParseResult } | { kind: "transition" } | { kind: "unsupported"; reason: string };

/**
 * `self` is dyn: Kubernetes types it from the schema, but checking against dyn still rejects
 * unknown functions and bad syntax at compile time. The library covers the CEL standard
 * library, the macros and most of the strings extension (split, lowerAscii, trim, indexOf,
 * substring, join; not charAt, replace, reverse, quote); the Kubernetes regex library is added here.
 * Its default homogeneous list/map literals match the Kubernetes base environment.
 * Regexes are RE2 (re2ToJs): the library's own matches() cannot be replaced, so rules call
 * re2Matches() instead (withRe2Matches rewrites them before compiling).
 */
const celEnv = new Environment()
    .registerVariable("self", "dyn")
    .registerFunction("string.re2Matches(string): bool", (s: string, re: string) => re2RegExp(re).test(s))
    .registerFunction("re2Matches(string, string): bool", (s: string, re: string) => re2RegExp(re).test(s))
    // Kubernetes regex library (k8s.io/apiserver/pkg/cel/library/regex.go).
    .registerFunction("string.find(string): string", (s: string, re: string) => re2RegExp(re).exec(s)?.[0] ?? "")
    .registerFunction("string.findAll(string): list<string>", (s: string, re: string) => findAll(s, re, -1))
    .registerFunction("string.findAll(string, int): list<string>", (s: string, re: string, n: bigint) => findAll(s, re, Number(n)));

/** All non-overlapping matches, at most `limit` of them (negative: no limit), as in Go's FindAllString. */
function findAll(s: string, re: string, limit: number): string[] {
    const matches = [...s.matchAll(re2RegExp(re, "g"))].map((m) => m[0]);
    return limit < 0 ? matches : matches.slice(0, limit);
}

const compiledRules = new Map<string, CompiledRule>();

function compileRule(rule: CelRule): CompiledRule {
    // Transition rules compare with the stored object; at create time there is none, so the API
    // server skips them (optionalOldSelf rules would see oldSelf == none; we skip those as well).
    if (rule.optionalOldSelf) return { kind: "transition" };
    let compiled = compiledRules.get(rule.rule);
    if (!compiled) {
        compiled = compileExpression(rule.rule);
        compiledRules.set(rule.rule, compiled);
    }
    return compiled;
}

/** `x.matches(re)` and `matches(x, re)` as calls of the RE2-aware re2Matches(). */
function withRe2Matches(expression: string): string {
    return expression.replace(/(^|[^\w$])matches\s*\(/g, "$1re2Matches(");
}

function compileExpression(expression: string): CompiledRule {
    try {
        const program = celEnv.parse(withRe2Matches(expression));
        if (referencesOldSelf(program.ast)) return { kind: "transition" };
        const check = program.check();
        return check.valid ? { kind: "program", program } : { kind: "unsupported", reason: firstLine(check.error?.message) };
    } catch (error) {
        return { kind: "unsupported", reason: firstLine((error as Error).message) };
    }
}

/** Evaluates one CEL rule against `self` as crdErrors does (for checking the evaluator itself). */
export function celRuleHolds(rule: string, self: unknown): boolean {
    const compiled = compileExpression(rule);
    if (compiled.kind !== "program") throw new Error(`rule ${rule} is not evaluable: ${compiled.kind === "unsupported" ? compiled.reason : compiled.kind}`);
    return compiled.program({ self }) === true;
}

/** Whether the expression mentions the `oldSelf` variable (the AST, so string literals do not count). */
function referencesOldSelf(node: unknown): boolean {
    if (Array.isArray(node)) return node.some(referencesOldSelf);
    if (typeof node !== "object" || node === null || !("op" in node)) return false;
    const { op, args } = node as ASTNode;
    return op === "id" ? args === "oldSelf" : referencesOldSelf(args);
}

function firstLine(message: string | undefined): string {
    return (message ?? "unknown error").split("\n")[0];
}

function rulesAt(schema: Schema): CelRule[] {
    return (schema["x-kubernetes-validations"] as CelRule[] | undefined) ?? [];
}

/**
 * The object as CEL rules see it: nulls of non-nullable fields dropped and absent fields
 * defaulted (both done by the API server before validation), undeclared fields pruned, and
 * integer fields as CEL ints (bigint) rather than doubles.
 */
function celView(schema: Schema | undefined, value: unknown): unknown {
    if (!schema) return value;
    if (Array.isArray(value)) return value.map((item) => celView(schema.items as Schema | undefined, item));
    if (typeof value === "number") return Number.isInteger(value) && (schema.type === "integer" || schema["x-kubernetes-int-or-string"]) ? BigInt(value) : value;
    if (typeof value !== "object" || value === null) return value;
    const fields = value as Record<string, unknown>;
    const view: Record<string, unknown> = {};
    const declared = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [key, propSchema] of Object.entries(declared)) {
        const present = fields[key] !== undefined && (fields[key] !== null || propSchema.nullable === true);
        if (present || propSchema.default !== undefined) view[key] = celView(propSchema, present ? fields[key] : propSchema.default);
    }
    for (const [key, field] of Object.entries(fields)) {
        if (Object.hasOwn(declared, key)) continue;
        const extra = childSchema(schema, key);
        if (extra) view[key] = celView(extra, field);
        else if (schema["x-kubernetes-preserve-unknown-fields"] === true) view[key] = field;
    }
    return view;
}

/** The schema of an object's field `key`: a declared property, else additionalProperties. */
function childSchema(schema: Schema, key: string): Schema | undefined {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    if (Object.hasOwn(properties, key)) return properties[key];
    return typeof schema.additionalProperties === "object" ? (schema.additionalProperties as Schema) : undefined;
}

/** Evaluates the rules of `schema` on `value`, then those of its items/fields, depth first. */
function celRuleErrors(kind: string, schema: Schema, value: unknown, path: string, errors: string[]): void {
    for (const rule of rulesAt(schema)) {
        const compiled = compileRule(rule);
        if (compiled.kind !== "program") continue;
        try {
            if (compiled.program({ self: value }) !== true) errors.push(`${kind} ${path || "(root)"}: ${rule.message ?? rule.rule}`);
        } catch (error) {
            // The API server reports a rule that errors at runtime (e.g. "no such key") as invalid too.
            errors.push(`${kind} ${path || "(root)"}: rule "${rule.rule}" could not be evaluated: ${firstLine((error as Error).message)}`);
        }
    }
    if (Array.isArray(value)) {
        if (schema.items) value.forEach((item, i) => celRuleErrors(kind, schema.items as Schema, item, `${path}/${i}`, errors));
    } else if (typeof value === "object" && value !== null) {
        for (const [key, field] of Object.entries(value)) {
            const child = childSchema(schema, key);
            if (child) celRuleErrors(kind, child, field, `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, errors);
        }
    }
}

export interface UnsupportedCelRule {
    kind: string;
    version: string;
    /** Where the rule sits in the openAPIV3Schema, e.g. `.properties.spec.x-kubernetes-validations[0]`. */
    schemaPath: string;
    rule: string;
    reason: string;
}

/**
 * Rules of the pinned CRDs that crdErrors cannot evaluate: the expression does not compile
 * (unknown function, syntax), or the rule sits where the walk does not reach (outside
 * properties/additionalProperties/items). Transition rules are skipped, not unsupported.
 */
export function unsupportedCelRules(chart: string, chartVersion: string): UnsupportedCelRule[] {
    const result: UnsupportedCelRule[] = [];
    for (const entry of crdSchemas(chart, chartVersion)) {
        for (const found of collectRules(entry.schema, "", true)) {
            const compiled = compileRule(found.rule);
            const reason = !found.reachable ? "not on a properties/additionalProperties/items path" : compiled.kind === "unsupported" ? compiled.reason : undefined;
            if (reason) result.push({ kind: entry.kind, version: entry.version, schemaPath: found.schemaPath, rule: found.rule.rule, reason });
        }
    }
    return result;
}

interface FoundRule {
    rule: CelRule;
    schemaPath: string;
    reachable: boolean;
}

/** Every x-kubernetes-validations rule anywhere in the schema, marking those celRuleErrors never visits. */
function collectRules(node: unknown, schemaPath: string, reachable: boolean): FoundRule[] {
    if (Array.isArray(node)) return node.flatMap((item, i) => collectRules(item, `${schemaPath}[${i}]`, false));
    if (typeof node !== "object" || node === null) return [];
    const schema = node as Schema;
    const found = rulesAt(schema).map((rule, i) => ({ rule, schemaPath: `${schemaPath}.x-kubernetes-validations[${i}]`, reachable }));
    for (const [key, value] of Object.entries(schema)) {
        if (key === "x-kubernetes-validations") continue;
        if (key === "properties") {
            for (const [name, prop] of Object.entries(value as Schema)) found.push(...collectRules(prop, `${schemaPath}.properties.${name}`, reachable));
        } else {
            found.push(...collectRules(value, `${schemaPath}.${key}`, reachable && (key === "items" || key === "additionalProperties")));
        }
    }
    return found;
}
