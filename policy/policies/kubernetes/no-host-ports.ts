// A hostPort binds the node's interface, bypassing NetworkPolicy and limiting scheduling.
import { nsaCisa, pss } from "../../lib/frameworks";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

export const noHostPorts = definePodSecurityPolicy(
    {
        name: "k8s-no-host-ports",
        description: "Containers must not declare hostPort.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Baseline: Host Ports", "hostPort must be unset or 0"),
            nsaCisa("Network separation and hardening", "Limit exposure of host ports"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["hostPorts"],
        remediation: "Remove `hostPort` and expose the port through a Service.",
    },
    {
        checkContainer(site) {
            const hostPorts = site.fields
                .objects("ports")
                .map((port) => port.integer("hostPort"))
                .filter((hostPort) => hostPort !== undefined && hostPort !== 0);
            return hostPorts.length > 0 && `uses hostPort ${hostPorts.join(", ")}`;
        },
    },
);
