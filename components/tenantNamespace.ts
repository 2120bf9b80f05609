/**
 * A team's namespace: LockedNamespace at Pod Security `restricted`, a ResourceQuota and a
 * LimitRange sized from the tenant's quota class, the NetworkPolicies its config declares
 * (and nothing broader), and the developer and CI Roles with their bindings.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LOAD_BALANCER_SCHEMES, type QUOTA_SIZES, type TenantConfig } from "../config/tenants";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import { ciDeployerRules, developerRules, MANAGED_BY_LABELS, namespaceRole, PLATFORM_GROUPS } from "./accessControl";
import { LockedNamespace, type TrafficRule } from "./lockedNamespace";
import { INTERNET_FACING_ALLOWED, INTERNET_FACING_LABEL, READINESS_GATE_LABEL, TENANT_LABEL } from "./shared/labels";
import type { ClusterContext } from "./shared/types";

export type QuotaSize = (typeof QUOTA_SIZES)[number];

export interface QuotaClass {
    /** ResourceQuota `hard`, keyed exactly as Kubernetes names the resources. */
    hard: {
        "requests.cpu": string;
        "requests.memory": string;
        "limits.cpu": string;
        "limits.memory": string;
        pods: string;
        "services.loadbalancers": string;
        persistentvolumeclaims: string;
        "requests.storage": string;
    };
    /** LimitRange `max` for any one container. */
    containerMax: { cpu: string; memory: string };
}

/**
 * The quota classes (docs/tenants.md shows the same table; a test keeps them in step).
 * Application nodes are 2 vCPU / 8 GiB (dev) to 8 vCPU / 32 GiB (prod): a container's max
 * stays below one node's allocatable capacity.
 */
export const QUOTA_CLASSES: Record<QuotaSize, QuotaClass> = {
    small: {
        hard: {
            "requests.cpu": "4",
            "requests.memory": "8Gi",
            "limits.cpu": "8",
            "limits.memory": "16Gi",
            pods: "40",
            "services.loadbalancers": "1",
            persistentvolumeclaims: "10",
            "requests.storage": "100Gi",
        },
        containerMax: { cpu: "2", memory: "4Gi" },
    },
    medium: {
        hard: {
            "requests.cpu": "16",
            "requests.memory": "32Gi",
            "limits.cpu": "32",
            "limits.memory": "64Gi",
            pods: "150",
            "services.loadbalancers": "2",
            persistentvolumeclaims: "25",
            "requests.storage": "500Gi",
        },
        containerMax: { cpu: "4", memory: "8Gi" },
    },
    large: {
        hard: {
            "requests.cpu": "48",
            "requests.memory": "96Gi",
            "limits.cpu": "96",
            "limits.memory": "192Gi",
            pods: "400",
            "services.loadbalancers": "4",
            persistentvolumeclaims: "50",
            "requests.storage": "2Ti",
        },
        containerMax: { cpu: "6", memory: "24Gi" },
    },
};

/** What a container without its own requests/limits gets (every quota class). */
export const CONTAINER_DEFAULTS = {
    defaultRequest: { cpu: "100m", memory: "128Mi" },
    default: { cpu: "500m", memory: "512Mi" },
} as const;

export { TENANT_LABEL } from "./shared/labels";
export const OWNERS_ANNOTATION = "platform.eks.aws/owners";

/** One side of a declared allow: the other namespace, its ports and protocol. */
export interface NamespaceAllow {
    namespace: string;
    ports: number[];
    protocol: "TCP" | "UDP";
}

const MAX_NAME = 63;

/** A NetworkPolicy name from a prefix and a namespace, shortened with a hash when too long. */
function policyName(prefix: string, namespace: string, suffix: string): string {
    const full = `${prefix}-${namespace}${suffix}`;
    if (full.length <= MAX_NAME) return full;
    const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
    return `${full.slice(0, MAX_NAME - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** Names each allow after its peer; a second allow with the same peer gets `-2`, `-3`... */
function namedRules(prefix: string, allows: NamespaceAllow[], build: (allow: NamespaceAllow, name: string) => TrafficRule): TrafficRule[] {
    const seen = new Map<string, number>();
    return allows.map((allow) => {
        const count = (seen.get(allow.namespace) ?? 0) + 1;
        seen.set(allow.namespace, count);
        return build(allow, policyName(prefix, allow.namespace, count > 1 ? `-${count}` : ""));
    });
}

/** Allows other tenants declared towards `tenant`: the egress half that lets its pods connect. */
export function egressAllowsFor(tenant: string, tenants: readonly TenantConfig[]): NamespaceAllow[] {
    return tenants.flatMap((target) =>
        target.allowIngressFrom.filter((allow) => allow.namespace === tenant).map((allow) => ({ namespace: target.name, ports: allow.ports, protocol: allow.protocol })),
    );
}

/**
 * Every NetworkPolicy allow of a tenant namespace, on top of default deny and DNS:
 * - ingress from `monitoring` on its metrics ports (Prometheus scrapes);
 * - ingress from each namespace its config lists, on exactly those ports and protocol;
 * - egress to each tenant whose config lists this one, on exactly those ports and protocol;
 * - ingress from the load balancers' subnets on the ports it exposes, per scheme.
 */
export function tenantTrafficRules(tenant: TenantConfig, egressTo: NamespaceAllow[]): TrafficRule[] {
    const rules: TrafficRule[] = [];
    if (tenant.metricsPorts.length > 0) {
        rules.push({
            name: "allow-metrics-from-monitoring",
            description: `Prometheus in ${PLATFORM_NAMESPACES.monitoring} scrapes metrics ports ${tenant.metricsPorts.join(", ")}`,
            direction: "ingress",
            peer: { kind: "namespace", namespace: PLATFORM_NAMESPACES.monitoring },
            ports: tenant.metricsPorts.map((port) => ({ port, protocol: "TCP" })),
        });
    }
    const ingress: NamespaceAllow[] = tenant.allowIngressFrom.map((a) => ({ namespace: a.namespace, ports: a.ports, protocol: a.protocol }));
    rules.push(
        ...namedRules("allow-ingress-from", ingress, (allow, name) => ({
            name,
            description: `config: ${allow.namespace} -> ${tenant.name} on ${allow.protocol} ${allow.ports.join(", ")}`,
            direction: "ingress",
            peer: { kind: "namespace", namespace: allow.namespace },
            ports: allow.ports.map((port) => ({ port, protocol: allow.protocol })),
        })),
        ...namedRules("allow-egress-to", egressTo, (allow, name) => ({
            name,
            description: `config: ${tenant.name} -> ${allow.namespace} on ${allow.protocol} ${allow.ports.join(", ")}`,
            direction: "egress",
            peer: { kind: "namespace", namespace: allow.namespace },
            ports: allow.ports.map((port) => ({ port, protocol: allow.protocol })),
        })),
        ...loadBalancerRules(tenant),
    );
    return rules;
}

/** One rule per scheme the tenant exposes ports for: from where those load balancers send. */
function loadBalancerRules(tenant: TenantConfig): TrafficRule[] {
    return LOAD_BALANCER_SCHEMES.flatMap((scheme): TrafficRule[] => {
        const ports = tenant.expose.filter((exposed) => exposed.scheme === scheme).map((exposed) => exposed.port);
        if (ports.length === 0) return [];
        const subnets = scheme === "internal" ? "private" : "public";
        return [
            {
                name: `allow-${scheme}-load-balancers`,
                description: `config: ${scheme} load balancers (target type ip, from the ${subnets} subnets) -> ${tenant.name} on TCP ${ports.join(", ")}`,
                direction: "ingress",
                peer: { kind: "loadBalancers", scheme },
                ports: ports.map((port) => ({ port, protocol: "TCP" })),
            },
        ];
    });
}

/** Labels a tenant namespace carries for the load balancer controller and the policy pack. */
export function exposureLabels(tenant: TenantConfig): Record<string, string> {
    return {
        ...(tenant.internetFacing ? { [INTERNET_FACING_LABEL]: INTERNET_FACING_ALLOWED } : {}),
        ...(tenant.expose.length > 0 ? { [READINESS_GATE_LABEL]: "enabled" } : {}),
    };
}

/**
 * The egress rules the `monitoring` namespace needs to scrape every tenant (its metrics ports,
 * plus any allow a tenant declared from `monitoring`). For the monitoring add-on's LockedNamespace.
 */
export function monitoringScrapeRules(tenants: readonly TenantConfig[], podLabels?: Record<string, string>): TrafficRule[] {
    return namedRules(
        // "tenant" keeps these apart from the monitoring namespace's own allow-scrape-* names.
        "allow-scrape-tenant",
        egressAllowsFor(PLATFORM_NAMESPACES.monitoring, tenants).concat(
            tenants.filter((t) => t.metricsPorts.length > 0).map((t) => ({ namespace: t.name, ports: t.metricsPorts, protocol: "TCP" as const })),
        ),
        (allow, name) => ({
            name,
            description: `Prometheus scrapes ${allow.namespace} on ${allow.protocol} ${allow.ports.join(", ")}`,
            direction: "egress",
            ...(podLabels ? { podLabels } : {}),
            peer: { kind: "namespace", namespace: allow.namespace },
            ports: allow.ports.map((port) => ({ port, protocol: allow.protocol })),
        }),
    );
}

export interface TenantNamespaceArgs {
    cluster: ClusterContext;
    tenant: TenantConfig;
    /** The egress half of allows other tenants declared towards this one (see `egressAllowsFor`). */
    egressTo: NamespaceAllow[];
    /** Developers may exec/attach/port-forward/debug (non-production only). */
    developerExec: boolean;
}

export const DEVELOPER_ROLE = "platform-developer";
export const CI_DEPLOYER_ROLE = "platform-ci-deployer";

export class TenantNamespace extends pulumi.ComponentResource {
    readonly locked: LockedNamespace;
    readonly name: pulumi.Output<string>;
    readonly quota: k8s.core.v1.ResourceQuota;
    readonly limitRange: k8s.core.v1.LimitRange;

    constructor(name: string, args: TenantNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:TenantNamespace", name, {}, opts);
        const { tenant, cluster } = args;
        const quotaClass = QUOTA_CLASSES[tenant.quota];
        if (!quotaClass) throw new Error(`tenant ${tenant.name}: unknown quota size "${tenant.quota}"`);
        const labels = { ...MANAGED_BY_LABELS, [TENANT_LABEL]: tenant.name };
        const annotations = { [OWNERS_ANNOTATION]: tenant.owners.join(",") };

        this.locked = new LockedNamespace(
            name,
            {
                cluster,
                name: tenant.name,
                podSecurity: "restricted",
                labels: { ...labels, "platform.eks.aws/quota": tenant.quota, ...exposureLabels(tenant) },
                annotations,
                rules: tenantTrafficRules(tenant, args.egressTo),
                limits: { quota: { ...quotaClass.hard }, container: { ...CONTAINER_DEFAULTS, max: quotaClass.containerMax } },
            },
            { parent: this },
        );
        this.name = this.locked.name;
        this.quota = this.locked.quota!;
        this.limitRange = this.locked.limitRange!;
        const childOpts = { parent: this, provider: cluster.provider, dependsOn: [this.locked.namespace] };

        namespaceRole(
            `${name}-developer`,
            {
                namespace: tenant.name,
                roleName: DEVELOPER_ROLE,
                group: PLATFORM_GROUPS.developers,
                rules: developerRules({ allowExec: args.developerExec }),
                labels,
                annotations,
            },
            childOpts,
        );
        namespaceRole(
            `${name}-ci-deployer`,
            { namespace: tenant.name, roleName: CI_DEPLOYER_ROLE, group: PLATFORM_GROUPS.ciDeployers, rules: ciDeployerRules(), labels, annotations },
            childOpts,
        );
        this.registerOutputs({ name: this.name });
    }
}
