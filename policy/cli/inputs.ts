// Turns files users already have into resources for the offline engine: Kubernetes YAML (multi
// document, `List`s expanded), `pulumi stack export` JSON and `pulumi preview --json` output.
// Every problem becomes an InputError naming the file and the document.
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { ResourceUnderTest, UNKNOWN } from "../engine";
import { placedInNamespace, pulumiTypeOf } from "../lib/kubernetes";

export class InputError extends Error {}

export interface CheckedResource extends ResourceUnderTest {
    file: string;
    namespace: string | null;
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

export interface LoadOptions {
    /** Where manifests that name no namespace are applied (`kubectl apply -n`, `helm --namespace`). */
    namespace?: string;
}

export function loadStack(file: string, options: LoadOptions = {}): StackInput {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new InputError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    const resources = path.extname(file).toLowerCase() === ".json" ? fromJson(file, text, options) : fromYaml(file, text, options);
    return { file, resources: withUniqueUrns(resources) };
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
    if (isRecord(parsed) && "kind" in parsed) return fromManifest(file, parsed, 1, options);
    throw new InputError(
        `${file}: document 1: not a Kubernetes object, a \`pulumi stack export\` (deployment.resources) or a \`pulumi preview --json\` (steps)`,
    );
}

function fromYaml(file: string, text: string, options: LoadOptions): CheckedResource[] {
    const resources: CheckedResource[] = [];
    parseAllDocuments(text).forEach((document, index) => {
        const where = `${file}: document ${index + 1}`;
        if (!("errors" in document)) throw new InputError(`${where}: not a YAML document`);
        if (document.errors.length > 0) throw new InputError(`${where}: invalid YAML (${document.errors[0].message.split("\n")[0]})`);
        const value: unknown = document.toJS();
        if (value === null || value === undefined) return; // empty document (e.g. trailing `---`)
        resources.push(...fromManifest(file, value, index + 1, options));
    });
    return resources;
}

function fromManifest(file: string, value: unknown, documentNumber: number, options: LoadOptions): CheckedResource[] {
    const where = `${file}: document ${documentNumber}`;
    if (!isRecord(value)) throw new InputError(`${where}: expected a Kubernetes object, got ${Array.isArray(value) ? "a list" : typeof value}`);
    if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)) {
        return value.items.flatMap((item, i) => objectResource(`${where}: item ${i + 1}`, file, item, options));
    }
    return objectResource(where, file, value, options);
}

function objectResource(where: string, file: string, given: unknown, options: LoadOptions): CheckedResource[] {
    if (!isRecord(given)) throw new InputError(`${where}: expected a Kubernetes object`);
    const value = options.namespace ? placedInNamespace(given, options.namespace) : given;
    const { apiVersion, kind } = value;
    if (typeof apiVersion !== "string" || apiVersion === "") throw new InputError(`${where}: missing apiVersion`);
    if (typeof kind !== "string" || kind === "") throw new InputError(`${where}: missing kind`);
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    const name = typeof metadata.name === "string" ? metadata.name : typeof metadata.generateName === "string" ? metadata.generateName : "";
    if (name === "") throw new InputError(`${where}: ${kind} has no metadata.name`);
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : null;
    const type = pulumiTypeOf(apiVersion, kind);
    const urn = `urn:pulumi:manifests::${path.basename(file)}::${type}::${namespace ? `${namespace}/` : ""}${name}`;
    return [{ urn, type, name, props: value, file, namespace }];
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

/** Two manifests may name the same object; keep both, distinguishable. */
function withUniqueUrns(resources: CheckedResource[]): CheckedResource[] {
    const seen = new Map<string, number>();
    return resources.map((resource) => {
        const count = seen.get(resource.urn) ?? 0;
        seen.set(resource.urn, count + 1);
        return count === 0 ? resource : { ...resource, urn: `${resource.urn}#${count + 1}` };
    });
}
