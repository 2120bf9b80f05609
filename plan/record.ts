/**
 * Records every resource registration the program makes, with the engine-level facts the
 * mock API hides (parent, provider, dependencies, protect, retainOnDelete, remote).
 */

export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export const SECRET_MARK = "[secret]";
export const UNKNOWN_MARK = "[unknown]";

export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    remote: boolean;
    parent: string | null;
    provider: string | null;
    dependencies: string[];
    protect: boolean;
    retainOnDelete: boolean;
    /** As registered, with secrets shown as "[secret]" and unknowns as "[unknown]": safe to print. */
    inputs: Record<string, unknown>;
    /** As registered, secrets unwrapped and unknowns left as Pulumi's sentinel: what policies see. */
    props: Record<string, unknown>;
    /** The id the provider returned (custom resources); null for components and unknown ids (preview). */
    id: string | null;
    /**
     * What the provider computed beyond the inputs (every output key absent from the inputs or
     * with another value), displayed like `inputs`. With the inputs it gives every identifier
     * (name, ARN, id, URL) another resource could refer to.
     */
    outputs: Record<string, unknown>;
    /**
     * URNs the program says the resource had in stacks deployed by earlier versions of it (its
     * `aliases` given as URNs): the engine moves that state here instead of replacing it. The
     * type aliases the provider SDKs add to every resource of a renamed type are left out.
     */
    aliases: string[];
}

/** An alias as the SDK sends it: an old URN, or a spec (the SDKs' own type aliases) the engine turns into one. */
interface AliasMessage {
    getUrn(): string;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getRemote(): boolean;
    getProvider(): string;
    getDependenciesList(): string[];
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getAliasesList(): AliasMessage[];
}

interface RegisterResponse {
    getUrn(): string;
    getId?(): string;
    getObject?(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type Callback = (err: unknown, response?: RegisterResponse) => void;

interface PatchableMonitor {
    registerResource(req: RegisterRequest, callback: Callback): void;
}

/** A provider reference is `<urn>::<id>`; URNs contain `::` themselves, the id never does. */
function providerUrn(reference: string): string | null {
    if (!reference) return null;
    const cut = reference.lastIndexOf("::");
    return cut > 0 ? reference.slice(0, cut) : reference;
}

function convert(value: unknown, mode: "display" | "policy"): unknown {
    if (value === UNKNOWN_SENTINEL) return mode === "display" ? UNKNOWN_MARK : UNKNOWN_SENTINEL;
    if (Array.isArray(value)) return value.map((v) => convert(v, mode));
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return mode === "display" ? SECRET_MARK : convert(record.value, mode);
    if (record[SIG_KEY] === RESOURCE_SIG) return record.urn;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, convert(v, mode)]));
}

/** Output keys whose values the provider set or changed (an unchanged echo of an input is not news). */
function computedOutputs(inputs: Record<string, unknown>, state: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(state).filter(([key, value]) => !(key in inputs) || JSON.stringify(inputs[key]) !== JSON.stringify(value)));
}

export class ResourceRecorder {
    readonly resources: RecordedResource[] = [];

    attach(monitor: PatchableMonitor): void {
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            register(req, (err, response) => {
                if (!err && response) this.record(req, response);
                callback(err, response);
            });
        };
    }

    private record(req: RegisterRequest, response: RegisterResponse): void {
        const raw = req.getObject()?.toJavaScript() ?? {};
        const state = response.getObject?.()?.toJavaScript() ?? {};
        const id = response.getId?.() ?? "";
        this.resources.push({
            urn: response.getUrn(),
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            remote: req.getRemote(),
            parent: req.getParent() || null,
            provider: providerUrn(req.getProvider()),
            dependencies: [...new Set(req.getDependenciesList())],
            protect: req.getProtect() ?? false,
            retainOnDelete: req.getRetainondelete() ?? false,
            inputs: convert(raw, "display") as Record<string, unknown>,
            props: convert(raw, "policy") as Record<string, unknown>,
            id: id && id !== UNKNOWN_SENTINEL ? id : null,
            outputs: convert(computedOutputs(raw, state), "display") as Record<string, unknown>,
            aliases: req.getAliasesList().map((alias) => alias.getUrn()).filter((urn) => urn !== ""),
        });
    }

    duplicateUrns(): string[] {
        const seen = new Set<string>();
        const duplicates = new Set<string>();
        for (const { urn } of this.resources) {
            if (seen.has(urn)) duplicates.add(urn);
            seen.add(urn);
        }
        return [...duplicates];
    }
}
