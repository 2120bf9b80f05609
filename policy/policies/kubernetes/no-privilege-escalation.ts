// Without an explicit `allowPrivilegeEscalation: false` a setuid binary can gain root. The field
// exists only on containers, so a pod-level value (not a Kubernetes field) does not count.
// Windows pods cannot set it and are exempt (restricted, v1.25+); the control starts at v1.8.
import { cisEks, nsaCisa, pss } from "../../lib/frameworks";
import { definePodSecurityPolicy, windowsExempt } from "../../lib/podSecurity";

export const noPrivilegeEscalation = definePodSecurityPolicy(
    {
        name: "k8s-no-privilege-escalation",
        description: "Every container must set securityContext.allowPrivilegeEscalation to false (Windows pods exempt).",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Restricted: Privilege Escalation", "allowPrivilegeEscalation must be false"),
            cisEks("4.2.5", "Minimize the admission of containers with allowPrivilegeEscalation"),
            nsaCisa("Pod security: non-root containers", "Prevent privilege escalation"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["allowPrivilegeEscalation"],
        remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container.",
    },
    {
        checkContainer(site, pod) {
            if (pod.minor < 8 || windowsExempt(pod)) return undefined;
            return site.fields.object("securityContext")?.boolean("allowPrivilegeEscalation") !== false && "does not set allowPrivilegeEscalation: false";
        },
    },
);
