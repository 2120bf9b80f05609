/**
 * What Pod Security admission will do with each rendered pod at apply time: the pod is judged
 * at the level its namespace enforces (`pod-security.kubernetes.io/enforce` on the plan's
 * Namespace), by the pack's own Pod Security Standards policies, with no exemption (admission
 * knows none). A rejected pod means an install that times out and rolls back.
 */
import { evaluatePolicies, type ResourceUnderTest } from "../../policy/engine";
import { isPodBearing, labelsOf, namespaceOf } from "../../policy/lib/kubernetes";
import { allPolicies } from "../../policy/policies";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";
const LEVELS: readonly PodSecurityLevel[] = ["privileged", "baseline", "restricted"];
const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

/** The PSS level a policy implements, from its framework items (`Baseline: …` / `Restricted: …`). */
export function podSecurityLevelOf(policyName: string): Exclude<PodSecurityLevel, "privileged"> | undefined {
    const policy = allPolicies.find((p) => p.name === policyName);
    const titles = (policy?.frameworks ?? []).filter((f) => f.framework === "Pod Security Standards").map((f) => f.reference);
    if (titles.some((t) => t.startsWith("Baseline:"))) return "baseline";
    if (titles.some((t) => t.startsWith("Restricted:"))) return "restricted";
    return undefined;
}

/** Namespace name → enforced level, from the Namespace objects given (the plan's and the charts'). */
export function enforcedLevels(resources: readonly Pick<ResourceUnderTest, "type" | "props">[]): Map<string, PodSecurityLevel> {
    const levels = new Map<string, PodSecurityLevel>();
    for (const resource of resources.filter((r) => r.type === "kubernetes:core/v1:Namespace")) {
        const name = (resource.props.metadata as { name?: unknown } | undefined)?.name;
        if (typeof name !== "string") continue;
        const label = labelsOf(resource.props)[ENFORCE_LABEL];
        // A namespace without the label gets the cluster's default: privileged on EKS.
        levels.set(name, (LEVELS as string[]).includes(label) ? (label as PodSecurityLevel) : "privileged");
    }
    return levels;
}

export interface AdmissionVerdict {
    urn: string;
    namespace: string;
    /** Undefined: the plan does not declare the namespace, so its level is not known offline. */
    level?: PodSecurityLevel;
    verdict: "admitted" | "rejected" | "namespace not in the plan";
    reasons: string[];
}

function isJudgedAt(policyLevel: "baseline" | "restricted", namespaceLevel: PodSecurityLevel): boolean {
    return LEVELS.indexOf(policyLevel) <= LEVELS.indexOf(namespaceLevel);
}

export function predictAdmission(pods: readonly ResourceUnderTest[], levels: ReadonlyMap<string, PodSecurityLevel>): AdmissionVerdict[] {
    const podSecurityPolicies = allPolicies.filter((p) => podSecurityLevelOf(p.name) !== undefined);
    const config: Record<string, unknown> = { all: "disabled" };
    for (const policy of podSecurityPolicies) config[policy.name] = "mandatory";
    const bearing = pods.filter((p) => isPodBearing(p.type));
    const report = evaluatePolicies(bearing, config);
    return bearing.map((pod) => {
        const namespace = namespaceOf(pod.props) ?? "default";
        const level = levels.get(namespace);
        const reasons = level === undefined
            ? []
            : report.violations
                  .filter((v) => v.urn === pod.urn && isJudgedAt(podSecurityLevelOf(v.policy)!, level))
                  .map((v) => `${v.policy}: ${v.message}`);
        const verdict = level === undefined ? "namespace not in the plan" : reasons.length === 0 ? "admitted" : "rejected";
        return { urn: pod.urn, namespace, level, verdict, reasons };
    });
}
