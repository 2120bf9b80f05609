// Root inside a container is root on the node after any escape. Two restricted controls:
// runAsNonRoot must be true (the pod's value counts for containers that set none, and an
// explicit false anywhere is a violation), and no UID 0 at pod or container level (v1.23+).
// From v1.35 both are relaxed for pods in a user namespace (`hostUsers: false`).
import { nsaCisa, pss } from "../../lib/frameworks";
import { definePodSecurityPolicy, Pod } from "../../lib/podSecurity";

const relaxed = (pod: Pod) => pod.minor >= 35 && pod.inUserNamespace;

export const runAsNonRoot = definePodSecurityPolicy(
    {
        name: "k8s-run-as-non-root",
        description: "Containers must run as a non-root user: runAsNonRoot true (own or inherited), never false, and no UID 0.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Restricted: Running as Non-root", "runAsNonRoot must be true"),
            pss("Restricted: Running as Non-root user", "runAsUser must not be 0"),
            nsaCisa("Pod security: non-root containers", "Run containers as non-root users"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["runAsNonRoot", "runAsUser"],
        remediation: "Set `runAsNonRoot: true` (pod or container) and a non-zero `runAsUser`.",
    },
    {
        checkPod(pod) {
            if (relaxed(pod)) return undefined;
            return [
                pod.securityContext?.boolean("runAsNonRoot") === false && "sets runAsNonRoot: false for the pod",
                pod.minor >= 23 && pod.securityContext?.integer("runAsUser") === 0 && "runs the pod as UID 0",
            ];
        },
        checkContainer(site, pod) {
            if (relaxed(pod)) return undefined;
            const own = site.fields.object("securityContext");
            const nonRoot = own?.boolean("runAsNonRoot") ?? (pod.securityContext?.boolean("runAsNonRoot") === true ? true : undefined);
            return [
                pod.minor >= 23 && own?.integer("runAsUser") === 0 && "runs as UID 0",
                nonRoot !== true && "does not set runAsNonRoot: true (own or inherited from the pod)",
            ];
        },
    },
);
