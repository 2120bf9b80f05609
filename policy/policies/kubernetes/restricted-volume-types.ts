// Restricted allows only volume types that cannot reach node or network storage the pod's owner
// does not control. hostPath is left to k8s-no-host-path-volumes (one finding per fault). A
// volume naming no source at all is an emptyDir once the API server has defaulted it.
import { pss } from "../../lib/frameworks";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

const ALLOWED_SOURCES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"];
const RESTRICTED_SOURCES = [
    "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder",
    "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
    "portworxVolume", "scaleIO", "storageos",
];

const isSet = (value: unknown) => value !== undefined && value !== null;

export const restrictedVolumeTypes = definePodSecurityPolicy(
    {
        name: "k8s-restricted-volume-types",
        description:
            "Pod volumes must be configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret (hostPath: see k8s-no-host-path-volumes).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [pss("Restricted: Volume Types", "Only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes")],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["restrictedVolumes"],
        remediation: "Use a PersistentVolumeClaim (or a CSI volume) instead of an inline network or cloud disk volume.",
    },
    {
        checkPod(pod, resource) {
            const findings: string[] = [];
            resource.each(pod.spec.objects("volumes"), (volume) => {
                if (ALLOWED_SOURCES.some((source) => isSet(volume.get(source)))) return;
                const restricted = RESTRICTED_SOURCES.filter((source) => isSet(volume.get(source)));
                if (restricted.length > 0) findings.push(`mounts ${restricted.join(", ")} volume "${volume.string("name") ?? "?"}"`);
            });
            return findings;
        },
    },
);
