// Without an explicit `allowPrivilegeEscalation: false` a setuid binary can gain root. The field
// exists only on containers, so a pod-level value (not a Kubernetes field) does not count.
import { cisEks, nsaCisa, pss } from "../../lib/frameworks";
import { defineContainerPolicy } from "../../lib/workloads";

export const noPrivilegeEscalation = defineContainerPolicy(
    {
        name: "k8s-no-privilege-escalation",
        description: "Every container must set securityContext.allowPrivilegeEscalation to false.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Restricted: Privilege Escalation", "allowPrivilegeEscalation must be false"),
            cisEks("4.2.5", "Minimize the admission of containers with allowPrivilegeEscalation"),
            nsaCisa("Pod security: non-root containers", "Prevent privilege escalation"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    },
    {
        checkContainer: (_site, security) =>
            security.allowPrivilegeEscalation !== false && "does not set allowPrivilegeEscalation: false",
    },
);
