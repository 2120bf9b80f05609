// Sysctls outside the namespaced "safe" set change the node's kernel for every pod on it. The
// safe set grows with the policy version.
import { pss } from "../../lib/frameworks";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

const SAFE_SYSCTLS: ReadonlyArray<[sinceMinor: number, names: string[]]> = [
    [0, ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"]],
    [27, ["net.ipv4.ip_local_reserved_ports"]],
    [29, ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"]],
    [32, ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]],
    [37, ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"]],
];

export function safeSysctls(minor: number): Set<string> {
    return new Set(SAFE_SYSCTLS.filter(([since]) => minor >= since).flatMap(([, names]) => names));
}

export const safeSysctlsPolicy = definePodSecurityPolicy(
    {
        name: "k8s-safe-sysctls",
        description: "Pods may set only the safe, namespaced sysctls of their Pod Security version.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [pss("Baseline: Sysctls", "Only the safe subset of sysctls")],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["sysctls"],
        remediation: "Remove the sysctl, or tune it on the node (launch template) for the nodes that need it.",
    },
    {
        checkPod(pod) {
            const safe = safeSysctls(pod.minor);
            const unsafe = (pod.securityContext?.objects("sysctls") ?? []).map((sysctl) => sysctl.string("name") ?? "").filter((name) => !safe.has(name));
            return unsafe.length > 0 && `sets unsafe sysctls ${unsafe.map((name) => name || "(no name)").join(", ")}`;
        },
    },
);
