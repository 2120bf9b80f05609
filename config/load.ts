import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { derivedNameProblems, nameInputsOf } from "./awsNames";
import { resolveCostAssumptions } from "./costAssumptions";
import { knownKeysAt } from "./keys";
import { availabilityZoneCount, REGION_TABLE_RECORDED, REGION_TABLE_SOURCE } from "./regions";
import { SCALAR_KEYS, stackConfigSchema } from "./schema";
import { didYouMean } from "./suggest";

// isConfigSecret is exported by the runtime but missing from its type declarations.
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type ResolvedCostAssumptions = ReturnType<typeof resolveCostAssumptions>;

/** The one validated, fully defaulted configuration every component receives. */
export interface PlatformConfig extends Omit<StackConfig, "clusterName" | "costAssumptions"> {
    project: string;
    stack: string;
    region: string;
    clusterName: string;
    isProduction: boolean;
    externalSecrets: { secretsPrefix: string; allowedNamespaces: string[] };
    /** Usage the cost model assumes: the stack's figures over its environment class's defaults. */
    costAssumptions: ResolvedCostAssumptions;
}

/**
 * Bad config ends the program before any resource exists. Pulumi prints a RunError's
 * message without a stack trace, which is what a user fixing a typo needs.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stack: string,
        readonly problems: string[],
    ) {
        super(`Invalid configuration for stack "${stack}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

export interface RawConfigSource {
    project: string;
    stack: string;
    /** Fully qualified keys (`<namespace>:<key>`) to their string values, as Pulumi stores them. */
    values: Record<string, string>;
    /** Fully qualified keys whose values are secret; never echoed in messages. */
    secretKeys?: string[];
}

export function parsePlatformConfig(source: RawConfigSource): PlatformConfig {
    const problems: string[] = [];
    const region = source.values["aws:region"];
    if (region === undefined) problems.push("aws:region: is required (the AWS region to deploy to, e.g. eu-west-1)");
    else if (!AWS_REGION.test(region)) problems.push(`aws:region = ${JSON.stringify(region)}: is not an AWS region name such as eu-west-1`);

    const projectValues = decodeProjectKeys(source, problems);
    const parsed = stackConfigSchema.safeParse(projectValues);
    if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, source, projectValues)));
    if (problems.length > 0 || !parsed.success) throw new ConfigError(source.stack, problems);
    const config = resolve(parsed.data, source, region!);
    const awsProblems = [...clusterNameProblems(config, parsed.data.clusterName !== undefined), ...zoneCountProblems(config, source.project)];
    if (awsProblems.length > 0) throw new ConfigError(source.stack, awsProblems);
    return config;
}

/** Names AWS would refuse at create time, reported against the key they come from. */
function clusterNameProblems(config: PlatformConfig, explicit: boolean): string[] {
    const where = explicit
        ? `${config.project}:clusterName = ${JSON.stringify(config.clusterName)}`
        : `${config.project}:clusterName (not set: derived from project and stack as ${JSON.stringify(config.clusterName)})`;
    const problems = derivedNameProblems(nameInputsOf(config));
    const advice = explicit ? "choose a shorter or plainer clusterName" : "set clusterName (lowercase letters, digits and dashes) or rename the stack";
    return problems.map((problem) => `${where}: ${problem}; ${advice}`);
}

/** A managed VPC cannot span more zones than the Region has (where the table knows the Region). */
function zoneCountProblems(config: PlatformConfig, project: string): string[] {
    if (config.network.mode !== "managed") return [];
    const zones = availabilityZoneCount(config.region);
    if (zones === undefined || config.network.azCount <= zones) return [];
    return [
        `${project}:network.azCount = ${config.network.azCount}: ${config.region} has ${zones} Availability Zones (${REGION_TABLE_SOURCE}, recorded ${REGION_TABLE_RECORDED}); use at most ${zones}`,
    ];
}

function decodeProjectKeys(source: RawConfigSource, problems: string[]): Record<string, unknown> {
    const prefix = `${source.project}:`;
    const decoded: Record<string, unknown> = {};
    for (const [fullKey, raw] of Object.entries(source.values)) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        const scalarType = (SCALAR_KEYS as Record<string, string>)[key];
        if (scalarType === "string") decoded[key] = raw;
        else if (scalarType === "integer") decoded[key] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
        else decoded[key] = parseStructured(fullKey, raw, problems);
    }
    return decoded;
}

function parseStructured(fullKey: string, raw: string, problems: string[]): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        // A structured key given as a plain string is still reported by the schema, with its value.
        if (!/^[[{]/.test(raw.trim())) return raw;
        problems.push(`${fullKey}: is not valid JSON/YAML structure`);
        return undefined;
    }
}

function describeIssue(issue: z.core.$ZodIssue, source: RawConfigSource, values: Record<string, unknown>): string[] {
    const [topKey, ...rest] = issue.path;
    const fullKey = topKey === undefined ? `${source.project}` : `${source.project}:${String(topKey)}`;
    const where = fullKey + rest.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
    if (issue.code === "unrecognized_keys") {
        const known = knownKeysAt(issue.path, values);
        return issue.keys.map((k) => `${where}${topKey === undefined ? ":" : "."}${k}: unknown key${didYouMean(k, known)} (the README lists every key)`);
    }
    const secret = source.secretKeys?.includes(fullKey) ?? false;
    const value = valueAt(values, issue.path);
    const shown = secret ? "[secret]" : value === undefined ? "(not set)" : JSON.stringify(value);
    return [`${where} = ${shown}: ${issue.message}`];
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
    let node = root;
    for (const part of path) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<PropertyKey, unknown>)[part];
    }
    return node;
}

function resolve(config: StackConfig, source: RawConfigSource, region: string): PlatformConfig {
    const clusterName = config.clusterName ?? `${source.project}-${source.stack}`;
    return {
        ...config,
        project: source.project,
        stack: source.stack,
        region,
        clusterName,
        isProduction: config.environment === "prod",
        costAssumptions: resolveCostAssumptions(config.environment, config.costAssumptions),
        externalSecrets: {
            secretsPrefix: config.addons.externalSecrets.secretsPrefix ?? `${clusterName}/`,
            allowedNamespaces: config.addons.externalSecrets.allowedNamespaces ?? config.tenants.map((t) => t.name),
        },
    };
}

/** Reads the running stack's config through the Pulumi runtime (real engine or mocks). */
export function loadPlatformConfig(): PlatformConfig {
    const values = pulumi.runtime.allConfig();
    const secretKeys = Object.keys(values).filter((key) => runtimeConfig.isConfigSecret(key));
    return parsePlatformConfig({ project: pulumi.getProject(), stack: pulumi.getStack(), values, secretKeys });
}
