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
const ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";

/** The PSS level a policy implements, from its framework items (`Baseline: …` / `Restricted: …`). */
export function podSecurityLevelOf(policyName: string): Exclude<PodSecurityLevel, "privileged"> | undefined {
    const policy = allPolicies.find((p) => p.name === policyName);
    const titles = (policy?.frameworks ?? []).filter((f) => f.framework === "Pod Security Standards").map((f) => f.reference);
    if (titles.some((t) => t.startsWith("Baseline:"))) return "baseline";
    if (titles.some((t) => t.startsWith("Restricted:"))) return "restricted";
    return undefined;
}

/** What a namespace's Pod Security labels enforce: the level and the version of the standard. */
export interface EnforcedPodSecurity {
    level: PodSecurityLevel;
    /** `v1.N` or `latest`, as `pod-security.kubernetes.io/enforce-version` pins it (absent: latest). */
    version: string;
}

/** Namespace name → what it enforces, from the Namespace objects given (the plan's and the charts'). */
export function enforcedLevels(resources: readonly Pick<ResourceUnderTest, "type" | "props">[]): Map<string, EnforcedPodSecurity> {
    const levels = new Map<string, EnforcedPodSecurity>();
    for (const resource of resources.filter((r) => r.type === "kubernetes:core/v1:Namespace")) {
        const name = (resource.props.metadata as { name?: unknown } | undefined)?.name;
        if (typeof name !== "string") continue;
        const labels = labelsOf(resource.props);
        const label = labels[ENFORCE_LABEL];
        const version = labels[ENFORCE_VERSION_LABEL];
        // A namespace without the label gets the cluster's default: privileged on EKS.
        levels.set(name, {
            level: (LEVELS as string[]).includes(label) ? (label as PodSecurityLevel) : "privileged",
            version: version !== undefined && /^(latest|v1\.\d+)$/.test(version) ? version : "latest",
        });
    }
    return levels;
}

export interface AdmissionVerdict {
    urn: string;
    namespace: string;
    /** Undefined: the plan does not declare the namespace, so its level is not known offline. */
    level?: PodSecurityLevel;
    /** The version of the standard the namespace pins (admission judges by that version's rules). */
    version?: string;
    verdict: "admitted" | "rejected" | "namespace not in the plan";
    reasons: string[];
}

function isJudgedAt(policyLevel: "baseline" | "restricted", namespaceLevel: PodSecurityLevel): boolean {
    return LEVELS.indexOf(policyLevel) <= LEVELS.indexOf(namespaceLevel);
}

/** Every Pod Security policy, mandatory, at one version of the standard; everything else off. */
function admissionConfig(version: string): Record<string, unknown> {
    const config: Record<string, unknown> = { all: "disabled" };
    for (const policy of allPolicies.filter((p) => podSecurityLevelOf(p.name) !== undefined)) {
        config[policy.name] = { enforcementLevel: "mandatory", podSecurityVersion: version };
    }
    return config;
}

/**
 * Policies that cite both a baseline and a restricted control count as baseline, so a baseline
 * namespace is judged conservatively (never admitted where admission would reject).
 */
export function predictAdmission(pods: readonly ResourceUnderTest[], levels: ReadonlyMap<string, EnforcedPodSecurity>): AdmissionVerdict[] {
    const bearing = pods.filter((p) => isPodBearing(p.type));
    const namespaceOfPod = (pod: ResourceUnderTest) => namespaceOf(pod.props) ?? "default";
    // Admission applies the rules of the version each namespace pins: evaluate per version.
    const reports = new Map<string, ReturnType<typeof evaluatePolicies>>();
    for (const version of new Set(bearing.map((pod) => levels.get(namespaceOfPod(pod))?.version ?? "latest"))) {
        const judged = bearing.filter((pod) => (levels.get(namespaceOfPod(pod))?.version ?? "latest") === version);
        reports.set(version, evaluatePolicies(judged, admissionConfig(version)));
    }
    return bearing.map((pod) => {
        const namespace = namespaceOfPod(pod);
        const enforced = levels.get(namespace);
        if (enforced === undefined) return { urn: pod.urn, namespace, verdict: "namespace not in the plan", reasons: [] };
        const reasons = reports
            .get(enforced.version)!
            .violations.filter((v) => v.urn === pod.urn && isJudgedAt(podSecurityLevelOf(v.policy)!, enforced.level))
            .map((v) => `${v.policy}: ${v.message}`);
        return { urn: pod.urn, namespace, level: enforced.level, version: enforced.version, verdict: reasons.length === 0 ? "admitted" : "rejected", reasons };
    });
}
