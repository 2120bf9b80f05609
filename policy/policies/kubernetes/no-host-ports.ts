// A hostPort binds the node's interface, bypassing NetworkPolicy and limiting scheduling.
import { nsaCisa, pss } from "../../lib/frameworks";
import { asArray, asRecord } from "../../lib/values";
import { defineContainerPolicy } from "../../lib/workloads";

export const noHostPorts = defineContainerPolicy(
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
        remediation: "Remove `hostPort` and expose the port through a Service.",
    },
    {
        checkContainer(site) {
            const hostPorts = asArray(site.container.ports)
                .map((port) => asRecord(port)?.hostPort)
                .filter((hostPort) => hostPort !== undefined && hostPort !== null && hostPort !== 0);
            return hostPorts.length > 0 && `uses hostPort ${hostPorts.join(", ")}`;
        },
    },
);
