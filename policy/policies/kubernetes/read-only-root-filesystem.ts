// An immutable root filesystem stops an attacker from dropping tools or changing binaries.
// Advisory by default because many images need a writable path (mount an emptyDir there).
// Windows containers cannot have one (the API rejects the field on `spec.os.name: windows`).
import { nsaCisa } from "../../lib/frameworks";
import { defineContainerPolicy } from "../../lib/workloads";

export const readOnlyRootFilesystem = defineContainerPolicy(
    {
        name: "k8s-read-only-root-filesystem",
        description: "Containers should set securityContext.readOnlyRootFilesystem to true (Windows pods exempt).",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [nsaCisa("Pod security: immutable container file systems", "Use read-only root file systems")],
        appliesTo: "pod-bearing Kubernetes objects",
        remediation: "Set `readOnlyRootFilesystem: true` and mount an emptyDir where the process must write.",
    },
    {
        checkContainer: (site, security) =>
            site.pod.object("os")?.string("name") !== "windows" && security.readOnlyRootFilesystem !== true && "has a writable root filesystem",
    },
);
