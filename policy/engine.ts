// Offline policy engine: drives the very policy objects the CrossGuard pack serves, over
// resources recorded without a Pulumi CLI (mock runs, stack exports, previews, manifests).
// It mirrors the analyzer in @pulumi/policy/server.js: enforcement levels from config,
// unknown-checking proxies over the inputs, UnknownValueError reported rather than raised.
import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PolicyConfigError, PolicyPackConfig, resolvePolicyConfig, ResolvedPolicyConfig } from "./lib/config";
import { isEnvironmentClass } from "./lib/environments";
import { PlatformPolicy, PlatformResourcePolicy, PlatformStackPolicy } from "./lib/policy";
import { isUnknownValueError, UNKNOWN_SENTINEL, unknownCheckingProxy } from "./lib/unknowns";
import { allPolicies } from "./policies";

export type { PolicyPackConfig } from "./lib/config";
export { PolicyConfigError } from "./lib/config";

/** Pulumi's unknown sentinel as found in offline records. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
if (UNKNOWN !== UNKNOWN_SENTINEL) throw new Error("@pulumi/policy changed its unknown sentinel");

export interface ResourceUnderTest {
    urn: string;
    type: string;
    name: string;
    /** Inputs as registered; unknown values are the UNKNOWN string anywhere in the tree; secrets unwrapped. */
    props: Record<string, unknown>;
    parent?: string;
    provider?: string;
    dependencies?: string[];
}

export interface PolicyViolation {
    policy: string;
    enforcementLevel: "mandatory" | "advisory";
    urn: string;
    message: string;
}

/** A policy that hit an unknown value and could prove nothing about the resource (or stack). */
export interface NotEvaluated {
    policy: string;
    urn: string;
    reason: string;
}

export interface PolicyReport {
    violations: PolicyViolation[];
    notEvaluated: NotEvaluated[];
}

/** The base config every environment shares (and the strictest levels: prod's). */
export const platformPolicyConfigPath: string = path.join(__dirname, "platform-policy-config.json");

/**
 * The config a stack of this environment class uses: `platform-policy-config.<environment>.json`
 * (base + per-environment levels, docs/policies.md). An unknown class gets the base config.
 */
export function platformPolicyConfigPathFor(environment: unknown): string {
    return isEnvironmentClass(environment) ? path.join(__dirname, `platform-policy-config.${environment}.json`) : platformPolicyConfigPath;
}

/** Stack-level results are attributed to this pseudo-URN when a policy names no resource. */
export const STACK_URN = "urn:pulumi:stack";

/** Reads and validates a policy pack config file (same JSON as `--policy-pack-config`). */
export function loadPolicyPackConfig(file: string): PolicyPackConfig {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new PolicyConfigError(`${file}: cannot read policy config (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    let config: unknown;
    try {
        config = JSON.parse(text);
    } catch (error) {
        throw new PolicyConfigError(`${file}: invalid JSON (${(error as Error).message})`);
    }
    resolvePolicyConfig(allPolicies, config as PolicyPackConfig, file);
    return config as PolicyPackConfig;
}

const noOptions = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };
const emptyTags: ReadonlyMap<string, string> = new Map();

function unsupported(): never {
    throw new Error("isType/asType need resource classes; platform policies compare type tokens instead");
}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

class NotApplicable extends Error {}

/** Effective level as the analyzer computes it; remediate reports as mandatory. */
function reportedLevel(level: string): "mandatory" | "advisory" | undefined {
    if (level === "disabled") return undefined;
    return level === "advisory" ? "advisory" : "mandatory";
}

function toPolicyResources(resources: ResourceUnderTest[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const policyResources = resources.map((r) => {
        const resource: PolicyResource = {
            type: r.type,
            urn: r.urn,
            name: r.name,
            props: unknownCheckingProxy(r.props ?? {}),
            opts: { ...noOptions, parent: r.parent },
            dependencies: [],
            propertyDependencies: {},
            isType: unsupported,
            asType: unsupported,
        };
        byUrn.set(r.urn, resource);
        return resource;
    });
    resources.forEach((r, i) => {
        const resource = policyResources[i];
        if (r.parent) resource.parent = byUrn.get(r.parent);
        resource.dependencies = (r.dependencies ?? []).map((urn) => byUrn.get(urn)).filter((d): d is PolicyResource => d !== undefined);
    });
    return policyResources;
}

interface Collector {
    report: PolicyReport;
    policy: PlatformPolicy;
    level: "mandatory" | "advisory";
}

function run(collector: Collector, urn: string, validate: () => void): void {
    try {
        validate();
    } catch (error) {
        if (isUnknownValueError(error)) {
            collector.report.notEvaluated.push({ policy: collector.policy.name, urn, reason: error.message });
        } else if (!(error instanceof NotApplicable)) {
            const message = error instanceof Error ? error.message : String(error);
            throw new Error(`policy ${collector.policy.name} failed on ${urn}: ${message}`, { cause: error });
        }
    }
}

function violationReporter(collector: Collector, defaultUrn: string): ReportViolation {
    return (message, urn) => {
        collector.report.violations.push({
            policy: collector.policy.name,
            enforcementLevel: collector.level,
            urn: urn ?? defaultUrn,
            message,
        });
    };
}

function evaluateResourcePolicy(policy: PlatformResourcePolicy, collector: Collector, resources: PolicyResource[], config: ResolvedPolicyConfig): void {
    const validations = [policy.validateResource ?? []].flat();
    const getConfig = <T extends object>() => config.properties as T;
    for (const resource of resources) {
        const args: ResourceValidationArgs = {
            type: resource.type,
            props: resource.props,
            urn: resource.urn,
            name: resource.name,
            opts: resource.opts,
            stackTags: emptyTags,
            isType: unsupported,
            asType: unsupported,
            getConfig,
            notApplicable,
        };
        const report = violationReporter(collector, resource.urn);
        for (const validation of validations) {
            run(collector, resource.urn, () => assertSynchronous(policy, validation(args, report)));
        }
    }
}

function evaluateStackPolicy(policy: PlatformStackPolicy, collector: Collector, resources: PolicyResource[], config: ResolvedPolicyConfig): void {
    const args: StackValidationArgs = {
        resources,
        stackTags: emptyTags,
        getConfig: <T extends object>() => config.properties as T,
        notApplicable,
    };
    run(collector, STACK_URN, () => assertSynchronous(policy, policy.validateStack(args, violationReporter(collector, STACK_URN))));
}

/** Our policies are synchronous; a promise here would mean results silently arriving too late. */
function assertSynchronous(policy: PlatformPolicy, result: unknown): void {
    if (result instanceof Promise) throw new Error(`policy ${policy.name} returned a promise; the offline engine runs policies synchronously`);
}

function compareBy<T>(...keys: Array<keyof T>) {
    return (a: T, b: T): number => {
        for (const key of keys) {
            const left = String(a[key]);
            const right = String(b[key]);
            if (left !== right) return left < right ? -1 : 1;
        }
        return 0;
    };
}

/**
 * Evaluates every enabled policy over one stack's resources. Throws PolicyConfigError for an
 * invalid config. Results are sorted by URN, policy and message.
 */
export function evaluatePolicies(resources: ResourceUnderTest[], config: PolicyPackConfig = {}): PolicyReport {
    const resolved = resolvePolicyConfig(allPolicies, config);
    const policyResources = toPolicyResources(resources);
    const report: PolicyReport = { violations: [], notEvaluated: [] };
    for (const policy of allPolicies) {
        const policyConfig = resolved.get(policy.name)!;
        const level = reportedLevel(policyConfig.enforcementLevel);
        if (!level) continue;
        const collector = { report, policy, level };
        if (policy.scope === "resource") evaluateResourcePolicy(policy, collector, policyResources, policyConfig);
        else evaluateStackPolicy(policy, collector, policyResources, policyConfig);
    }
    report.violations.sort(compareBy<PolicyViolation>("urn", "policy", "message", "enforcementLevel"));
    report.notEvaluated.sort(compareBy<NotEvaluated>("urn", "policy", "reason"));
    return report;
}
