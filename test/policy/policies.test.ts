// One deny fixture per policy (plus the compliant stack as the shared allow fixture), one deny
// and one allow fixture per Pod Security Standards control, and guards that no policy or
// control is added without them.
import { describe, expect, it } from "vitest";
import { loadPolicyPackConfig, platformPolicyConfigPath } from "../../policy/engine";
import { isPodSecurityPolicy } from "../../policy/lib/podSecurity";
import { allPolicies } from "../../policy/policies";
import { denyFixtures, denyStack, podResource } from "./fixtures/denyFixtures";
import { CONTAINER_LISTS, CONTROL_FIXTURES, POD_BEARING_TYPES, podWith } from "./fixtures/podSecurity";
import { compliantStack, evaluate, violationsOf } from "./helpers";

const platformConfig = () => loadPolicyPackConfig(platformPolicyConfigPath);

describe("every policy", () => {
    it("has a deny fixture, and no fixture is orphaned", () => {
        expect(Object.keys(denyFixtures).sort()).toEqual(allPolicies.map((p) => p.name).sort());
    });

    it("accepts the compliant stack, even under the platform config", () => {
        expect(evaluate(compliantStack(), platformConfig())).toEqual({ violations: [], notEvaluated: [] });
    });

    it.each(Object.entries(denyFixtures))("%s denies its fixture", (name, fixture) => {
        const messages = violationsOf(name, denyStack(name));
        expect(messages.length).toBeGreaterThan(0);
        expect(messages.join("\n")).toMatch(fixture.message);
    });

    it.each(allPolicies.map((p) => [p.name, p] as const))("%s carries its metadata", (_name, policy) => {
        expect(policy.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
        expect(policy.description.length).toBeGreaterThan(10);
        expect(["low", "medium", "high", "critical"]).toContain(policy.severity);
        expect(["mandatory", "advisory"]).toContain(policy.enforcementLevel);
        expect(policy.frameworks.length).toBeGreaterThan(0);
        expect(Object.keys(policy.configSchema?.properties ?? {})).toEqual(expect.arrayContaining(["exemptNamespaces", "exemptNames", "exemptLabels"]));
    });
});

describe("every Pod Security Standards control", () => {
    const podSecurityPolicies = allPolicies.filter(isPodSecurityPolicy);
    const citedControls = podSecurityPolicies.flatMap((p) =>
        p.frameworks.filter((f) => f.framework === "Pod Security Standards").map((f) => `${f.reference} -> ${p.name}`),
    );

    it("has exactly one deny and one allow fixture, for the policy whose metadata cites it", () => {
        expect(CONTROL_FIXTURES.map((f) => `${f.control} -> ${f.policy}`).sort()).toEqual(citedControls.sort());
        expect(new Set(CONTROL_FIXTURES.map((f) => f.control)).size).toBe(CONTROL_FIXTURES.length);
        // Both levels of the standard: 12 baseline controls and 6 restricted ones.
        expect(CONTROL_FIXTURES.filter((f) => f.control.startsWith("Baseline: "))).toHaveLength(12);
        expect(CONTROL_FIXTURES.filter((f) => f.control.startsWith("Restricted: "))).toHaveLength(6);
    });

    it.each(CONTROL_FIXTURES.map((f) => [f.control, f] as const))("%s: the deny fixture's one fault is reported by its policy alone, as mandatory", (_control, fixture) => {
        const report = evaluate([...compliantStack(), podResource("kubernetes:apps/v1:Deployment", "bad", podWith(fixture.deny))], platformConfig());
        expect(report.notEvaluated).toEqual([]);
        expect(report.violations.map((v) => [v.policy, v.enforcementLevel])).toEqual([[fixture.policy, "mandatory"]]);
    });

    it.each(CONTROL_FIXTURES.map((f) => [f.control, f] as const))("%s: the allow fixture passes the whole pack under the platform config", (_control, fixture) => {
        expect(evaluate([...compliantStack(), podResource("kubernetes:apps/v1:Deployment", "good", podWith(fixture.allow))], platformConfig())).toEqual({
            violations: [],
            notEvaluated: [],
        });
    });

    it.each(CONTROL_FIXTURES.map((f) => [f.control, f] as const))("%s: the fault is found in every pod-bearing kind and every container list", (_control, fixture) => {
        const lists = fixture.deny.container ? CONTAINER_LISTS : (["containers"] as const);
        const resources = POD_BEARING_TYPES.flatMap((type) => lists.map((list) => podResource(type, `bad-${list.toLowerCase()}`, podWith(fixture.deny, list))));
        const report = evaluate(resources);
        for (const resource of resources) {
            const policies = report.violations.filter((v) => v.urn === resource.urn && v.enforcementLevel === "mandatory").map((v) => v.policy);
            expect([...new Set(policies)], resource.urn).toEqual([fixture.policy]);
        }
    });
});
