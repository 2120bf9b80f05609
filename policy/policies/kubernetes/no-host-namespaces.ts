// Sharing the node's network, PID or IPC namespace lets a pod see and talk to host processes.
import { cisEks, pss } from "../../lib/frameworks";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"] as const;

export const noHostNamespaces = definePodSecurityPolicy(
    {
        name: "k8s-no-host-namespaces",
        description: "Pods must not set hostNetwork, hostPID or hostIPC.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Baseline: Host Namespaces", "hostNetwork, hostPID and hostIPC must be unset or false"),
            cisEks("4.2.2", "Minimize the admission of containers wishing to share the host process ID namespace"),
            cisEks("4.2.3", "Minimize the admission of containers wishing to share the host IPC namespace"),
            cisEks("4.2.4", "Minimize the admission of containers wishing to share the host network namespace"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["hostNamespaces"],
        remediation: "Remove hostNetwork/hostPID/hostIPC; use a Service or a sidecar instead.",
    },
    {
        checkPod: (pod, resource) => HOST_NAMESPACES.map((field) => resource.tolerate(() => pod.spec.boolean(field) === true) && `sets ${field}: true`),
    },
);
