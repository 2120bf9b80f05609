/**
 * Usage the cost model cannot read from the plan (log volume, backup size, NAT traffic): set
 * per stack, with defaults per environment class so that a staging stack is not priced with
 * prod's traffic. The plan's cost output shows the figures it used and where they came from.
 */
import { z } from "zod";

export interface CostAssumptions {
    controlPlaneLogGiBPerMonth: number;
    flowLogGiBPerMonth: number;
    backupGiB: number;
    natProcessedGiBPerGatewayMonth: number;
}

/** Starting points, not measurements: replace them with your stack's figures once it runs. */
export const COST_ASSUMPTION_DEFAULTS: Record<"dev" | "staging" | "prod", CostAssumptions> = {
    dev: { controlPlaneLogGiBPerMonth: 5, flowLogGiBPerMonth: 3, backupGiB: 20, natProcessedGiBPerGatewayMonth: 50 },
    staging: { controlPlaneLogGiBPerMonth: 15, flowLogGiBPerMonth: 10, backupGiB: 100, natProcessedGiBPerGatewayMonth: 50 },
    prod: { controlPlaneLogGiBPerMonth: 40, flowLogGiBPerMonth: 30, backupGiB: 300, natProcessedGiBPerGatewayMonth: 50 },
};

const gib = (what: string) => z.number().min(0).optional().describe(what);

export const costAssumptionsSchema = z
    .strictObject({
        controlPlaneLogGiBPerMonth: gib("Control-plane (audit) log volume ingested per month, GiB."),
        flowLogGiBPerMonth: gib("VPC flow log volume ingested per month, GiB (managed network only)."),
        backupGiB: gib("Velero backup data kept in S3, GiB."),
        natProcessedGiBPerGatewayMonth: gib("Traffic each NAT gateway processes per month, GiB."),
    })
    .default({})
    .describe(
        `Usage the cost model (\`npm run plan -- --cost\`) assumes; each key defaults by environment class (control-plane logs / flow logs / backups / NAT per gateway, GiB): dev ${describe("dev")}; staging ${describe("staging")}; prod ${describe("prod")}.`,
    );

function describe(environment: keyof typeof COST_ASSUMPTION_DEFAULTS): string {
    const d = COST_ASSUMPTION_DEFAULTS[environment];
    return `${d.controlPlaneLogGiBPerMonth}/${d.flowLogGiBPerMonth}/${d.backupGiB}/${d.natProcessedGiBPerGatewayMonth}`;
}

export type CostAssumptionsInput = z.infer<typeof costAssumptionsSchema>;

/** The stack's figures over its environment class's defaults, and which keys the stack set. */
export function resolveCostAssumptions(
    environment: keyof typeof COST_ASSUMPTION_DEFAULTS,
    input: CostAssumptionsInput,
): CostAssumptions & { environmentDefaults: keyof typeof COST_ASSUMPTION_DEFAULTS; setInStack: string[] } {
    const defaults = COST_ASSUMPTION_DEFAULTS[environment];
    const setInStack = Object.entries(input)
        .filter(([, value]) => value !== undefined)
        .map(([key]) => key);
    const merged = Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, input[key as keyof CostAssumptionsInput] ?? value])) as unknown as CostAssumptions;
    return { ...merged, environmentDefaults: environment, setInStack };
}
