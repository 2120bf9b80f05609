// Seccomp filters the syscalls a container may make; an unset profile means Unconfined.
import { pss } from "../../lib/frameworks";
import { defineContainerPolicy } from "../../lib/workloads";

const ALLOWED = new Set(["RuntimeDefault", "Localhost"]);

export const seccompProfile = defineContainerPolicy(
    {
        name: "k8s-seccomp-profile",
        description: "Every container's effective seccomp profile must be RuntimeDefault or Localhost (missing counts).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Restricted: Seccomp", "seccompProfile.type must be RuntimeDefault or Localhost"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (inherited) or the container.",
    },
    {
        checkContainer(_site, security) {
            const type = security.seccompProfileType;
            if (typeof type === "string" && ALLOWED.has(type)) return undefined;
            return type === undefined ? "has no seccomp profile" : `uses seccomp profile ${String(type)}`;
        },
    },
);
