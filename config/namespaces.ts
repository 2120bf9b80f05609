/** Namespaces the platform itself owns; tenants may not take these names. */
export const PLATFORM_NAMESPACES = {
    karpenter: "karpenter",
    externalSecrets: "external-secrets",
    velero: "velero",
    trivy: "trivy-system",
    monitoring: "monitoring",
    /** node-exporter needs host access, so it lives apart from the restricted monitoring namespace. */
    nodeExporter: "monitoring-host",
    awsLoadBalancerController: "aws-load-balancer-controller",
} as const;

export const RESERVED_NAMESPACES = new Set<string>([
    ...Object.values(PLATFORM_NAMESPACES),
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
]);
