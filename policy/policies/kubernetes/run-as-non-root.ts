// Root inside a container is root on the node after any escape. UID 0 anywhere (pod or
// container) is a violation, and the effective runAsNonRoot (container value, else the pod's)
// must be true.
import { nsaCisa, pss } from "../../lib/frameworks";
import { asRecord } from "../../lib/values";
import { defineContainerPolicy } from "../../lib/workloads";

export const runAsNonRoot = defineContainerPolicy(
    {
        name: "k8s-run-as-non-root",
        description: "Containers must run as a non-root user: runAsNonRoot true (own or inherited) and no UID 0.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Restricted: Running as Non-root", "runAsNonRoot must be true"),
            pss("Restricted: Running as Non-root user", "runAsUser must not be 0"),
            nsaCisa("Pod security: non-root containers", "Run containers as non-root users"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        remediation: "Set `runAsNonRoot: true` (pod or container) and a non-zero `runAsUser`.",
    },
    {
        checkContainer(site, security) {
            const podRunsAsRoot = asRecord(site.podSpec.securityContext)?.runAsUser === 0;
            return [
                (security.runAsUser === 0 || podRunsAsRoot) && "runs as UID 0",
                security.runAsNonRoot !== true && "does not set runAsNonRoot: true (own or inherited from the pod)",
            ];
        },
    },
);
