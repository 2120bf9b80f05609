// A Windows HostProcess container runs as a process on the node itself, with host privileges.
import { pss } from "../../lib/frameworks";
import { Fields } from "../../lib/fields";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

const hostProcess = (securityContext: Fields | undefined) => securityContext?.object("windowsOptions")?.boolean("hostProcess") === true;

export const noWindowsHostProcess = definePodSecurityPolicy(
    {
        name: "k8s-no-windows-host-process",
        description: "Pods and containers must not set securityContext.windowsOptions.hostProcess to true.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [pss("Baseline: HostProcess", "windowsOptions.hostProcess must be unset or false")],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["windowsHostProcess"],
        remediation: "Remove `windowsOptions.hostProcess`; run node-level Windows tooling outside the cluster's workloads.",
    },
    {
        checkPod: (pod) => hostProcess(pod.securityContext) && "runs as a Windows HostProcess pod",
        checkContainer: (site) => hostProcess(site.fields.object("securityContext")) && "runs as a Windows HostProcess container",
    },
);
