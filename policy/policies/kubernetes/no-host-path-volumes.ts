// hostPath mounts expose the node's filesystem (kubelet credentials, container runtime socket).
import { nsaCisa, pss } from "../../lib/frameworks";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

export const noHostPathVolumes = definePodSecurityPolicy(
    {
        name: "k8s-no-host-path-volumes",
        description: "Pods must not mount hostPath volumes.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Baseline: HostPath Volumes", "hostPath volumes are forbidden"),
            nsaCisa("Pod security: pod security enforcement", "Restrict hostPath mounts"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["hostPathVolumes", "restrictedVolumes"],
        remediation: "Use a PersistentVolumeClaim, emptyDir, ConfigMap or projected volume instead.",
    },
    {
        checkPod(pod, resource) {
            const findings: string[] = [];
            resource.each(pod.spec.objects("volumes"), (volume) => {
                const hostPath = volume.get("hostPath");
                if (hostPath !== undefined && hostPath !== null) findings.push(`mounts hostPath volume "${volume.string("name") ?? "?"}"`);
            });
            return findings;
        },
    },
);
