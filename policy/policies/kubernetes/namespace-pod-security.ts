// Pod Security Admission is how the cluster itself enforces the Pod Security Standards; a
// namespace without an enforce label admits anything.
import { nsaCisa, pss } from "../../lib/frameworks";
import { isKind, labelsOf } from "../../lib/kubernetes";
import { defineResourcePolicy } from "../../lib/policy";

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

interface Config {
    allowedLevels: string[];
}

export const namespacePodSecurity = defineResourcePolicy<Config>(
    {
        name: "k8s-namespace-pod-security",
        description: `Namespaces must carry ${ENFORCE_LABEL} set to baseline or restricted.`,
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Pod Security Admission", "Enforce a Pod Security Standard per namespace"),
            nsaCisa("Pod security: pod security enforcement", "Enforce pod security at admission"),
        ],
        appliesTo: "Namespace",
        remediation: `Label the namespace \`${ENFORCE_LABEL}: restricted\` (or baseline).`,
        knobs: {
            allowedLevels: {
                type: "array",
                items: { type: "string", enum: ["baseline", "restricted"] },
                default: ["baseline", "restricted"],
                description: "Enforce levels accepted; set to [\"restricted\"] to require the strictest profile.",
            },
        },
    },
    {
        appliesTo: (type) => isKind(type, "Namespace"),
        check(resource) {
            const level = labelsOf(resource.props)[ENFORCE_LABEL];
            if (level === undefined) resource.report(`Namespace has no ${ENFORCE_LABEL} label`);
            else if (!resource.config.allowedLevels.includes(level)) {
                resource.report(`Namespace enforces Pod Security level "${level}"`);
            }
        },
    },
);
