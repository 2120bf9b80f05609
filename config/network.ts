import { z } from "zod";
import { cidrContains, cidrProblem, cidrsOverlap, isIpv4Cidr } from "./cidr";

/** The smallest subnet AWS creates (16 addresses, 11 usable). */
const MAX_SUBNET_PREFIX = 28;

const cidr = z.string().superRefine((value, ctx) => {
    const problem = cidrProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A VPC this program creates and owns. */
export const managedNetworkSchema = z
    .strictObject({
        mode: z.literal("managed").describe("The program creates the VPC, subnets, NAT gateways and flow logs."),
        vpcCidr: cidr.describe("CIDR of the VPC (a /16 to /20)."),
        azCount: z.number().int().min(2).max(6).describe("Number of availability zones (2 to 6)."),
        natGateways: z
            .enum(["single", "perAz"])
            .describe("`single`: one NAT gateway (cheap, one AZ failure cuts egress); `perAz`: one per AZ (HA)."),
        privateSubnetCidrs: z
            .array(cidr)
            .optional()
            .describe("Private (node) subnet CIDRs, one per AZ, each a /28 or larger; derived from vpcCidr when omitted."),
        publicSubnetCidrs: z
            .array(cidr)
            .optional()
            .describe("Public (load balancer) subnet CIDRs, one per AZ, each a /28 or larger; derived from vpcCidr when omitted."),
        flowLogRetentionDays: z.number().int().min(1).default(90).describe("Retention of VPC flow logs in CloudWatch."),
    })
    .superRefine((net, ctx) => {
        const prefix = Number(net.vpcCidr.split("/")[1]);
        if (prefix < 16 || prefix > 20) {
            ctx.addIssue({ code: "custom", path: ["vpcCidr"], message: "must have a prefix between /16 and /20" });
        }
        checkSubnetList(net, "privateSubnetCidrs", ctx);
        checkSubnetList(net, "publicSubnetCidrs", ctx);
        checkSubnetOverlaps(net, ctx);
    });

/** Each overlap is reported at the later of the two subnets, naming the list the earlier one is in. */
function checkSubnetOverlaps(net: { privateSubnetCidrs?: string[]; publicSubnetCidrs?: string[] }, ctx: z.RefinementCtx): void {
    const all = (["privateSubnetCidrs", "publicSubnetCidrs"] as const).flatMap((key) =>
        (net[key] ?? []).filter(isIpv4Cidr).map((cidr, index) => ({ key, index, cidr })),
    );
    for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
            const [first, second] = [all[i], all[j]];
            if (!cidrsOverlap(first.cidr, second.cidr)) continue;
            ctx.addIssue({
                code: "custom",
                path: [second.key, second.index],
                message: `overlaps ${first.key}[${first.index}] (${first.cidr}); every subnet needs its own range`,
            });
        }
    }
}

function checkSubnetList(
    net: { vpcCidr: string; azCount: number; privateSubnetCidrs?: string[]; publicSubnetCidrs?: string[] },
    key: "privateSubnetCidrs" | "publicSubnetCidrs",
    ctx: z.RefinementCtx,
): void {
    const list = net[key];
    if (!list || !isIpv4Cidr(net.vpcCidr)) return;
    if (list.length !== net.azCount) {
        ctx.addIssue({ code: "custom", path: [key], message: `needs exactly one CIDR per AZ (azCount is ${net.azCount}), got ${list.length}` });
    }
    list.forEach((subnet, index) => {
        if (!cidrContains(net.vpcCidr, subnet)) {
            ctx.addIssue({ code: "custom", path: [key, index], message: `${subnet} lies outside the VPC CIDR ${net.vpcCidr}` });
        }
        // AWS refuses a subnet smaller than a /28 at create time, halfway through `pulumi up`.
        if (isIpv4Cidr(subnet) && Number(subnet.split("/")[1]) > MAX_SUBNET_PREFIX) {
            ctx.addIssue({ code: "custom", path: [key, index], message: `is smaller than AWS allows for a subnet: a /16 to a /${MAX_SUBNET_PREFIX}` });
        }
    });
}

/** A VPC owned by another team; the program only uses it. */
export const existingNetworkSchema = z.strictObject({
    mode: z.literal("existing").describe("Use a VPC and subnets that already exist (owned by a network team)."),
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0abc12345def67890").describe("The existing VPC."),
    privateSubnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id such as subnet-0abc1234"))
        .min(2, "needs at least two private subnets in different AZs")
        .describe("Private subnets for nodes; they must already carry the tags listed in the README."),
    publicSubnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id such as subnet-0abc1234"))
        .default([])
        .describe("Public subnets for internet-facing load balancers (may be empty)."),
});

export const networkSchema = z
    .discriminatedUnion("mode", [managedNetworkSchema, existingNetworkSchema])
    .describe("Where the cluster lives: a VPC the program creates (`managed`) or one that exists (`existing`).");

export type NetworkConfig = z.infer<typeof networkSchema>;
export type ManagedNetworkConfig = z.infer<typeof managedNetworkSchema>;
