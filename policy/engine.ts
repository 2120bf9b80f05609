// Offline policy engine: drives the very policy objects the CrossGuard pack serves, over
// resources recorded without a Pulumi CLI (mock runs, stack exports, previews, manifests).
// It mirrors the analyzer in @pulumi/policy/server.js: enforcement levels from config,
// unknown-checking proxies over the inputs, UnknownValueError reported rather than raised.
import type { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PolicyConfigError, PolicyPackConfig, resolvePolicyConfig, ResolvedPolicyConfig } from "./lib/config";
import { isEnvironmentClass } from "./lib/environments";
import { PlatformPolicy, PlatformResourcePolicy, PlatformStackPolicy } from "./lib/policy";
import { containsUnknown, isUnknownValueError, UNKNOWN_SENTINEL, unknownCheckingProxy } from "./lib/unknowns";
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
    /**
     * Reads `props` again. When given, a session keeps only this for the stack-level policies
     * and re-reads the props if one of them looks (large inputs: a few bytes per object kept).
     */
    reload?: () => Record<string, unknown>;
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

/** The props as policies see them: the proxy only ever acts on unknown sentinels, so it is used only where one is. */
function policyProps(props: Record<string, unknown>): Record<string, unknown> {
    return containsUnknown(props) ? unknownCheckingProxy(props) : props;
}

/**
 * A resource as a stack policy sees it; its props are read on first use (a stack policy filters
 * by type before it looks inside). A class, so the lazy getter costs no hidden class per object.
 */
class LazyPolicyResource implements PolicyResource {
    private read: Record<string, unknown> | undefined;
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly opts: PolicyResource["opts"];
    dependencies: PolicyResource[] = [];
    readonly propertyDependencies = {};
    parent?: PolicyResource;
    readonly isType = unsupported;
    readonly asType = unsupported;

    constructor(
        resource: ResourceUnderTest,
        private readonly readProps: () => Record<string, unknown>,
    ) {
        this.type = resource.type;
        this.urn = resource.urn;
        this.name = resource.name;
        this.opts = { ...noOptions, parent: resource.parent };
    }

    get props(): Record<string, unknown> {
        return (this.read ??= policyProps(this.readProps()));
    }
}

/** Resources as a stack policy sees them: parents and dependencies resolved within the stack. */
function toPolicyResources(resources: ResourceUnderTest[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const policyResources = resources.map((r) => {
        const resource = new LazyPolicyResource(r, r.reload ?? (() => r.props ?? {}));
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

/** What the analyzer does with an exception: unknown values are reported, anything else is fatal. */
function recordFailure(collector: Collector, urn: string, error: unknown): void {
    if (isUnknownValueError(error)) {
        collector.report.notEvaluated.push({ policy: collector.policy.name, urn, reason: error.message });
    } else if (!(error instanceof NotApplicable)) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`policy ${collector.policy.name} failed on ${urn}: ${message}`, { cause: error });
    }
}

/**
 * A resource policy ready to run over many resources: its config and reporter are made once
 * (a large input runs every policy over tens of thousands of objects).
 */
class ResourcePolicyRunner {
    private readonly collector: Collector;
    private urn = "";
    private readonly getConfig: <T extends object>() => T;
    private readonly reportViolation: ReportViolation;
    private readonly validations: ResourceValidation[];

    constructor(
        readonly policy: PlatformResourcePolicy,
        level: "mandatory" | "advisory",
        config: ResolvedPolicyConfig,
    ) {
        this.collector = { report: { violations: [], notEvaluated: [] }, policy, level };
        this.getConfig = <T extends object>() => config.properties as T;
        this.reportViolation = (message, urn) => {
            this.collector.report.violations.push({ policy: policy.name, enforcementLevel: level, urn: urn ?? this.urn, message });
        };
        this.validations = [policy.validateResource ?? []].flat();
    }

    /** The analyzer calls every policy for every resource; ours return at once for other types. */
    appliesTo(type: string): boolean {
        return this.policy.appliesToType?.(type) ?? true;
    }

    evaluate(args: ResourceValidationArgs, report: PolicyReport): void {
        this.collector.report = report;
        this.urn = args.urn;
        args.getConfig = this.getConfig;
        for (const validation of this.validations) {
            try {
                assertSynchronous(this.policy, validation(args, this.reportViolation));
            } catch (error) {
                recordFailure(this.collector, args.urn, error);
            }
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
    const report: ReportViolation = (message, urn) => {
        collector.report.violations.push({ policy: policy.name, enforcementLevel: collector.level, urn: urn ?? STACK_URN, message });
    };
    try {
        assertSynchronous(policy, policy.validateStack(args, report));
    } catch (error) {
        recordFailure(collector, STACK_URN, error);
    }
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

const byViolation = compareBy<PolicyViolation>("urn", "policy", "message", "enforcementLevel");
const byNotEvaluated = compareBy<NotEvaluated>("urn", "policy", "reason");

function sorted(report: PolicyReport): PolicyReport {
    report.violations.sort(byViolation);
    report.notEvaluated.sort(byNotEvaluated);
    return report;
}

/**
 * One stack evaluated incrementally, as the analyzer sees it: `add` runs the resource policies
 * over one resource as it arrives (the engine's Analyze), `finish` runs the stack policies over
 * everything added (AnalyzeStack). The offline checker streams large inputs through it.
 */
export class PolicySession {
    private readonly resourcePolicies: ResourcePolicyRunner[] = [];
    private readonly stackPolicies: Array<{ policy: PlatformStackPolicy; level: "mandatory" | "advisory"; config: ResolvedPolicyConfig }> = [];
    private readonly resources: ResourceUnderTest[] = [];
    private readonly applicable = new Map<string, ResourcePolicyRunner[]>();

    /** Throws PolicyConfigError for an invalid config. */
    constructor(config: PolicyPackConfig = {}) {
        const resolved = resolvePolicyConfig(allPolicies, config);
        for (const policy of allPolicies) {
            const policyConfig = resolved.get(policy.name)!;
            const level = reportedLevel(policyConfig.enforcementLevel);
            if (!level) continue;
            if (policy.scope === "resource") this.resourcePolicies.push(new ResourcePolicyRunner(policy, level, policyConfig));
            else this.stackPolicies.push({ policy, level, config: policyConfig });
        }
    }

    /** The resource policies' results for one resource (sorted); the resource is kept for `finish`. */
    add(resource: ResourceUnderTest): PolicyReport {
        // With a way to re-read its props, keep only that: stack policies look at few resources.
        const { urn, type, name, parent, dependencies, reload } = resource;
        this.resources.push(reload ? { urn, type, name, parent, dependencies, reload, props: {} } : resource);
        const report: PolicyReport = { violations: [], notEvaluated: [] };
        let runners = this.applicable.get(resource.type);
        if (!runners) {
            runners = this.resourcePolicies.filter((runner) => runner.appliesTo(resource.type));
            this.applicable.set(resource.type, runners);
        }
        if (runners.length === 0) return report;
        const props = policyProps(resource.props ?? {});
        const args: ResourceValidationArgs = {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: { ...noOptions, parent: resource.parent },
            stackTags: emptyTags,
            isType: unsupported,
            asType: unsupported,
            getConfig: <T extends object>() => ({}) as T,
            notApplicable,
        };
        for (const runner of runners) runner.evaluate(args, report);
        return sorted(report);
    }

    /** The stack policies' results over every resource added (sorted). */
    finish(): PolicyReport {
        const report: PolicyReport = { violations: [], notEvaluated: [] };
        const policyResources = toPolicyResources(this.resources);
        for (const { policy, level, config } of this.stackPolicies) {
            evaluateStackPolicy(policy, { report, policy, level }, policyResources, config);
        }
        return sorted(report);
    }
}

/**
 * Evaluates every enabled policy over one stack's resources. Throws PolicyConfigError for an
 * invalid config. Results are sorted by URN, policy and message.
 */
export function evaluatePolicies(resources: ResourceUnderTest[], config: PolicyPackConfig = {}): PolicyReport {
    const session = new PolicySession(config);
    const report: PolicyReport = { violations: [], notEvaluated: [] };
    for (const resource of resources) {
        const found = session.add(resource);
        report.violations.push(...found.violations);
        report.notEvaluated.push(...found.notEvaluated);
    }
    const stack = session.finish();
    report.violations.push(...stack.violations);
    report.notEvaluated.push(...stack.notEvaluated);
    return sorted(report);
}
