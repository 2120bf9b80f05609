// The default /proc masks hide kernel interfaces from the container; `Unmasked` removes them.
// Restricted keeps this rule for every pod (baseline relaxes it for user-namespace pods in v1.35).
import { pss } from "../../lib/frameworks";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

export const procMountDefault = definePodSecurityPolicy(
    {
        name: "k8s-proc-mount-default",
        description: "Containers must keep the Default /proc mount (securityContext.procMount unset or Default).",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [pss("Baseline: /proc Mount Type", "procMount must be unset or Default")],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["procMount", "procMount_restricted"],
        remediation: "Remove `securityContext.procMount` or set it to `Default`.",
    },
    {
        checkContainer(site) {
            const procMount = site.fields.object("securityContext")?.string("procMount");
            return procMount !== undefined && procMount !== "Default" && `sets procMount ${procMount}`;
        },
    },
);
