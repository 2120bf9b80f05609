// Every AWS control: its allow fixture passes the whole pack (bar documented overlaps), its deny
// fixture (the allow fixture with one fault) trips the policy, at the level each environment's
// platform config gives it.
import { describe, expect, it } from "vitest";
import { loadPolicyPackConfig, platformPolicyConfigPathFor } from "../../policy/engine";
import { ENVIRONMENT_CLASSES } from "../../policy/lib/environments";
import { awsPolicies } from "../../policy/policies";
import { awsControlFixtures } from "./awsFixtures";
import { evaluate } from "./helpers";

const fixtures = Object.entries(awsControlFixtures);
/** The AWS controls that are advisory outside prod (resilience and evidence); every other one is mandatory everywhere. */
const PROD_ONLY = ["cloudwatch-log-group-retention", "eks-cluster-deletion-protection", "eks-cluster-endpoint-not-public", "s3-bucket-access-logging", "s3-bucket-object-lock"];
const tripped = (report: ReturnType<typeof evaluate>) => [...new Set(report.violations.map((v) => v.policy))].sort();

describe("AWS control fixtures", () => {
    it("cover every AWS policy of the pack, and nothing else", () => {
        expect(Object.keys(awsControlFixtures).sort()).toEqual(awsPolicies.map((p) => p.name).sort());
    });

    it.each(fixtures)("%s: the allow fixture passes (the policy evaluates it and finds nothing)", (name, fixture) => {
        const report = evaluate(fixture.allow());
        expect(report.notEvaluated).toEqual([]);
        expect(tripped(report)).toEqual([...(fixture.allowTrips ?? [])].sort());
        expect(report.violations.filter((v) => v.policy === name)).toEqual([]);
    });

    it.each(fixtures)("%s: the deny fixture trips it, and only what its one fault explains", (name, fixture) => {
        const report = evaluate(fixture.deny());
        const messages = report.violations.filter((v) => v.policy === name).map((v) => v.message);
        expect(messages.join("\n")).toMatch(fixture.message);
        expect(tripped(report)).toEqual([...new Set([name, ...(fixture.alsoTrips ?? []), ...(fixture.allowTrips ?? [])])].sort());
    });

    it.each(fixtures)("%s: the deny fixture is reported at the level of each environment", (name, fixture) => {
        for (const environment of ENVIRONMENT_CLASSES) {
            const config = loadPolicyPackConfig(platformPolicyConfigPathFor(environment));
            const levels = [...new Set(evaluate(fixture.deny(), config).violations.filter((v) => v.policy === name).map((v) => v.enforcementLevel))];
            expect(levels, environment).toEqual([PROD_ONLY.includes(name) && environment !== "prod" ? "advisory" : "mandatory"]);
        }
    });
});
