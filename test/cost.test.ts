/**
 * The cost model: usage assumptions belong to the stack (defaults per environment class, shown
 * in the output), and a line the price table cannot price is marked, never a silent zero.
 */
import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../config";
import { KNOWN_REGIONS } from "../config/regions";
import { stackFacts } from "../plan";
import { estimateMonthlyCost, renderCost } from "../plan/cost";
import { loadStackConfig } from "../plan/stackConfig";
import { PROJECT_DIR } from "../plan/run";
import { runScript } from "./support/cli";
import { planStack, updateConfig, withConfig } from "./harness";

const prod = loadStackConfig(PROJECT_DIR, "prod");
const asStaging = withConfig({ environment: "staging" });

describe("usage assumptions come from the stack, by environment class", () => {
    it("staging gets staging's defaults, not prod's", () => {
        expect(parsePlatformConfig(asStaging(prod)).costAssumptions).toEqual({
            controlPlaneLogGiBPerMonth: 15,
            flowLogGiBPerMonth: 10,
            backupGiB: 100,
            natProcessedGiBPerGatewayMonth: 50,
            environmentDefaults: "staging",
            setInStack: [],
        });
    });

    it("a stack's own figures win over the defaults, and the output says which ones it set", async () => {
        const { plan } = await planStack("prod", { transformConfig: (s) => withConfig({ costAssumptions: { backupGiB: 1000 } })(asStaging(s)) });
        const estimate = estimateMonthlyCost(plan.document.resources, "eu-central-1", stackFacts(plan.source).costAssumptions);
        expect(estimate.lines.find((l) => l.item === "S3 backup storage")).toMatchObject({ quantity: "1000 GiB", monthlyUsd: 24.5, priced: true });
        expect(estimate.lines.find((l) => l.item.startsWith("CloudWatch Logs"))?.quantity).toBe("25 GiB/month");
        expect(renderCost(estimate)).toContain(
            "Usage assumed (costAssumptions; backupGiB set in the stack, the rest staging defaults): control-plane logs 15 GiB/month, flow logs 10 GiB/month, backups 1000 GiB, NAT 50 GiB/month per gateway",
        );
    });

    it("an assumption that is not a non-negative number is refused at config load", () => {
        expect(() => parsePlatformConfig(withConfig({ costAssumptions: { backupGiB: -1 } })(prod))).toThrow(/eks-platform:costAssumptions\.backupGiB = -1: /);
    });
});

describe("lines the price table cannot price", () => {
    it("an instance type without a price in the Region: that line is unpriced and the total incomplete", async () => {
        const { plan } = await planStack("dev", {
            transformConfig: updateConfig("nodeGroups", (groups: any[]) => groups.map((g) => (g.role === "application" ? { ...g, instanceTypes: ["m7g.large"] } : g))),
        });
        const estimate = estimateMonthlyCost(plan.document.resources, "eu-west-1", stackFacts(plan.source).costAssumptions);
        const unpriced = estimate.lines.filter((l) => !l.priced);
        expect(unpriced).toEqual([
            { item: "node group node-group-application: m7g.large (spot)", quantity: "1 nodes", monthlyUsd: 0, priced: false, note: "no price for m7g.large in eu-west-1 in plan/prices.json" },
        ]);
        expect(estimate.complete).toBe(false);
        expect(estimate.unpricedLines).toEqual(["node group node-group-application: m7g.large (spot)"]);
        const text = renderCost(estimate);
        expect(text).toMatch(/node group node-group-application: m7g\.large \(spot\) +1 nodes +unpriced/);
        expect(text).toMatch(/total \(INCOMPLETE\) +\d+\.\d\d\n {2}INCOMPLETE: 1 line\(s\) have no price and count as 0: node group node-group-application: m7g\.large \(spot\)$/);
    });

    it("every Region the config knows is either priced or marked unpriced line by line, never a silent zero", async () => {
        const { plan } = await planStack("dev");
        const assumptions = stackFacts(plan.source).costAssumptions;
        for (const region of KNOWN_REGIONS) {
            const estimate = estimateMonthlyCost(plan.document.resources, region, assumptions);
            for (const l of estimate.lines) {
                if (l.priced) expect(l.monthlyUsd, `${region}: ${l.item}`).toBeGreaterThan(0);
                else expect(l.note, `${region}: ${l.item}`).toMatch(/^no price/);
            }
            expect(estimate.complete, region).toBe(estimate.lines.every((l) => l.priced));
        }
        expect(estimateMonthlyCost(plan.document.resources, "us-west-2", assumptions)).toMatchObject({ complete: false, totalMonthlyUsd: 0 });
    });

    it("the committed stacks are priced completely", async () => {
        for (const stack of ["dev", "prod"]) {
            const { plan } = await planStack(stack);
            const facts = stackFacts(plan.source);
            expect(estimateMonthlyCost(plan.document.resources, facts.region, facts.costAssumptions)).toMatchObject({ complete: true, unpricedLines: [] });
        }
    });

    it("names what follows demand and is not in the total: Karpenter's capacity, tenants' load balancers (the controller itself costs nothing)", async () => {
        const { plan } = await planStack("prod");
        const facts = stackFacts(plan.source);
        const estimate = estimateMonthlyCost(plan.document.resources, facts.region, facts.costAssumptions);
        expect(estimate.usageNotIncluded).toEqual([
            "application capacity Karpenter launches (demand-driven, within the NodePool's limits)",
            "load balancers tenants create through the AWS Load Balancer Controller (per-tenant usage: each ALB or NLB bills hourly plus capacity units; the controller itself runs on the system nodes at no extra cost)",
        ]);
        expect(renderCost(estimate)).toMatch(/^ {2}Not included \(usage\): load balancers tenants create through the AWS Load Balancer Controller/m);
        const without = await planStack("prod", {
            transformConfig: (source) =>
                updateConfig<Array<Record<string, unknown>>>("tenants", (tenants) => tenants.map(({ expose: _e, internetFacing: _i, ...t }) => t))(
                    updateConfig<Record<string, unknown>>("addons", (addons) => ({ ...addons, awsLoadBalancerController: { enabled: false }, karpenter: { enabled: false } }))(source),
                ),
        });
        const bare = estimateMonthlyCost(without.plan.document.resources, facts.region, facts.costAssumptions);
        expect(bare.usageNotIncluded).toEqual([]);
        expect(bare.totalMonthlyUsd).toBe(estimate.totalMonthlyUsd);
    }, 60_000);

    it("--cost --json adds complete, unpricedLines and the assumptions to the cost field", () => {
        const result = runScript("scripts/plan.ts", ["--stack", "dev", "--cost", "--json"]);
        expect(result.status).toBe(0);
        const cost = JSON.parse(result.stdout).cost;
        expect(cost).toMatchObject({ region: "eu-west-1", complete: true, unpricedLines: [], assumptions: { backupGiB: 20, environmentDefaults: "dev" } });
        expect(cost.totalMonthlyUsd).toBe(296.63);
        for (const l of cost.lines) expect(Object.keys(l)).toEqual(expect.arrayContaining(["item", "quantity", "monthlyUsd", "priced"]));
    });
});
