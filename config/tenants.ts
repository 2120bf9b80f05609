import { z } from "zod";
import { RESERVED_NAMESPACES } from "./namespaces";

const port = z.number().int().min(1).max(65535);

export const QUOTA_SIZES = ["small", "medium", "large"] as const;

export const LOAD_BALANCER_SCHEMES = ["internal", "internet-facing"] as const;

/**
 * Ports platform pods dial by address in the VPC (the API server's ENIs and the `kubernetes`
 * ClusterIP on 443, kubelets on 10250, node-exporter on 9100): a tenant port a load balancer may
 * reach from those subnets must be another one, or those pods could reach it too.
 */
export const PLATFORM_DIALED_PORTS: ReadonlyMap<number, string> = new Map([
    [443, "the API server"],
    [10250, "kubelets"],
    [9100, "node-exporter"],
]);

const exposedPort = z.strictObject({
    port: port.describe("The pods' port a load balancer sends traffic to (the target port; the listener may still be 443)."),
    scheme: z
        .enum(LOAD_BALANCER_SCHEMES)
        .default("internal")
        .describe("`internal`: from load balancers in the private subnets (reachable from the VPC); `internet-facing`: from load balancers in the public subnets (needs `internetFacing`)."),
});

export const tenantSchema = z.strictObject({
    name: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a DNS label (lowercase letters, digits, dashes; at most 63)")
        .refine((name) => !RESERVED_NAMESPACES.has(name), "is reserved for the platform or Kubernetes itself")
        .describe("Namespace name (a DNS label, not a platform or system namespace)."),
    owners: z.array(z.string().min(1)).min(1, "needs at least one owner (a team or person to page)").describe("Who owns the namespace."),
    quota: z.enum(QUOTA_SIZES).default("small").describe("Quota size: small, medium or large (see the README table)."),
    allowIngressFrom: z
        .array(
            z.strictObject({
                namespace: z.string().describe("A tenant namespace, or `monitoring`, allowed to connect."),
                ports: z.array(port).min(1, "needs at least one port").describe("Destination ports in this namespace."),
                protocol: z.enum(["TCP", "UDP"]).default("TCP").describe("Transport protocol."),
            }),
        )
        .default([])
        .describe("Explicit ingress allows on top of default deny, e.g. payments -> database on 5432."),
    metricsPorts: z.array(port).default([8080]).describe("Ports the monitoring namespace may scrape."),
    internetFacing: z
        .boolean()
        .default(false)
        .describe("May expose internet-facing load balancers (the internet-facing IngressClass, a Service with scheme `internet-facing`); without it every load balancer of the namespace is internal."),
    expose: z
        .array(exposedPort)
        .default([])
        .describe("Ports of the namespace's pods that load balancers (an Ingress, or a Service of the AWS Load Balancer Controller) may reach; the NetworkPolicies admit the load balancers' subnets on exactly these."),
});

export const tenantsSchema = z
    .array(tenantSchema)
    .default([])
    .superRefine((tenants, ctx) => {
        const names = new Set<string>();
        tenants.forEach((tenant, index) => {
            if (names.has(tenant.name)) {
                ctx.addIssue({ code: "custom", path: [index, "name"], message: `"${tenant.name}" is declared twice` });
            }
            names.add(tenant.name);
        });
        tenants.forEach((tenant, index) => checkExposedPorts(tenant, index, ctx));
        const reachable = new Set([...names, "monitoring"]);
        tenants.forEach((tenant, index) => {
            tenant.allowIngressFrom.forEach((allow, allowIndex) => {
                if (!reachable.has(allow.namespace)) {
                    ctx.addIssue({
                        code: "custom",
                        path: [index, "allowIngressFrom", allowIndex, "namespace"],
                        message: `"${allow.namespace}" is not a tenant namespace of this stack (known: ${[...reachable].join(", ")})`,
                    });
                }
            });
        });
    })
    .describe("Tenant (team) namespaces, each born with Pod Security, quotas and default-deny networking.");

export type TenantConfig = z.infer<typeof tenantSchema>;
export type LoadBalancerScheme = (typeof LOAD_BALANCER_SCHEMES)[number];

function checkExposedPorts(tenant: TenantConfig, index: number, ctx: z.RefinementCtx): void {
    const seen = new Set<number>();
    tenant.expose.forEach((exposed, exposedIndex) => {
        const path = [index, "expose", exposedIndex];
        if (seen.has(exposed.port)) ctx.addIssue({ code: "custom", path: [...path, "port"], message: `port ${exposed.port} is listed twice` });
        seen.add(exposed.port);
        const dialed = PLATFORM_DIALED_PORTS.get(exposed.port);
        if (dialed) {
            ctx.addIssue({
                code: "custom",
                path: [...path, "port"],
                message: `platform pods dial ${dialed} on port ${exposed.port} in the VPC's subnets, so they could reach this port too: let the pods listen on another port (the load balancer's listener may still be ${exposed.port})`,
            });
        }
        if (exposed.scheme === "internet-facing" && !tenant.internetFacing) {
            ctx.addIssue({
                code: "custom",
                path: [...path, "scheme"],
                message: `needs tenants[${index}].internetFacing: true (the platform team's decision that ${tenant.name} may face the internet)`,
            });
        }
    });
}
