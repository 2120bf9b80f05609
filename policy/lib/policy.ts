// The one place that turns a short policy description into a CrossGuard policy object. It adds
// the exemption knobs, the type filter, and the unknown-value discipline, so each policy file
// states only what it checks.
import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ExemptionConfig, exemptionSchema, isExempt } from "./exemptions";
import { MalformedValue } from "./fields";
import { FrameworkItem } from "./frameworks";
import { parseKubernetesType } from "./kubernetes";
import { UnknownCollector } from "./unknowns";
import { Props } from "./values";

export type DefaultEnforcementLevel = "mandatory" | "advisory";

export interface PolicyDocs {
    /** Stable kebab-case name: config files and exemptions refer to it. */
    name: string;
    description: string;
    severity: Severity;
    enforcementLevel: DefaultEnforcementLevel;
    frameworks: FrameworkItem[];
    /** Resource types the policy looks at, for the docs table. */
    appliesTo: string;
    remediation: string;
    /** Policy-specific config knobs (the exemption knobs are added to every policy). */
    knobs?: Record<string, PolicyConfigJSONSchema>;
}

export interface PlatformPolicyMetadata {
    frameworks: FrameworkItem[];
    appliesTo: string;
    scope: "resource" | "stack";
}

/** `appliesToType`: the types the policy checks; the offline engine skips the others without calling it. */
export type PlatformResourcePolicy = ResourceValidationPolicy & PlatformPolicyMetadata & { scope: "resource"; appliesToType?: (type: string) => boolean };
export type PlatformStackPolicy = StackValidationPolicy & PlatformPolicyMetadata & { scope: "stack" };
export type PlatformPolicy = PlatformResourcePolicy | PlatformStackPolicy;

/** What a resource check sees. `props` may be the unknown-checking proxy: reads can throw. */
export interface ResourceCheck<C> extends UnknownCollector {
    type: string;
    name: string;
    urn: string;
    props: Props;
    config: C;
    report(message: string): void;
}

export interface StackCheck<C> extends UnknownCollector {
    resources: PolicyResource[];
    config: C;
    report(resource: PolicyResource, message: string): void;
    ofType(...types: string[]): PolicyResource[];
}

function metadataOf(docs: PolicyDocs, scope: "resource" | "stack") {
    return {
        name: docs.name,
        description: docs.description,
        severity: docs.severity,
        enforcementLevel: docs.enforcementLevel,
        // CrossGuard carries one framework per policy; the full list stays in `frameworks`.
        framework: {
            name: docs.frameworks[0].framework,
            version: docs.frameworks[0].version,
            reference: docs.frameworks[0].reference,
            specification: docs.frameworks[0].title,
        },
        frameworks: docs.frameworks,
        remediationSteps: docs.remediation,
        tags: [scope],
        appliesTo: docs.appliesTo,
        configSchema: { properties: { ...(docs.knobs ?? {}), ...exemptionSchema } },
    };
}

/** Fills schema defaults, so a policy behaves the same whether or not the engine applied them. */
function withDefaults<C>(docs: PolicyDocs, given: object): C & ExemptionConfig {
    const config: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries({ ...(docs.knobs ?? {}), ...exemptionSchema })) {
        if (schema.default !== undefined) config[key] = schema.default;
    }
    return { ...config, ...given } as C & ExemptionConfig;
}

/** withDefaults, once per config object (engines hand a policy the same config for every resource). */
function defaultsCache<C>(docs: PolicyDocs): (given: object) => C & ExemptionConfig {
    const cache = new WeakMap<object, C & ExemptionConfig>();
    return (given) => {
        let config = cache.get(given);
        if (!config) cache.set(given, (config = withDefaults<C>(docs, given)));
        return config;
    };
}

export function defineResourcePolicy<C extends object = object>(
    docs: PolicyDocs,
    spec: { appliesTo(type: string): boolean; check(resource: ResourceCheck<C>): void },
): PlatformResourcePolicy {
    const configOf = defaultsCache<C>(docs);
    const validateResource = (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
        if (!spec.appliesTo(args.type)) return;
        const config = configOf(args.getConfig<object>());
        const check = new Check<C>(args, config);
        const found = check.found;
        check.tolerate(() => failClosed(args.type, check, spec.check));
        // Report every violation we can prove; only when there is none and something was
        // unknown does the engine learn that the policy could not run.
        if (found.length === 0) {
            if (check.firstUnknown) throw check.firstUnknown;
            return;
        }
        if (isExempt({ type: args.type, name: args.name, props: args.props }, config)) return;
        for (const message of [...new Set(found)]) reportViolation(message);
    };
    return { ...metadataOf(docs, "resource"), scope: "resource", validateResource, appliesToType: spec.appliesTo };
}

export function defineStackPolicy<C extends object = object>(
    docs: PolicyDocs,
    spec: { check(stack: StackCheck<C>): void },
): PlatformStackPolicy {
    const validateStack = (args: StackValidationArgs, reportViolation: ReportViolation): void => {
        const config = withDefaults<C>(docs, args.getConfig<object>());
        const found: Array<{ resource: PolicyResource; message: string }> = [];
        const stack = Object.assign(new UnknownCollector(), {
            resources: args.resources,
            config,
            report: (resource: PolicyResource, message: string) => found.push({ resource, message }),
            ofType: (...types: string[]) => args.resources.filter((r) => types.includes(r.type)),
        });
        stack.tolerate(() => spec.check(stack));
        let reported = false;
        for (const { resource, message } of found) {
            const exempt = stack.tolerate(() => isExempt(resource, config));
            if (exempt === false) {
                reportViolation(message, resource.urn);
                reported = true;
            }
        }
        if (!reported && stack.firstUnknown) throw stack.firstUnknown;
    };
    return { ...metadataOf(docs, "stack"), scope: "stack", validateStack };
}

/**
 * A field the check depends on has the wrong shape: the object cannot be checked, which is a
 * violation, never a pass (an unknown value, by contrast, is "not evaluated").
 */
function failClosed<C>(type: string, resource: ResourceCheck<C>, check: (resource: ResourceCheck<C>) => void): void {
    try {
        check(resource);
    } catch (error) {
        if (!(error instanceof MalformedValue)) throw error;
        resource.report(`${parseKubernetesType(type)?.kind ?? type} cannot be checked: ${error.message}`);
    }
}

/** What one resource check sees and collects (a class: it runs for every resource of a large input). */
class Check<C> extends UnknownCollector implements ResourceCheck<C> {
    readonly found: string[] = [];
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Props;

    constructor(
        args: ResourceValidationArgs,
        readonly config: C,
    ) {
        super();
        this.type = args.type;
        this.name = args.name;
        this.urn = args.urn;
        this.props = args.props as Props;
    }

    report(message: string): void {
        this.found.push(message);
    }
}

/** Type filter helper: `ofTypes("aws:kms/key:Key", ...)`. */
export function ofTypes(...types: string[]): (type: string) => boolean {
    const set = new Set(types);
    return (type) => set.has(type);
}
