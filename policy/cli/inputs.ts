// Turns files users already have into resources for the offline engine: Kubernetes YAML (multi
// document, `List`s expanded), `pulumi stack export` JSON and `pulumi preview --json` output.
// YAML is read one document at a time, so a large file never exists as one parsed tree. Every
// problem becomes an InputError naming the file and the document; a file with nothing to check
// in it is an error too, never a silent pass.
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { CORE_SCHEMA, load, YAMLException } from "js-yaml";
import { ResourceUnderTest, UNKNOWN } from "../engine";
import { placedInNamespace, pulumiTypeOf } from "../lib/kubernetes";

export class InputError extends Error {}

export interface CheckedResource extends ResourceUnderTest {
    file: string;
    namespace: string | null;
    /** 1-based number of the YAML document (1 for JSON inputs). */
    document: number;
    /** 1-based line where that document starts. */
    line: number;
}

/** One input file = one stack (stack-level policies see only its resources). */
export interface StackInput {
    file: string;
    resources: CheckedResource[];
}

const EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Files named on the command line, with directories expanded recursively (sorted, for stable output). */
export function expandPaths(paths: readonly string[]): string[] {
    const files: string[] = [];
    for (const given of paths) {
        let stats;
        try {
            stats = statSync(given);
        } catch {
            throw new InputError(`${given}: no such file or directory`);
        }
        if (stats.isDirectory()) {
            const found = walk(given);
            if (found.length === 0) throw new InputError(`${given}: directory has no .yaml, .yml or .json files`);
            files.push(...found);
        } else {
            files.push(given);
        }
    }
    return [...new Set(files)];
}

function walk(directory: string): string[] {
    const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const files: string[] = [];
    for (const entry of entries) {
        const full = path.join(directory, entry.name);
        if (entry.isDirectory()) files.push(...walk(full));
        else if (EXTENSIONS.has(path.extname(entry.name).toLowerCase())) files.push(full);
    }
    return files;
}

function readText(file: string): string {
    try {
        return readFileSync(file, "utf8");
    } catch (error) {
        throw new InputError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
}

export interface LoadOptions {
    /** Where manifests that name no namespace are applied (`kubectl apply -n`, `helm --namespace`). */
    namespace?: string;
}

/**
 * Every resource of one file, in document order, with URNs made unique within the file. Throws
 * InputError at the first bad document, and when the file holds nothing to check.
 */
export function* readResources(file: string, options: LoadOptions = {}): Generator<CheckedResource> {
    const text = readText(file);
    const resources = path.extname(file).toLowerCase() === ".json" ? fromJson(file, text, options) : fromYaml(file, text, options);
    const seen = new Map<string, number>();
    for (const resource of resources) {
        // Two manifests may name the same object; keep both, distinguishable.
        const count = (seen.get(resource.urn) ?? 0) + 1;
        seen.set(resource.urn, count);
        yield count === 1 ? resource : { ...resource, urn: `${resource.urn}#${count}` };
    }
    if (seen.size === 0) {
        throw new InputError(`${file}: nothing to check: no Kubernetes object, \`pulumi stack export\` resource or \`pulumi preview --json\` step in it`);
    }
}

/** All resources of one file at once (small inputs, tests). */
export function loadStack(file: string, options: LoadOptions = {}): StackInput {
    return { file, resources: [...readResources(file, options)] };
}

function fromJson(file: string, text: string, options: LoadOptions): CheckedResource[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (error) {
        throw new InputError(`${file}: document 1: invalid JSON (${(error as Error).message})`);
    }
    if (isRecord(parsed) && isRecord(parsed.deployment) && Array.isArray(parsed.deployment.resources)) {
        return fromStackExport(file, parsed.deployment.resources);
    }
    if (isRecord(parsed) && Array.isArray(parsed.steps)) return fromPreview(file, parsed.steps);
    if (isRecord(parsed) && "kind" in parsed) return fromManifest({ file, document: 1, line: 1 }, parsed, options);
    throw new InputError(
        `${file}: document 1: not a Kubernetes object, a \`pulumi stack export\` (deployment.resources) or a \`pulumi preview --json\` (steps)`,
    );
}

export interface YamlDocument {
    /** 1-based, counting empty documents, as `---` separators delimit them. */
    number: number;
    /** 1-based line of the document's first line. */
    line: number;
    text: string;
}

// A line that starts with `---` or `...` (then a space or the end of the line) is a document
// marker; YAML forbids such a line inside a document's content, so splitting on them is exact.
// Directives (`%YAML`) only ever precede a `---` and go with the document that follows.
const MARKER = /^(?:---|\.\.\.)(?=[ \t\r]|$)|^%/gm;
const CONTENT = /^[ \t]*[^\s#]/m;

/** The documents of a YAML stream, one at a time, without parsing them. */
export function* yamlDocuments(text: string): Generator<YamlDocument> {
    let number = 0;
    let start = 0; // offset where the current document's text starts
    let startLine = 1;
    let line = 1; // line number at `counted`
    let counted = 0;
    let explicit = false; // the current document was opened by `---`
    let directives = -1; // offset of pending directives, if any
    const lineAt = (offset: number) => {
        for (let i = text.indexOf("\n", counted); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
        counted = offset;
        return line;
    };
    const flush = function* (end: number): Generator<YamlDocument> {
        const body = text.slice(start, end);
        if (explicit || CONTENT.test(body)) yield { number: ++number, line: startLine, text: body };
    };
    for (const match of text.matchAll(MARKER)) {
        const offset = match.index;
        if (match[0] === "%") {
            if (directives === -1) directives = offset;
            continue;
        }
        yield* flush(directives === -1 ? offset : directives);
        if (match[0] === "---") {
            start = directives === -1 ? offset : directives;
            startLine = lineAt(start);
            explicit = true;
        } else {
            // `...` ends the document; what follows (if anything) is a new bare document.
            const next = text.indexOf("\n", offset);
            start = next === -1 ? text.length : next + 1;
            startLine = lineAt(start);
            explicit = false;
        }
        directives = -1;
    }
    yield* flush(text.length);
}

function fromYaml(file: string, text: string, options: LoadOptions): Iterable<CheckedResource> {
    return {
        *[Symbol.iterator]() {
            for (const document of yamlDocuments(text)) {
                // Point at the object, not at a bare `---` line above it.
                const where = { file, document: document.number, line: document.line + (/^---[ \t\r]*(\n|$)/.test(document.text) ? 1 : 0) };
                let value: unknown;
                try {
                    value = load(document.text, { schema: CORE_SCHEMA, filename: file });
                } catch (error) {
                    if (!(error instanceof YAMLException)) throw error;
                    const at = error.mark ? ` at line ${document.line + error.mark.line}` : "";
                    throw new InputError(`${file}: document ${document.number}: invalid YAML (${error.reason}${at})`);
                }
                if (value === null || value === undefined) continue; // empty document (e.g. trailing `---`)
                yield* fromManifest(where, value, options, reparser(document.text, file));
            }
        },
    };
}

/** What the engine keeps for its stack-level pass instead of the parsed object: the document's text is in memory anyway. */
function reparser(text: string, file: string): () => unknown {
    return () => load(text, { schema: CORE_SCHEMA, filename: file });
}

/**
 * A copy of a string that shares no memory with the document it was parsed from. Parsed scalars
 * are slices of a copy of their whole document; keeping one (a name, in a URN) would keep that.
 */
function detached(text: string): string {
    return JSON.parse(JSON.stringify(text)) as string;
}

interface Where {
    file: string;
    document: number;
    line: number;
}

function describe(where: Where): string {
    return `${where.file}: document ${where.document}`;
}

function fromManifest(where: Where, value: unknown, options: LoadOptions, reparse?: () => unknown): CheckedResource[] {
    if (!isRecord(value)) throw new InputError(`${describe(where)}: expected a Kubernetes object, got ${Array.isArray(value) ? "a list" : typeof value}`);
    if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
        return value.items.flatMap((item, i) =>
            objectResource(where, `${describe(where)}: item ${i + 1}`, item, options, reparse && (() => (reparse() as { items: Record<string, unknown>[] }).items[i])),
        );
    }
    return objectResource(where, describe(where), value, options, reparse as (() => Record<string, unknown>) | undefined);
}

function objectResource(where: Where, label: string, given: unknown, options: LoadOptions, reloadGiven?: () => Record<string, unknown>): CheckedResource[] {
    if (!isRecord(given)) throw new InputError(`${label}: expected a Kubernetes object`);
    const place = (object: Record<string, unknown>) => (options.namespace ? placedInNamespace(object, options.namespace) : object);
    const value = place(given);
    const reload = reloadGiven && (() => place(reloadGiven()));
    const { apiVersion, kind } = value;
    if (typeof apiVersion !== "string" || apiVersion === "") throw new InputError(`${label}: missing apiVersion`);
    if (typeof kind !== "string" || kind === "") throw new InputError(`${label}: missing kind`);
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    const name = typeof metadata.name === "string" ? metadata.name : typeof metadata.generateName === "string" ? metadata.generateName : "";
    if (name === "") throw new InputError(`${label}: ${kind} has no metadata.name`);
    const namespace = typeof metadata.namespace === "string" ? detached(metadata.namespace) : null;
    const type = detached(pulumiTypeOf(apiVersion, kind));
    const urn = detached(`urn:pulumi:manifests::${path.basename(where.file)}::${type}::${namespace ? `${namespace}/` : ""}${name}`);
    return [{ urn, type, name: detached(name), props: value, file: where.file, namespace, document: where.document, line: where.line, ...(reload ? { reload } : {}) }];
}

// `pulumi stack export` marks secrets with this signature; with --show-secrets they carry
// `plaintext` (JSON-encoded), otherwise only `ciphertext`, which we cannot read: unknown.
const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (!isRecord(value)) return value;
    if (value[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE) {
        if (typeof value.plaintext === "string") {
            try {
                return unwrapSecrets(JSON.parse(value.plaintext));
            } catch {
                return value.plaintext;
            }
        }
        return "value" in value ? unwrapSecrets(value.value) : UNKNOWN;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
}

function nameFromUrn(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

function providerUrn(reference: unknown): string | undefined {
    return typeof reference === "string" ? reference.split("::").slice(0, -1).join("::") || reference : undefined;
}

function recordedResource(file: string, where: string, state: Record<string, unknown>): CheckedResource {
    const { urn, type } = state;
    if (typeof urn !== "string" || typeof type !== "string") throw new InputError(`${where}: resource without urn or type`);
    const props = unwrapSecrets(isRecord(state.inputs) ? state.inputs : {}) as Record<string, unknown>;
    const metadata = isRecord(props.metadata) ? props.metadata : {};
    const rawNamespace = type.startsWith("kubernetes:helm.sh/") ? props.namespace : metadata.namespace;
    return {
        urn,
        type,
        name: nameFromUrn(urn),
        props,
        parent: typeof state.parent === "string" ? state.parent : undefined,
        provider: providerUrn(state.provider),
        dependencies: Array.isArray(state.dependencies) ? state.dependencies.filter((d): d is string => typeof d === "string") : [],
        file,
        namespace: typeof rawNamespace === "string" && rawNamespace !== UNKNOWN ? rawNamespace : null,
        document: 1,
        line: 1,
    };
}

function fromStackExport(file: string, resources: unknown[]): CheckedResource[] {
    return resources.flatMap((resource, i) => {
        const where = `${file}: document 1: deployment.resources[${i}]`;
        if (!isRecord(resource)) throw new InputError(`${where}: not an object`);
        if (resource.delete === true) return []; // pending deletion, not part of the desired state
        return [recordedResource(file, where, resource)];
    });
}

function fromPreview(file: string, steps: unknown[]): CheckedResource[] {
    // Replacements list a URN more than once; the last new state is the one that will exist.
    const byUrn = new Map<string, CheckedResource>();
    steps.forEach((step, i) => {
        const where = `${file}: document 1: steps[${i}]`;
        if (!isRecord(step)) throw new InputError(`${where}: not an object`);
        if (!isRecord(step.newState)) return; // deletes carry only oldState
        const resource = recordedResource(file, `${where}.newState`, step.newState);
        byUrn.set(resource.urn, resource);
    });
    return [...byUrn.values()];
}
