/**
 * What is generated from the outputs contract (`contract/outputs.ts`): `docs/outputs.md` and the
 * committed snapshot `contract/outputs.snapshot.json` that the contract test compares against.
 * `npm run docs` writes both; it refuses to write a snapshot whose changes the contract version
 * does not account for.
 */
import { z } from "zod";
import { CONTRACT, CONTRACT_FIELDS, CONTRACT_VERSION, platformOutputsSchema, type PlatformOutputField, type Stability } from "./outputs";

export interface SnapshotField {
    /** The field's JSON Schema type, written compactly: `string`, `string[]`, `Record<string, string>`. */
    type: string;
    required: boolean;
    secret: boolean;
    stability: Stability;
}

export interface ContractSnapshot {
    contractVersion: string;
    fields: Record<string, SnapshotField>;
}

type JsonSchema = {
    type?: string | string[];
    items?: JsonSchema;
    properties?: Record<string, JsonSchema>;
    required?: string[];
    additionalProperties?: JsonSchema | boolean;
    enum?: unknown[];
    const?: unknown;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
    description?: string;
};

/** The JSON Schema of the contract (what zod renders; patterns and formats included). */
export function outputsJsonSchema(): JsonSchema & { properties: Record<string, JsonSchema>; required: string[] } {
    const schema = z.toJSONSchema(platformOutputsSchema, { io: "output", unrepresentable: "any" }) as JsonSchema;
    return { ...schema, properties: schema.properties ?? {}, required: schema.required ?? [] };
}

/** A JSON Schema type as one short string; only structure counts (not patterns, formats or text). */
export function typeOf(schema: JsonSchema): string {
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    const union = schema.anyOf ?? schema.oneOf;
    if (union) return union.map(typeOf).join(" | ");
    const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
    if (type === "array") return `${schema.items ? wrap(typeOf(schema.items)) : "unknown"}[]`;
    if (type === "object") {
        if (schema.properties && Object.keys(schema.properties).length > 0) {
            const required = new Set(schema.required ?? []);
            const members = Object.entries(schema.properties).map(([key, value]) => `${key}${required.has(key) ? "" : "?"}: ${typeOf(value)}`);
            return `{ ${members.join("; ")} }`;
        }
        const values = schema.additionalProperties;
        return `Record<string, ${typeof values === "object" ? typeOf(values) : "unknown"}>`;
    }
    return type ?? "unknown";
}

function wrap(type: string): string {
    return type.includes(" | ") ? `(${type})` : type;
}

/** The snapshot of the contract as it is now in the source. */
export function contractSnapshot(): ContractSnapshot {
    const schema = outputsJsonSchema();
    const required = new Set(schema.required);
    const fields: Record<string, SnapshotField> = {};
    for (const field of CONTRACT_FIELDS) {
        fields[field] = {
            type: typeOf(schema.properties[field]),
            required: required.has(field),
            secret: CONTRACT[field].secret,
            stability: CONTRACT[field].stability,
        };
    }
    return { contractVersion: CONTRACT_VERSION, fields };
}

export type Bump = "none" | "patch" | "minor" | "major";
const RANK: Record<Bump, number> = { none: 0, patch: 1, minor: 2, major: 3 };

export interface ContractChange {
    field: string;
    change: string;
    bump: Bump;
}

/**
 * What changed between two snapshots and the version bump each change needs: removing a field,
 * changing its type, making it optional or (un)secret, or demoting it to beta is a major change
 * for a stable field and a minor one for a beta field; adding a field is minor.
 */
export function contractChanges(previous: ContractSnapshot, current: ContractSnapshot): ContractChange[] {
    const changes: ContractChange[] = [];
    const breaking = (field: SnapshotField): Bump => (field.stability === "stable" ? "major" : "minor");
    for (const [name, before] of Object.entries(previous.fields)) {
        const after = current.fields[name];
        if (!after) {
            changes.push({ field: name, change: "removed (or renamed)", bump: breaking(before) });
            continue;
        }
        if (before.type !== after.type) changes.push({ field: name, change: `type ${before.type} -> ${after.type}`, bump: breaking(before) });
        if (before.required && !after.required) changes.push({ field: name, change: "no longer always present", bump: breaking(before) });
        if (!before.required && after.required) changes.push({ field: name, change: "now always present", bump: "minor" });
        if (before.secret !== after.secret) changes.push({ field: name, change: after.secret ? "now a secret" : "no longer a secret", bump: breaking(before) });
        if (before.stability !== after.stability) {
            changes.push({ field: name, change: `stability ${before.stability} -> ${after.stability}`, bump: after.stability === "beta" ? "major" : "minor" });
        }
    }
    for (const name of Object.keys(current.fields)) {
        if (!previous.fields[name]) changes.push({ field: name, change: "added", bump: "minor" });
    }
    return changes;
}

function parseVersion(version: string): [number, number, number] {
    const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
    if (!match) throw new Error(`contract version "${version}" is not MAJOR.MINOR.PATCH`);
    return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** The bump from one version to the next, or "downgrade". */
export function bumpBetween(from: string, to: string): Bump | "downgrade" {
    const [a, b] = [parseVersion(from), parseVersion(to)];
    for (const [index, level] of (["major", "minor", "patch"] as const).entries()) {
        if (b[index] > a[index]) return level;
        if (b[index] < a[index]) return "downgrade";
    }
    return "none";
}

/** Problems with going from the committed snapshot to the current contract; empty when fine. */
export function versionProblems(committed: ContractSnapshot, current: ContractSnapshot): string[] {
    const changes = contractChanges(committed, current);
    const needed = changes.reduce<Bump>((worst, c) => (RANK[c.bump] > RANK[worst] ? c.bump : worst), "none");
    const actual = bumpBetween(committed.contractVersion, current.contractVersion);
    if (actual === "downgrade") return [`CONTRACT_VERSION went down from ${committed.contractVersion} to ${current.contractVersion}`];
    if (RANK[actual] >= RANK[needed]) return [];
    return [
        `the outputs contract changed but CONTRACT_VERSION ${current.contractVersion} is not a ${needed} bump from ${committed.contractVersion}:`,
        ...changes.map((c) => `  ${c.field}: ${c.change} (needs a ${c.bump} bump)`),
    ];
}

export function snapshotJson(snapshot: ContractSnapshot = contractSnapshot()): string {
    return `${JSON.stringify(snapshot, null, 2)}\n`;
}

const ADDON_CONFIG: Record<string, string> = {
    karpenter: "addons.karpenter.enabled",
    externalSecrets: "addons.externalSecrets.enabled",
    velero: "addons.velero.enabled",
    monitoring: "addons.monitoring.enabled",
};

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** `docs/outputs.md`, entirely generated from the contract. */
export function outputsMarkdown(): string {
    const schema = outputsJsonSchema();
    const snapshot = contractSnapshot();
    const rows = CONTRACT_FIELDS.map((field: PlatformOutputField) => {
        const contract = CONTRACT[field];
        const presence = contract.addon ? `when \`${ADDON_CONFIG[contract.addon]}\`` : "always";
        return `| \`${field}\` | \`${cell(snapshot.fields[field].type)}\` | ${presence} | ${contract.secret ? "**secret**" : "no"} | ${contract.stability} | ${contract.since} | ${cell(schema.properties[field].description ?? "")} |`;
    });
    return `<!-- generated from contract/outputs.ts by \`npm run docs\`; do not edit -->
# Stack outputs (contract ${CONTRACT_VERSION})

The platform's stack outputs are a contract with the application teams that read them through a
\`StackReference\`. One zod schema, \`platformOutputsSchema\` in
[\`contract/outputs.ts\`](../contract/outputs.ts), defines them; its TypeScript type is
\`PlatformOutputs\`. This page, and the snapshot \`contract/outputs.snapshot.json\`, are generated
from it.

Outputs marked *always* exist in every stack. The others exist only when their add-on is
enabled in the stack's config (\`eks-platform:addons\`); a consumer that needs one must check for it
and fail with a clear message, as [the example consumer](../examples/consumer/README.md) does for
External Secrets.

| output | type | present | secret | stability | since | meaning |
|---|---|---|---|---|---|---|
${rows.join("\n")}

**Secret** outputs are encrypted in the platform's state and stay Pulumi secrets when read:
\`getOutput\`/\`requireOutput\` return a secret \`Output\`, \`getOutputDetails\` returns them in
\`secretValue\`, and \`getOutputValue\` refuses them.

**Stability**: \`stable\` fields change incompatibly only with a new major contract version;
\`beta\` fields may change in a minor version (announced in the change log). Build automation
on stable fields.

## Reading the outputs from another stack

\`\`\`ts
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { parsePlatformOutputs, platformOutputsSchema, type PlatformOutputs } from "<the published contract package>";

const platform = new pulumi.StackReference("platform", { name: "<org>/eks-platform/prod" });

// Read every field the contract declares, then validate once: a missing or mistyped output
// stops the program with a message naming the field.
const fields = Object.keys(platformOutputsSchema.shape) as Array<keyof PlatformOutputs>;
const details = await Promise.all(fields.map((f) => platform.getOutputDetails(f)));
const outputs = parsePlatformOutputs(
    Object.fromEntries(fields.map((f, i) => [f, details[i].value ?? details[i].secretValue]).filter(([, v]) => v !== undefined)),
    "stack <org>/eks-platform/prod",
);

// Keep the kubeconfig a secret in your own state.
const provider = new k8s.Provider("platform", { kubeconfig: pulumi.secret(outputs.kubeconfig), enableServerSideApply: true });
\`\`\`

Plain reads work too (\`platform.requireOutput("clusterName")\`), without validation. The schema is
not strict: fields added in later minor versions are ignored by older consumers. See
[\`examples/consumer/\`](../examples/consumer/) for a complete application stack that passes the
policy pack.

## Versioning

\`CONTRACT_VERSION\` (now ${CONTRACT_VERSION}) is semantic and independent of the package version:

- **major**: an output removed or renamed, its type changed, no longer always present, made
  secret or no longer secret, or demoted from stable to beta (for a \`beta\` output, a minor bump
  is enough);
- **minor**: an output added, made always present, or promoted to stable;
- **patch**: descriptions only.

The contract test (\`test/outputsContract.test.ts\`) runs the dev and prod plans and fails when the
program exports an output the contract does not declare, misses a required one, exports a value
the schema rejects, or when the contract differs from the committed snapshot. To change the
contract: edit \`contract/outputs.ts\` (schema and \`CONTRACT\` table), bump \`CONTRACT_VERSION\` as
above, and run \`npm run docs\`, which regenerates this page and the snapshot, and refuses to
when the version bump is smaller than the change needs.
`;
}
