// Linux capabilities: drop everything, add back at most what the policy allows (by default
// only NET_BIND_SERVICE, as in the Restricted profile).
import { pss } from "../../lib/frameworks";
import { asRecord, stringList } from "../../lib/values";
import { defineContainerPolicy } from "../../lib/workloads";

interface Config {
    allowedAddedCapabilities: string[];
}

function normaliseCapability(name: string): string {
    return name.trim().toUpperCase().replace(/^CAP_/, "");
}

export const restrictedCapabilities = defineContainerPolicy<Config>(
    {
        name: "k8s-restricted-capabilities",
        description: "Containers must drop ALL capabilities and add none except NET_BIND_SERVICE.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            pss("Restricted: Capabilities", "Containers must drop ALL and may only add NET_BIND_SERVICE"),
        ],
        appliesTo: "pod-bearing Kubernetes objects",
        remediation: "Set `securityContext.capabilities.drop: [ALL]` and add back only NET_BIND_SERVICE if needed.",
        knobs: {
            allowedAddedCapabilities: {
                type: "array",
                items: { type: "string" },
                default: ["NET_BIND_SERVICE"],
                description: "Capabilities a container may add after dropping ALL.",
            },
        },
    },
    {
        checkContainer(_site, security, resource) {
            const capabilities = asRecord(security.capabilities);
            const dropped = stringList(capabilities?.drop).map(normaliseCapability);
            const allowed = new Set(resource.config.allowedAddedCapabilities.map(normaliseCapability));
            const added = stringList(capabilities?.add).filter((cap) => !allowed.has(normaliseCapability(cap)));
            return [
                !dropped.includes("ALL") && "does not drop ALL capabilities",
                added.length > 0 && `adds capabilities ${added.join(", ")}`,
            ];
        },
    },
);
