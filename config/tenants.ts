import { z } from "zod";
import { RESERVED_NAMESPACES } from "./namespaces";

const port = z.number().int().min(1).max(65535);

export const QUOTA_SIZES = ["small", "medium", "large"] as const;

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
