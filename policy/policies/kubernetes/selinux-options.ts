// SELinux labels decide what a container process may touch on the node; a custom type, user or
// role can lift the confinement container_t gives.
import { pss } from "../../lib/frameworks";
import { Fields } from "../../lib/fields";
import { definePodSecurityPolicy, Finding } from "../../lib/podSecurity";

const ALLOWED_TYPES = ["", "container_t", "container_init_t", "container_kvm_t"];
const ALLOWED_TYPES_1_31 = [...ALLOWED_TYPES, "container_engine_t"];

function problems(securityContext: Fields | undefined, minor: number): string[] {
    const options = securityContext?.object("seLinuxOptions");
    if (!options) return [];
    const type = options.string("type") ?? "";
    return [
        !(minor >= 31 ? ALLOWED_TYPES_1_31 : ALLOWED_TYPES).includes(type) && `type ${type}`,
        (options.string("user") ?? "") !== "" && "a custom user",
        (options.string("role") ?? "") !== "" && "a custom role",
    ].filter((problem): problem is string => problem !== false);
}

const describe = (found: string[], suffix = ""): Finding => found.length > 0 && `sets SELinux options ${found.join(", ")}${suffix}`;

export const seLinuxOptions = definePodSecurityPolicy(
    {
        name: "k8s-selinux-options",
        description: "SELinux options may set only an allowed type (container_t, container_init_t, container_kvm_t, container_engine_t) and no user or role.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [pss("Baseline: SELinux", "seLinuxOptions.type from the allowed list; user and role unset")],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["seLinuxOptions"],
        remediation: "Remove `seLinuxOptions` (the runtime assigns container_t) or keep only an allowed `type` and `level`.",
    },
    {
        checkPod: (pod) => describe(problems(pod.securityContext, pod.minor), " for the pod"),
        checkContainer: (site, pod) => describe(problems(site.fields.object("securityContext"), pod.minor)),
    },
);
