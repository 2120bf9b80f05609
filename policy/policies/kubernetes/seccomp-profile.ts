// Seccomp filters the syscalls a container may make; an unset profile means Unconfined.
// Restricted (v1.19+): every container's profile, its own or the pod's, must be RuntimeDefault or
// Localhost, and a pod-level profile of another type is a violation even when every container
// overrides it. Windows pods are exempt from v1.25. Before v1.19 the baseline rule on the seccomp
// annotations applies.
import { pss } from "../../lib/frameworks";
import { Fields } from "../../lib/fields";
import { definePodSecurityPolicy, windowsExempt } from "../../lib/podSecurity";

const ALLOWED = new Set(["RuntimeDefault", "Localhost"]);
const POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/";

const annotationAllowed = (value: string) => value === "runtime/default" || value === "docker/default" || value.startsWith("localhost/");
const profileType = (securityContext: Fields | undefined) => {
    const profile = securityContext?.object("seccompProfile");
    return profile ? (profile.string("type") ?? "") : undefined;
};

export const seccompProfile = definePodSecurityPolicy(
    {
        name: "k8s-seccomp-profile",
        description: "Every container's effective seccomp profile must be RuntimeDefault or Localhost (missing counts; a pod-level Unconfined too).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Restricted: Seccomp", "seccompProfile.type must be RuntimeDefault or Localhost"),
            pss("Baseline: Seccomp", "seccompProfile.type, if set, must be RuntimeDefault or Localhost"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["seccompProfile_baseline", "seccompProfile_restricted"],
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (inherited) or the container.",
    },
    {
        checkPod(pod) {
            if (pod.minor < 19) {
                const annotations = pod.metadata.stringMap("annotations");
                const value = annotations[POD_ANNOTATION];
                return value !== undefined && !annotationAllowed(value) && `sets annotation ${POD_ANNOTATION}: ${value}`;
            }
            if (windowsExempt(pod)) return undefined;
            const type = profileType(pod.securityContext);
            return type !== undefined && !ALLOWED.has(type) && `sets seccomp profile ${type || "(no type)"} for the pod`;
        },
        checkContainer(site, pod) {
            if (pod.minor < 19) {
                const value = pod.metadata.stringMap("annotations")[CONTAINER_ANNOTATION + site.name];
                return value !== undefined && !annotationAllowed(value) && `has annotation ${CONTAINER_ANNOTATION}${site.name}: ${value}`;
            }
            if (windowsExempt(pod)) return undefined;
            const own = profileType(site.fields.object("securityContext"));
            if (own !== undefined) return !ALLOWED.has(own) && `uses seccomp profile ${own || "(no type)"}`;
            // A pod-level profile of the wrong type is reported once, for the pod.
            return profileType(pod.securityContext) === undefined && "has no seccomp profile";
        },
    },
);
