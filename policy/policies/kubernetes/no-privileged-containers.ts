// Privileged containers get every capability and all host devices: a container escape by design.
import { cisEks, nsaCisa, pss } from "../../lib/frameworks";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

export const noPrivilegedContainers = definePodSecurityPolicy(
    {
        name: "k8s-no-privileged-containers",
        description: "Containers (including init and ephemeral) must not run privileged.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Baseline: Privileged Containers", "securityContext.privileged must be unset or false"),
            cisEks("4.2.1", "Minimize the admission of privileged containers"),
            nsaCisa("Pod security: non-privileged containers", "Avoid privileged containers"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["privileged"],
        remediation: "Remove `securityContext.privileged: true`; grant the single capability the container needs instead.",
    },
    {
        checkContainer: (site) => site.fields.object("securityContext")?.boolean("privileged") === true && "runs privileged",
    },
);
