// Without requests the scheduler overcommits nodes; without limits one pod can starve the rest.
// Ephemeral containers cannot declare resources, so only containers and init containers count.
import { nsaCisa } from "../../lib/frameworks";
import { RUNNING_CONTAINER_LISTS } from "../../lib/kubernetes";
import { asRecord } from "../../lib/values";
import { defineContainerPolicy } from "../../lib/workloads";

const REQUIRED: ReadonlyArray<["requests" | "limits", "cpu" | "memory"]> = [
    ["requests", "cpu"],
    ["requests", "memory"],
    ["limits", "cpu"],
    ["limits", "memory"],
];

export const resourceRequestsLimits = defineContainerPolicy(
    {
        name: "k8s-resource-requests-limits",
        description: "Containers and init containers must set CPU and memory requests and limits.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [nsaCisa("Pod security: resource policies", "Set resource requests and limits for each container")],
        appliesTo: "pod-bearing Kubernetes objects",
        remediation: "Set `resources.requests` and `resources.limits` for both `cpu` and `memory`.",
    },
    {
        lists: RUNNING_CONTAINER_LISTS,
        checkContainer(site) {
            const resources = asRecord(site.container.resources);
            const missing = REQUIRED.filter(([section, name]) => {
                const value = asRecord(resources?.[section])?.[name];
                return value === undefined || value === null || value === "";
            }).map(([section, name]) => `${section}.${name}`);
            return missing.length > 0 && `is missing ${missing.join(", ")}`;
        },
    },
);
