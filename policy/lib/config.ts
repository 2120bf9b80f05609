// Policy pack config, read exactly as `pulumi preview --policy-pack-config` reads it:
//   {"all": "<level>", "<policy>": "<level>" | {"enforcementLevel": "<level>", <knob>: ...}}
// Defaults come from each policy's configSchema; "all" sets every level, then per-policy
// entries override. Unlike the CLI we also reject unknown policy and knob names, because a typo
// in CI config must not silently weaken a check.
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import type { EnforcementLevel } from "@pulumi/policy";
import { PlatformPolicy } from "./policy";

export type PolicyPackConfig = Record<string, unknown>;

export interface ResolvedPolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyConfigError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseLevel(value: unknown, where: string): EnforcementLevel {
    if (typeof value === "string" && (LEVELS as string[]).includes(value)) return value as EnforcementLevel;
    throw new PolicyConfigError(`${where}: enforcementLevel must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(value)}`);
}

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
const validators = new Map<string, ValidateFunction>();

function validatorFor(policy: PlatformPolicy): ValidateFunction {
    let validate = validators.get(policy.name);
    if (!validate) {
        const schema = policy.configSchema ?? { properties: {} };
        validate = ajv.compile({ type: "object", properties: schema.properties, required: schema.required ?? [], additionalProperties: false });
        validators.set(policy.name, validate);
    }
    return validate;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
    return (errors ?? [])
        .map((error) => {
            if (error.keyword === "additionalProperties") {
                return `unknown key "${String((error.params as { additionalProperty: string }).additionalProperty)}"`;
            }
            // A JSON pointer ("/exemptObjects/0/kind", "" for the whole config) as a dotted key.
            const key = error.instancePath.slice(1).replace(/\//g, ".") || "(config)";
            return `${key} ${error.message ?? "is invalid"}`;
        })
        .join("; ");
}

function schemaDefaults(policy: PlatformPolicy): Record<string, unknown> {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (typeof schema === "object" && schema.default !== undefined) defaults[key] = structuredClone(schema.default);
    }
    return defaults;
}

/** Resolves levels and knobs for every policy; throws PolicyConfigError naming `source`, policy and key. */
export function resolvePolicyConfig(
    policies: readonly PlatformPolicy[],
    config: PolicyPackConfig = {},
    source = "policy config",
): Map<string, ResolvedPolicyConfig> {
    if (!isRecord(config)) throw new PolicyConfigError(`${source}: must be a JSON object`);
    const byName = new Map(policies.map((p) => [p.name, p]));
    const resolved = new Map<string, ResolvedPolicyConfig>();
    for (const policy of policies) {
        resolved.set(policy.name, { enforcementLevel: policy.enforcementLevel ?? "advisory", properties: schemaDefaults(policy) });
    }

    if ("all" in config) {
        const all = config.all;
        const level = parseLevel(isRecord(all) ? all.enforcementLevel : all, `${source}: "all"`);
        if (isRecord(all) && Object.keys(all).some((k) => k !== "enforcementLevel")) {
            throw new PolicyConfigError(`${source}: "all" accepts only an enforcement level`);
        }
        for (const entry of resolved.values()) entry.enforcementLevel = level;
    }

    for (const [name, value] of Object.entries(config)) {
        if (name === "all") continue;
        const policy = byName.get(name);
        if (!policy) throw new PolicyConfigError(`${source}: unknown policy "${name}"`);
        const entry = resolved.get(name)!;
        if (typeof value === "string") {
            entry.enforcementLevel = parseLevel(value, `${source}: policy "${name}"`);
            continue;
        }
        if (!isRecord(value)) throw new PolicyConfigError(`${source}: policy "${name}" must be a level or an object`);
        const { enforcementLevel, ...properties } = value;
        if (enforcementLevel !== undefined) entry.enforcementLevel = parseLevel(enforcementLevel, `${source}: policy "${name}"`);
        Object.assign(entry.properties, properties);
    }

    for (const policy of policies) {
        const entry = resolved.get(policy.name)!;
        const validate = validatorFor(policy);
        if (!validate(entry.properties)) {
            throw new PolicyConfigError(`${source}: policy "${policy.name}": ${describeErrors(validate.errors)}`);
        }
    }
    return resolved;
}
