// hostPath mounts expose the node's filesystem (kubelet credentials, container runtime socket).
import { nsaCisa, pss } from "../../lib/frameworks";
import { asArray, asRecord, asString } from "../../lib/values";
import { definePodSpecPolicy } from "../../lib/workloads";

export const noHostPathVolumes = definePodSpecPolicy(
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
        remediation: "Use a PersistentVolumeClaim, emptyDir, ConfigMap or projected volume instead.",
    },
    {
        checkPodSpec(podSpec, resource) {
            const findings: string[] = [];
            resource.each(asArray(podSpec.volumes), (volume) => {
                const record = asRecord(volume);
                if (record?.hostPath !== undefined && record.hostPath !== null) {
                    findings.push(`mounts hostPath volume "${asString(record.name) ?? "?"}"`);
                }
            });
            return findings;
        },
    },
);
