/** Where pods land: platform add-ons on the tainted system nodes, tenants on application nodes. */

export const NODE_ROLE_LABEL = "platform.eks.aws/node-role";

export const SYSTEM_TAINT = { key: "CriticalAddonsOnly", value: "true", effect: "NoSchedule" } as const;

export const SYSTEM_NODE_SELECTOR: Record<string, string> = { [NODE_ROLE_LABEL]: "system" };
export const APPLICATION_NODE_SELECTOR: Record<string, string> = { [NODE_ROLE_LABEL]: "application" };

/** Kubernetes toleration of the system taint, in the Pod spec's field names. */
export const SYSTEM_TOLERATIONS = [{ key: SYSTEM_TAINT.key, operator: "Equal", value: SYSTEM_TAINT.value, effect: SYSTEM_TAINT.effect }];

/** The scheduling block most charts accept at one level: `nodeSelector` and `tolerations`. */
export function systemPlacement(): { nodeSelector: Record<string, string>; tolerations: typeof SYSTEM_TOLERATIONS } {
    return { nodeSelector: { ...SYSTEM_NODE_SELECTOR }, tolerations: SYSTEM_TOLERATIONS.map((t) => ({ ...t })) };
}

/** Restricted Pod Security: what every platform container runs with. */
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

export function restrictedPodSecurityContext(uid = 65532): Record<string, unknown> {
    return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

export interface ResourceSpec {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

export function resources(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string): ResourceSpec {
    return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}
