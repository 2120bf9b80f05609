import { z } from "zod";
import { isEc2InstanceType, unknownInstanceTypeMessage } from "./instanceTypes";

const instanceType = z.string().superRefine((name, ctx) => {
    if (!isEc2InstanceType(name)) ctx.addIssue({ code: "custom", message: unknownInstanceTypeMessage(name) });
});

export const nodeGroupSchema = z
    .strictObject({
        name: z.string().regex(/^[a-z][a-z0-9-]{1,38}$/, "must be lowercase letters, digits and dashes (2-39 chars)").describe("Node group name, unique in the stack."),
        role: z.enum(["system", "application"]).describe("`system` nodes are tainted for platform add-ons; `application` nodes run tenants."),
        instanceTypes: z.array(instanceType).min(1).describe("Instance types, tried in order."),
        capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND").describe("SPOT is cheaper but can be reclaimed; keep system groups ON_DEMAND in prod."),
        minSize: z.number().int().min(0).describe("Fewest nodes (≤ desiredSize ≤ maxSize; at least 2 in prod)."),
        maxSize: z.number().int().min(1).describe("Most nodes."),
        desiredSize: z.number().int().min(0).describe("Nodes at creation (the cost model counts these)."),
        diskSizeGiB: z.number().int().min(20).max(1000).default(50).describe("Encrypted gp3 root volume size."),
    })
    .superRefine((group, ctx) => {
        if (group.minSize > group.maxSize) {
            ctx.addIssue({ code: "custom", path: ["minSize"], message: `(${group.minSize}) must not exceed maxSize (${group.maxSize})` });
        }
        if (group.desiredSize < group.minSize || group.desiredSize > group.maxSize) {
            ctx.addIssue({
                code: "custom",
                path: ["desiredSize"],
                message: `(${group.desiredSize}) must lie between minSize (${group.minSize}) and maxSize (${group.maxSize})`,
            });
        }
    });

export const nodeGroupsSchema = z
    .array(nodeGroupSchema)
    .superRefine((groups, ctx) => {
        const seen = new Map<string, number>();
        groups.forEach((group, index) => {
            const first = seen.get(group.name);
            if (first !== undefined) {
                ctx.addIssue({ code: "custom", path: [index, "name"], message: `"${group.name}" is already used by node group ${first}; names must be unique` });
            }
            seen.set(group.name, index);
        });
        for (const role of ["system", "application"] as const) {
            if (!groups.some((g) => g.role === role)) {
                ctx.addIssue({ code: "custom", path: [], message: `needs a node group with role "${role}" (system and application nodes are kept apart)` });
            }
        }
    })
    .describe("Managed node groups: at least one `system` and one `application` group.");

export type NodeGroupConfig = z.infer<typeof nodeGroupSchema>;
