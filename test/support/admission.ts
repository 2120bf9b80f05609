/**
 * ValidatingAdmissionPolicy as the API server applies it (k8s.io/apiserver, validatingadmissionpolicy):
 * a binding selects namespaces, the policy's matchConstraints select requests, and each validation's
 * CEL expression is evaluated with `object`, `oldObject` and `request` bound. A validation that
 * evaluates to false denies with its message; one that cannot be evaluated (a missing field read
 * without `has()`) is an error, which `failurePolicy: Fail` turns into a denial.
 * Expressions are evaluated by a CEL implementation (@marcbachmann/cel-js), not by pattern matching.
 */
import { Environment } from "@marcbachmann/cel-js";

export interface Validation {
    expression: string;
    message?: string;
}

export interface ValidatingAdmissionPolicySpec {
    failurePolicy?: "Fail" | "Ignore";
    matchConstraints?: { resourceRules?: ResourceRule[] };
    validations: Validation[];
}

export interface ValidatingAdmissionPolicyBindingSpec {
    policyName: string;
    validationActions: string[];
    matchResources?: { namespaceSelector?: LabelSelector };
}

interface ResourceRule {
    apiGroups?: string[];
    apiVersions?: string[];
    operations?: string[];
    resources?: string[];
}

interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface AdmissionRequest {
    operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
    /** group/version/resource of the object, e.g. { group: "", version: "v1", resource: "pods" }. */
    resource: { group: string; version: string; resource: string };
    namespace: string;
    object: Record<string, unknown>;
    oldObject?: Record<string, unknown>;
}

export interface AdmissionVerdict {
    allowed: boolean;
    /** Why it was denied: the failed validations' messages, or the evaluation errors. */
    reasons: string[];
}

const celEnv = new Environment({ unlistedVariablesAreDyn: true });

const matchesAny = (list: string[] | undefined, value: string) => (list ?? []).some((item) => item === "*" || item === value);

function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!selector) return true;
    const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    const byExpression = (selector.matchExpressions ?? []).every((e) => {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        switch (e.operator) {
            case "Exists":
                return has;
            case "DoesNotExist":
                return !has;
            case "In":
                return has && (e.values ?? []).includes(labels[e.key]);
            case "NotIn":
                return !has || !(e.values ?? []).includes(labels[e.key]);
        }
    });
    return byLabel && byExpression;
}

function ruleMatches(rule: ResourceRule, request: AdmissionRequest): boolean {
    return (
        matchesAny(rule.apiGroups, request.resource.group) &&
        matchesAny(rule.apiVersions, request.resource.version) &&
        matchesAny(rule.operations, request.operation) &&
        matchesAny(rule.resources, request.resource.resource)
    );
}

/**
 * The verdict of one policy and its binding on a request in a namespace with `namespaceLabels`.
 * A request the binding or the policy does not select is allowed (the policy does not apply).
 */
export function admit(
    policy: ValidatingAdmissionPolicySpec,
    binding: ValidatingAdmissionPolicyBindingSpec,
    namespaceLabels: Record<string, string>,
    request: AdmissionRequest,
): AdmissionVerdict {
    if (!selects(binding.matchResources?.namespaceSelector, namespaceLabels)) return { allowed: true, reasons: [] };
    if (!(policy.matchConstraints?.resourceRules ?? []).some((rule) => ruleMatches(rule, request))) return { allowed: true, reasons: [] };
    if (!binding.validationActions.includes("Deny")) return { allowed: true, reasons: [] };
    const variables = {
        object: request.object,
        oldObject: request.oldObject ?? null,
        request: { operation: request.operation, namespace: request.namespace, resource: request.resource },
    };
    const reasons: string[] = [];
    for (const validation of policy.validations) {
        let result: unknown;
        try {
            result = celEnv.evaluate(validation.expression, variables);
        } catch (error) {
            if ((policy.failurePolicy ?? "Fail") === "Fail") reasons.push(`error evaluating ${validation.expression}: ${(error as Error).message.split("\n")[0]}`);
            continue;
        }
        if (typeof result !== "boolean") throw new Error(`validation ${validation.expression} returned ${typeof result}, not bool: the API server rejects such a policy`);
        if (!result) reasons.push(validation.message ?? `failed expression: ${validation.expression}`);
    }
    return { allowed: reasons.length === 0, reasons };
}
