// Linux capabilities: drop ALL, add back at most NET_BIND_SERVICE (restricted, v1.22+; Windows
// pods exempt from v1.25). Before v1.22 the baseline rule applies: add nothing beyond the
// container runtime's default set. Names compare exactly, as admission compares them: `all`,
// `chown` or `CAP_CHOWN` are not `ALL` or `CHOWN`.
import { pss } from "../../lib/frameworks";
import { definePodSecurityPolicy, windowsExempt } from "../../lib/podSecurity";

interface Config {
    allowedAddedCapabilities: string[];
}

/** The container runtime's default set: what baseline lets a container add. */
const BASELINE_ALLOWED = [
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
];

export const restrictedCapabilities = definePodSecurityPolicy<Config>(
    {
        name: "k8s-restricted-capabilities",
        description: "Containers must drop ALL capabilities and add none except NET_BIND_SERVICE (Windows pods exempt).",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Restricted: Capabilities", "Containers must drop ALL and may only add NET_BIND_SERVICE"),
            pss("Baseline: Capabilities", "Adding capabilities beyond the default set is forbidden"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["capabilities_baseline", "capabilities_restricted"],
        remediation: "Set `securityContext.capabilities.drop: [ALL]` and add back only NET_BIND_SERVICE if needed.",
        knobs: {
            allowedAddedCapabilities: {
                type: "array",
                items: { type: "string" },
                default: ["NET_BIND_SERVICE"],
                description: "Capabilities a container may add after dropping ALL (exact names; the standard allows only NET_BIND_SERVICE).",
            },
        },
    },
    {
        checkContainer(site, pod, resource) {
            if (windowsExempt(pod)) return undefined;
            const capabilities = site.fields.object("securityContext")?.object("capabilities");
            const added = capabilities?.strings("add") ?? [];
            if (pod.minor < 22) {
                const extra = added.filter((cap) => !BASELINE_ALLOWED.includes(cap));
                return extra.length > 0 && `adds capabilities ${extra.join(", ")}`;
            }
            const allowed = resource.config.allowedAddedCapabilities;
            const extra = added.filter((cap) => !allowed.includes(cap));
            return [
                !capabilities?.strings("drop").includes("ALL") && "does not drop ALL capabilities",
                extra.length > 0 && `adds capabilities ${extra.join(", ")}`,
            ];
        },
    },
);
