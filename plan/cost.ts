/**
 * Modeled monthly cost of a stack, read from the recorded resources and a committed price
 * table (plan/prices.json, with its date and source). Usage the plan cannot see (log volume,
 * backup size, NAT traffic) comes from the stack's `costAssumptions` (config/costAssumptions.ts).
 * A line whose price the table lacks (a Region or an instance type it has no price for) is
 * marked unpriced and the total incomplete: never a silent zero. What follows demand the plan
 * cannot see (Karpenter-launched capacity, tenants' load balancers) is not priced: the estimate
 * names it (`usageNotIncluded`); the line items say what each one assumes.
 */
import prices from "./prices.json";
import type { ResolvedCostAssumptions } from "../config/load";
import { ResourceGraph } from "./graph";
import type { PlanResourceDocument } from "./index";

export interface CostLine {
    item: string;
    quantity: string;
    monthlyUsd: number;
    note?: string;
    /** false: the table has no price for this line; monthlyUsd is 0 and the total is incomplete. */
    priced: boolean;
}

export interface CostEstimate {
    region: string;
    currency: string;
    pricesRecorded: string;
    lines: CostLine[];
    totalMonthlyUsd: number;
    /** false when any line has no price: the total is then a lower bound. */
    complete: boolean;
    /** The items of the unpriced lines. */
    unpricedLines: string[];
    /** The usage figures the usage-based lines assume, and where they came from. */
    assumptions: ResolvedCostAssumptions;
    /** Costs that follow demand the plan cannot see, named so that nobody takes the total for all of it. */
    usageNotIncluded: string[];
}

/** What each component that creates AWS resources on demand adds to the bill outside the total. */
const USAGE_BY_COMPONENT: Array<[string, string]> = [
    ["platform:index:Karpenter", "application capacity Karpenter launches (demand-driven, within the NodePool's limits)"],
    [
        "platform:index:AwsLoadBalancerController",
        "load balancers tenants create through the AWS Load Balancer Controller (per-tenant usage: each ALB or NLB bills hourly plus capacity units; the controller itself runs on the system nodes at no extra cost)",
    ],
];

type RegionPrices = (typeof prices.regions)["eu-west-1"];

/** A malformed price table (a Region entry missing a price): a usage error, exit 2. */
export class PriceTableError extends Error {}

const REGION_PRICE_KEYS = ["eksControlPlaneHour", "natGatewayHour", "natGatewayGiB", "publicIpv4Hour", "gp3GiBMonth", "kmsKeyMonth", "logsIngestGiB", "logsStoreGiBMonth", "s3StandardGiBMonth", "ec2Hour"] as const;

/** The Region's prices, or undefined when the table has none for it (every line is then unpriced). */
function regionPrices(region: string): RegionPrices | undefined {
    const table = (prices.regions as Record<string, RegionPrices>)[region];
    const missing = table ? REGION_PRICE_KEYS.filter((key) => table[key] === undefined) : [];
    if (missing.length > 0) throw new PriceTableError(`plan/prices.json: ${region} lacks ${missing.join(", ")}`);
    return table;
}

/** A line priced from the table, or marked unpriced when `price` is undefined. */
function line(item: string, quantity: string, price: number | undefined, amount: number, note?: string, missing?: string): CostLine {
    if (price === undefined) return { item, quantity, monthlyUsd: 0, note: missing, priced: false };
    return { item, quantity, monthlyUsd: round(price * amount), ...(note ? { note } : {}), priced: true };
}

const round = (value: number) => Math.round(value * 100) / 100;
const ofType = (resources: PlanResourceDocument[], pattern: RegExp) => resources.filter((r) => pattern.test(r.type));
const asNumber = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);

function rootVolumeGiB(nodeGroup: PlanResourceDocument, graph: ResourceGraph): number {
    const launchTemplate = nodeGroup.dependencies
        .map((urn) => graph.byUrn.get(urn))
        .find((r) => r?.type === "aws:ec2/launchTemplate:LaunchTemplate");
    const mappings = (launchTemplate?.inputs.blockDeviceMappings ?? []) as Array<{ ebs?: { volumeSize?: number } }>;
    return mappings.reduce((sum, m) => sum + asNumber(m.ebs?.volumeSize, 0), 0) || 20;
}

function nodeGroupLines(resources: PlanResourceDocument[], region: string, table: RegionPrices | undefined, hours: number): CostLine[] {
    const graph = new ResourceGraph(resources);
    return ofType(resources, /^eks:index:ManagedNodeGroup$|^aws:eks\/nodeGroup:NodeGroup$/).flatMap((group) => {
        const scaling = (group.inputs.scalingConfig ?? {}) as { desiredSize?: number };
        const nodes = asNumber(scaling.desiredSize, 0);
        const instanceType = ((group.inputs.instanceTypes ?? []) as string[])[0] ?? "unknown";
        const hourly = table ? (table.ec2Hour as Record<string, number>)[instanceType] : undefined;
        const spot = group.inputs.capacityType === "SPOT";
        const factor = spot ? 1 - prices.spotDiscount : 1;
        const disk = rootVolumeGiB(group, graph);
        const noPrice = table ? `no price for ${instanceType} in ${region} in plan/prices.json` : noRegion(region);
        return [
            line(
                `node group ${group.name}: ${instanceType}${spot ? " (spot)" : ""}`,
                `${nodes} nodes`,
                hourly,
                nodes * hours * factor,
                spot ? `spot at ${prices.spotDiscount * 100}% off on-demand (typical, varies)` : undefined,
                noPrice,
            ),
            line(`node group ${group.name}: gp3 root volumes`, `${nodes} x ${disk} GiB`, table?.gp3GiBMonth, nodes * disk, undefined, noRegion(region)),
        ];
    });
}

const noRegion = (region: string) => `no prices for ${region} in plan/prices.json (it has ${Object.keys(prices.regions).join(", ")})`;

/** Storage requested by persistent volume claim templates in Helm values (Prometheus, Alertmanager). */
function persistentVolumeGiB(resources: PlanResourceDocument[]): number {
    let total = 0;
    const visit = (node: unknown, replicas: number): void => {
        if (Array.isArray(node)) return node.forEach((n) => visit(n, replicas));
        if (typeof node !== "object" || node === null) return;
        const record = node as Record<string, unknown>;
        const here = asNumber(record.replicas, replicas);
        const storage = (record.volumeClaimTemplate as { spec?: { resources?: { requests?: { storage?: string } } } } | undefined)?.spec?.resources?.requests?.storage;
        if (typeof storage === "string") total += here * parseGiB(storage);
        for (const value of Object.values(record)) visit(value, here);
    };
    for (const release of ofType(resources, /^kubernetes:helm\.sh\/v3:Release$/)) visit(release.inputs.values, 1);
    return total;
}

function parseGiB(quantity: string): number {
    const match = /^(\d+(?:\.\d+)?)(Gi|Ti|Mi)?$/.exec(quantity);
    if (!match) return 0;
    const scale = { Gi: 1, Ti: 1024, Mi: 1 / 1024 }[match[2] ?? "Gi"] ?? 1;
    return Number(match[1]) * scale;
}

export function estimateMonthlyCost(resources: PlanResourceDocument[], region: string, assumptions: ResolvedCostAssumptions): CostEstimate {
    const table = regionPrices(region);
    const hours = prices.hoursPerMonth;
    const clusters = ofType(resources, /^eks:index:Cluster$|^aws:eks\/cluster:Cluster$/).length;
    const nats = ofType(resources, /^aws:ec2\/natGateway:NatGateway$/).length;
    const eips = ofType(resources, /^aws:ec2\/eip:Eip$/).length;
    const keys = ofType(resources, /^aws:kms\/key:Key$/).length;
    const buckets = ofType(resources, /^aws:s3\/bucket:Bucket$/).length;
    const logGiB = assumptions.controlPlaneLogGiBPerMonth + (nats > 0 ? assumptions.flowLogGiBPerMonth : 0);
    const backupGiB = buckets ? assumptions.backupGiB : 0;
    const natGiB = assumptions.natProcessedGiBPerGatewayMonth;
    const pvGiB = persistentVolumeGiB(resources);
    const missing = noRegion(region);
    const natPrice = table && table.natGatewayHour * hours + table.natGatewayGiB * natGiB;
    const lines: CostLine[] = [
        line("EKS control plane", `${clusters}`, table?.eksControlPlaneHour, clusters * hours, undefined, missing),
        line("NAT gateways", `${nats}`, natPrice, nats, `incl. ${natGiB} GiB processed each`, missing),
        line("public IPv4 addresses (NAT)", `${eips}`, table?.publicIpv4Hour, eips * hours, undefined, missing),
        ...nodeGroupLines(resources, region, table, hours),
        line("persistent volumes (gp3, Helm values)", `${pvGiB} GiB`, table?.gp3GiBMonth, pvGiB, undefined, missing),
        line("KMS customer-managed keys", `${keys}`, table?.kmsKeyMonth, keys, undefined, missing),
        line(
            "CloudWatch Logs (control plane + flow logs)",
            `${logGiB} GiB/month`,
            table && table.logsIngestGiB + table.logsStoreGiBMonth,
            logGiB,
            "assumed volume (costAssumptions); audit volume grows with API traffic",
            missing,
        ),
        line("S3 backup storage", `${backupGiB} GiB`, table?.s3StandardGiBMonth, backupGiB, "assumed size (costAssumptions.backupGiB)", missing),
    ];
    const unpricedLines = lines.filter((l) => !l.priced).map((l) => l.item);
    return {
        region,
        currency: prices.currency,
        pricesRecorded: prices.recorded,
        lines,
        totalMonthlyUsd: round(lines.reduce((sum, l) => sum + l.monthlyUsd, 0)),
        complete: unpricedLines.length === 0,
        unpricedLines,
        assumptions,
        usageNotIncluded: USAGE_BY_COMPONENT.filter(([type]) => resources.some((r) => r.type === type)).map(([, usage]) => usage),
    };
}

function renderAssumptions(a: ResolvedCostAssumptions): string {
    const figures = [
        `control-plane logs ${a.controlPlaneLogGiBPerMonth} GiB/month`,
        `flow logs ${a.flowLogGiBPerMonth} GiB/month`,
        `backups ${a.backupGiB} GiB`,
        `NAT ${a.natProcessedGiBPerGatewayMonth} GiB/month per gateway`,
    ].join(", ");
    const source = a.setInStack.length > 0 ? `${a.setInStack.join(", ")} set in the stack, the rest ${a.environmentDefaults} defaults` : `${a.environmentDefaults} defaults`;
    return `  Usage assumed (costAssumptions; ${source}): ${figures}`;
}

export function renderCost(estimate: CostEstimate): string {
    const amount = (l: CostLine) => (l.priced ? l.monthlyUsd.toFixed(2) : "unpriced").padStart(9);
    const rows = estimate.lines.map((l) => `  ${l.item.padEnd(52)} ${l.quantity.padStart(14)}  ${amount(l)}${l.note ? `  (${l.note})` : ""}`);
    const total = `  ${(estimate.complete ? "total" : "total (INCOMPLETE)").padEnd(52)} ${"".padStart(14)}  ${estimate.totalMonthlyUsd.toFixed(2).padStart(9)}`;
    const incomplete = estimate.complete ? [] : [`  INCOMPLETE: ${estimate.unpricedLines.length} line(s) have no price and count as 0: ${estimate.unpricedLines.join("; ")}`];
    return [
        `Modeled monthly cost (${estimate.currency}, ${estimate.region}, prices recorded ${estimate.pricesRecorded}):`,
        renderAssumptions(estimate.assumptions),
        ...estimate.usageNotIncluded.map((usage) => `  Not included (usage): ${usage}`),
        ...rows,
        total,
        ...incomplete,
    ].join("\n");
}
