// The pack inside the real CrossGuard analyzer: policy/index.ts started as the Pulumi CLI starts
// it, driven over gRPC as the engine drives it. For the dev and prod plans (after `up` and at
// preview, with unknowns), every deny and Pod Security fixture, the checker's inputs, secrets and
// unreadable pods, the analyzer's diagnostics must equal the offline engine's exactly.
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPlan, policyResourcesOf } from "../../plan";
import { SECRET_MARK } from "../../plan/record";
import { loadStack } from "../../policy/cli/inputs";
import { evaluatePolicies, loadPolicyPackConfig, platformPolicyConfigPath, PolicyPackConfig, PolicyReport, ResourceUnderTest, STACK_URN, UNKNOWN } from "../../policy/engine";
import { allPolicies } from "../../policy/policies";
import { Analyzer, analyzeAll, asPolicyReport, configure, EngineResource, getAnalyzerInfo, PolicyInfo, secret, startAnalyzer } from "../support/analyzer";
import { denyFixtures, denyStack, podResource } from "./fixtures/denyFixtures";
import { LOAD_BALANCER_CASES } from "./fixtures/loadBalancerFixtures";
import { CONTROL_FIXTURES, podWith } from "./fixtures/podSecurity";
import { compliantStack, container, deployment, podSpec, resource } from "./helpers";

const root = path.resolve(__dirname, "../..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");

let analyzer: Analyzer;
let pack: { name: string; version: string; supportsConfig: boolean; policies: PolicyInfo[] };

beforeAll(async () => {
    // As the CLI does: the pack's directory is the working directory; the pack prints its port.
    analyzer = await startAnalyzer(path.join(root, "policy"), tsx, ["index.ts"]);
    pack = await getAnalyzerInfo(analyzer);
}, 60_000);

afterAll(() => analyzer?.stop());

/** The default provider the engine hands a custom resource that names none. */
function defaultProvider(type: string, stack = "test", project = "platform") {
    const pkg = type.split(":")[0];
    return { urn: `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::default`, type: `pulumi:providers:${pkg}`, name: "default", properties: {} };
}

/** A fixture resource as the engine would hold it (its props carry no secrets). */
function engineResource(r: ResourceUnderTest, properties: Record<string, unknown> = r.props): EngineResource {
    return { urn: r.urn, type: r.type, name: r.name, properties, custom: true, parent: r.parent, dependencies: r.dependencies, provider: defaultProvider(r.type) };
}

const byKey = <T extends object>(...keys: Array<keyof T>) => (a: T, b: T) => {
    for (const key of keys) if (String(a[key]) !== String(b[key])) return String(a[key]) < String(b[key]) ? -1 : 1;
    return 0;
};
function sorted(report: PolicyReport): PolicyReport {
    return {
        violations: [...report.violations].sort(byKey("urn", "policy", "message", "enforcementLevel")),
        notEvaluated: [...report.notEvaluated].sort(byKey("urn", "policy", "reason")),
    };
}

/** Both engines over the same stack and config; returns the (equal) report. */
async function bothEngines(engine: EngineResource[], offline: ResourceUnderTest[], config: PolicyPackConfig): Promise<PolicyReport> {
    await configure(analyzer, pack.policies, config);
    const online = sorted(asPolicyReport(await analyzeAll(analyzer, engine), pack, STACK_URN));
    expect(online).toEqual(evaluatePolicies(offline, config));
    return online;
}

const fixtureStack = (resources: ResourceUnderTest[], config: PolicyPackConfig = {}) => bothEngines(resources.map((r) => engineResource(r)), resources, config);

describe("the pack served over the analyzer protocol", () => {
    it("describes itself: every policy, with its level and config schema", () => {
        expect(pack.name).toBe("eks-platform");
        expect(pack.version).toBe("0.1.0");
        expect(pack.supportsConfig).toBe(true);
        expect(pack.policies.map((p) => p.name).sort()).toEqual(allPolicies.map((p) => p.name).sort());
        const seccomp = pack.policies.find((p) => p.name === "k8s-seccomp-profile")!;
        expect(seccomp.enforcementLevel).toBe("mandatory");
        expect(seccomp.configSchema.podSecurityVersion).toMatchObject({ type: "string", default: "latest" });
    });
});

describe("the analyzer's diagnostics equal the offline engine's", () => {
    /** A recorded plan resource as the engine marshals it: secrets wrapped again, unknowns kept. */
    function marshalled(display: unknown, props: unknown): unknown {
        if (display === SECRET_MARK) return secret(props);
        if (Array.isArray(display) && Array.isArray(props)) return props.map((p, i) => marshalled(display[i], p));
        if (display && props && typeof display === "object" && typeof props === "object") {
            return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, marshalled((display as Record<string, unknown>)[k], v)]));
        }
        return props;
    }

    async function plan(stack: string, preview: boolean) {
        const { run, policyConfig } = await createPlan({ stack, preview });
        const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
        const engine: EngineResource[] = run.resources.map((r) => {
            const explicit = r.provider ? byUrn.get(r.provider) : undefined;
            return {
                urn: r.urn,
                type: r.type,
                name: r.name,
                properties: marshalled(r.inputs, r.props) as Record<string, unknown>,
                custom: r.custom,
                parent: r.parent ?? undefined,
                dependencies: r.dependencies,
                protect: r.protect,
                provider: explicit
                    ? { urn: explicit.urn, type: explicit.type, name: explicit.name, properties: marshalled(explicit.inputs, explicit.props) as Record<string, unknown> }
                    : r.custom
                      ? defaultProvider(r.type, run.stack, run.project)
                      : undefined,
            };
        });
        return { engine, offline: policyResourcesOf(run.resources), policyConfig };
    }

    it.each([
        ["dev", false],
        ["prod", false],
        ["dev", true],
        ["prod", true],
    ] as const)("%s plan (preview: %s), under the platform config of its environment", async (stack, preview) => {
        const { engine, offline, policyConfig } = await plan(stack, preview);
        const report = await bothEngines(engine, offline, policyConfig);
        expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
        if (preview) expect(report.notEvaluated.length).toBeGreaterThan(0);
    });

    it.each(Object.keys(denyFixtures))("deny fixture of %s", async (policy) => {
        const report = await fixtureStack(denyStack(policy));
        expect(report.violations.map((v) => v.policy)).toContain(policy);
    });

    it.each(CONTROL_FIXTURES.map((f) => [f.control, f] as const))("Pod Security control %s: deny and allow fixtures", async (_control, fixture) => {
        const deny = await fixtureStack([...compliantStack(), podResource("kubernetes:apps/v1:Deployment", "bad", podWith(fixture.deny))]);
        expect(deny.violations.map((v) => v.policy)).toEqual([fixture.policy]);
        const allow = await fixtureStack([...compliantStack(), podResource("kubernetes:apps/v1:Deployment", "good", podWith(fixture.allow))], loadPolicyPackConfig(platformPolicyConfigPath));
        expect(allow).toEqual({ violations: [], notEvaluated: [] });
    });

    it.each(LOAD_BALANCER_CASES.map((c) => [c.name, c] as const))("load balancers, %s: deny and allow fixtures", async (_name, fixture) => {
        const deny = await fixtureStack([...compliantStack(), ...fixture.deny()], fixture.config);
        expect(deny.violations.map((v) => v.policy)).toEqual(fixture.messages.map(() => "k8s-internal-load-balancer"));
        const allow = await fixtureStack([...compliantStack(), ...fixture.allow()], fixture.config);
        expect(allow).toEqual({ violations: [], notEvaluated: [] });
    });

    it("a pinned Pod Security version travels through Configure", async () => {
        const probeHost = podResource("kubernetes:core/v1:Pod", "probe", podWith(CONTROL_FIXTURES.find((f) => f.policy === "k8s-no-probe-or-lifecycle-host")!.deny));
        const pinned = await fixtureStack([probeHost], { "k8s-no-probe-or-lifecycle-host": { podSecurityVersion: "v1.33" } });
        expect(pinned.violations.filter((v) => v.policy === "k8s-no-probe-or-lifecycle-host")).toEqual([]);
        const latest = await fixtureStack([probeHost]);
        expect(latest.violations.filter((v) => v.policy === "k8s-no-probe-or-lifecycle-host")).toHaveLength(1);
    });

    it.each(["ok", "violations"])("the checker's %s inputs (YAML, stack export with secrets, preview with unknowns)", async (dir) => {
        const fixtures = path.join(root, "test", "policy", "fixtures", "checker", dir);
        for (const file of readdirSync(fixtures)) await fixtureStack(loadStack(path.join(fixtures, file)).resources);
    });

    it("secrets are unwrapped for the policies, as the engine sends them", async () => {
        const leaky = deployment(podSpec({ containers: [container("app", { env: [{ name: "DB_PASSWORD", value: "hunter2" }] })] }), "leaky");
        const wrapped = structuredClone(leaky.props) as { spec: { template: { spec: { containers: Array<{ env: Array<{ value: unknown }> }> } } } };
        wrapped.spec.template.spec.containers[0].env[0].value = secret("hunter2");
        await configure(analyzer, pack.policies, {});
        const online = sorted(asPolicyReport(await analyzeAll(analyzer, [engineResource(leaky, wrapped as Record<string, unknown>)]), pack, STACK_URN));
        expect(online).toEqual(evaluatePolicies([leaky]));
        expect(online.violations.map((v) => v.policy)).toContain("k8s-no-plaintext-secrets");
    });

    it("fails closed at preview time: an unreadable pod is a violation, an unknown one is not evaluated", async () => {
        const pods = [
            resource("kubernetes:core/v1:Pod", { metadata: { name: "nullspec", namespace: "shop" }, spec: null }, "nullspec"),
            resource("kubernetes:core/v1:Pod", { metadata: { name: "oops", namespace: "shop" }, spec: { containers: "oops" } }, "oops"),
            resource("kubernetes:apps/v1:Deployment", { metadata: { name: "notemplate", namespace: "shop" }, spec: { replicas: 1 } }, "notemplate"),
            resource("kubernetes:apps/v1:Deployment", { metadata: { name: "later", namespace: "shop" }, spec: { template: UNKNOWN } }, "later"),
        ];
        const report = await fixtureStack(pods);
        for (const name of ["nullspec", "oops", "notemplate"]) {
            expect(report.violations.some((v) => v.urn.endsWith(`::${name}`) && v.enforcementLevel === "mandatory" && /cannot be checked/.test(v.message)), name).toBe(true);
        }
        expect(report.violations.filter((v) => v.urn.endsWith("::later") && /cannot be checked/.test(v.message))).toEqual([]);
        expect(report.notEvaluated.filter((n) => n.urn.endsWith("::later")).length).toBeGreaterThan(10);
    });
});
