// A probe or lifecycle handler with a `host` makes the kubelet send requests to any address it
// can reach (node-local services, metadata endpoints): a server-side request forgery through
// the node. Baseline forbids it from v1.34.
import { pss } from "../../lib/frameworks";
import { Fields } from "../../lib/fields";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"];
const HANDLERS = ["postStart", "preStop"];

function hostsOf(handler: Fields | undefined): string[] {
    if (!handler) return [];
    return ["httpGet", "tcpSocket"].map((action) => handler.object(action)?.string("host")).filter((host): host is string => host !== undefined && host !== "");
}

export const noProbeOrLifecycleHost = definePodSecurityPolicy(
    {
        name: "k8s-no-probe-or-lifecycle-host",
        description: "Probes and lifecycle handlers (httpGet, tcpSocket) must not set `host` (v1.34+).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [pss("Baseline: Host Probes / Lifecycle Hooks", "The host field of probes and lifecycle handlers must be unset or empty")],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["hostProbesAndHostLifecycle"],
        remediation: "Remove `host` from the probe or handler: the kubelet then targets the pod's own IP.",
    },
    {
        checkContainer(site, pod) {
            if (pod.minor < 34) return undefined;
            const lifecycle = site.fields.object("lifecycle");
            const hosts = [
                ...PROBES.flatMap((probe) => hostsOf(site.fields.object(probe))),
                ...HANDLERS.flatMap((handler) => hostsOf(lifecycle?.object(handler))),
            ];
            return hosts.length > 0 && `sends probes or lifecycle requests to host ${[...new Set(hosts)].join(", ")}`;
        },
    },
);
