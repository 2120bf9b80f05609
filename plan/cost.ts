/**
 * Modeled monthly cost of a stack, read from the recorded resources and a committed price
 * table (plan/prices.json, with its date). Karpenter-launched capacity is demand-driven and
 * not included; the line items say what each one assumes.
 */
import prices from "./prices.json";
import { ResourceGraph } from "./graph";
import type { PlanResourceDocument } from "./index";

export interface CostLine {
    item: string;
    quantity: string;
    monthlyUsd: number;
    note?: string;
}

export interface CostEstimate {
    region: string;
    currency: string;
    pricesRecorded: string;
    lines: CostLine[];
    totalMonthlyUsd: number;
}

type RegionPrices = (typeof prices.regions)["eu-west-1"];

export class PriceTableError extends Error {}

function regionPrices(region: string): RegionPrices {
    const table = (prices.regions as Record<string, RegionPrices>)[region];
    if (!table) throw new PriceTableError(`plan/prices.json has no prices for ${region} (has: ${Object.keys(prices.regions).join(", ")})`);
    return table;
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

function nodeGroupLines(resources: PlanResourceDocument[], table: RegionPrices, hours: number): CostLine[] {
    const graph = new ResourceGraph(resources);
    return ofType(resources, /^eks:index:ManagedNodeGroup$|^aws:eks\/nodeGroup:NodeGroup$/).flatMap((group) => {
        const scaling = (group.inputs.scalingConfig ?? {}) as { desiredSize?: number };
        const nodes = asNumber(scaling.desiredSize, 0);
        const instanceType = ((group.inputs.instanceTypes ?? []) as string[])[0] ?? "unknown";
        const hourly = (table.ec2Hour as Record<string, number>)[instanceType];
        const spot = group.inputs.capacityType === "SPOT";
        const factor = spot ? 1 - prices.spotDiscount : 1;
        const disk = rootVolumeGiB(group, graph);
        return [
            {
                item: `node group ${group.name}: ${instanceType}${spot ? " (spot)" : ""}`,
                quantity: `${nodes} nodes`,
                monthlyUsd: round(nodes * (hourly ?? 0) * hours * factor),
                note: hourly === undefined ? `no price for ${instanceType} in the table` : spot ? `spot at ${prices.spotDiscount * 100}% off on-demand (typical, varies)` : undefined,
            },
            { item: `node group ${group.name}: gp3 root volumes`, quantity: `${nodes} x ${disk} GiB`, monthlyUsd: round(nodes * disk * table.gp3GiBMonth) },
        ];
    });
}

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

export function estimateMonthlyCost(resources: PlanResourceDocument[], region: string, environment: "dev" | "prod"): CostEstimate {
    const table = regionPrices(region);
    const hours = prices.hoursPerMonth;
    const assumptions = prices.assumptions;
    const clusters = ofType(resources, /^eks:index:Cluster$|^aws:eks\/cluster:Cluster$/).length;
    const nats = ofType(resources, /^aws:ec2\/natGateway:NatGateway$/).length;
    const eips = ofType(resources, /^aws:ec2\/eip:Eip$/).length;
    const keys = ofType(resources, /^aws:kms\/key:Key$/).length;
    const buckets = ofType(resources, /^aws:s3\/bucket:Bucket$/).length;
    const logGiB = assumptions.controlPlaneLogGiBPerMonth[environment] + (nats > 0 ? assumptions.flowLogGiBPerMonth[environment] : 0);
    const pvGiB = persistentVolumeGiB(resources);
    const lines: CostLine[] = [
        { item: "EKS control plane", quantity: `${clusters}`, monthlyUsd: round(clusters * table.eksControlPlaneHour * hours) },
        { item: "NAT gateways", quantity: `${nats}`, monthlyUsd: round(nats * (table.natGatewayHour * hours + table.natGatewayGiB * assumptions.natProcessedGiBPerGatewayMonth)), note: `incl. ${assumptions.natProcessedGiBPerGatewayMonth} GiB processed each` },
        { item: "public IPv4 addresses (NAT)", quantity: `${eips}`, monthlyUsd: round(eips * table.publicIpv4Hour * hours) },
        ...nodeGroupLines(resources, table, hours),
        { item: "persistent volumes (gp3, Helm values)", quantity: `${pvGiB} GiB`, monthlyUsd: round(pvGiB * table.gp3GiBMonth) },
        { item: "KMS customer-managed keys", quantity: `${keys}`, monthlyUsd: round(keys * table.kmsKeyMonth) },
        { item: "CloudWatch Logs (control plane + flow logs)", quantity: `${logGiB} GiB/month`, monthlyUsd: round(logGiB * (table.logsIngestGiB + table.logsStoreGiBMonth)), note: "estimate: audit volume grows with API traffic" },
        { item: "S3 backup storage", quantity: buckets ? `${assumptions.backupGiB[environment]} GiB` : "0", monthlyUsd: round(buckets ? assumptions.backupGiB[environment] * table.s3StandardGiBMonth : 0), note: "estimate: depends on cluster state size and versions kept" },
    ];
    return {
        region,
        currency: prices.currency,
        pricesRecorded: prices.recorded,
        lines,
        totalMonthlyUsd: round(lines.reduce((sum, line) => sum + line.monthlyUsd, 0)),
    };
}

export function renderCost(estimate: CostEstimate): string {
    const rows = estimate.lines.map((l) => `  ${l.item.padEnd(52)} ${l.quantity.padStart(14)}  ${l.monthlyUsd.toFixed(2).padStart(9)}${l.note ? `  (${l.note})` : ""}`);
    return [
        `Modeled monthly cost (${estimate.currency}, ${estimate.region}, prices recorded ${estimate.pricesRecorded}; Karpenter capacity not included):`,
        ...rows,
        `  ${"total".padEnd(52)} ${"".padStart(14)}  ${estimate.totalMonthlyUsd.toFixed(2).padStart(9)}`,
    ].join("\n");
}
