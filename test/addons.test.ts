/**
 * The platform's add-ons share one shape (components/shared/addon.ts): the config decides which
 * are installed, each exports only its own outputs, monitoring reaches exactly the enabled
 * add-ons' metrics, and the Prometheus Operator CRDs, now a component of their own, keep the
 * state of stacks deployed before (an alias, not a replacement that prod's protect would refuse).
 */
import { describe, expect, it } from "vitest";
import { enabledAddons } from "../components/addons";
import { CONTRACT, CONTRACT_FIELDS } from "../contract/outputs";
import { parsePlatformConfig } from "../config";
import { PROJECT_DIR } from "../plan/run";
import { loadStackConfig } from "../plan/stackConfig";
import { planStack, updateConfig } from "./harness";

const stackConfig = (stack: string) => parsePlatformConfig(loadStackConfig(PROJECT_DIR, stack));

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("the enabled add-ons", () => {
    it("follow the config, in install order: the store's provider before monitoring, which reads through it", () => {
        const prod = stackConfig("prod");
        expect(enabledAddons(prod).map((a) => a.name)).toEqual(["karpenter", "externalSecrets", "monitoring", "velero", "trivy", "awsLoadBalancerController"]);
        const withoutTwo = { ...prod, addons: { ...prod.addons, velero: { ...prod.addons.velero, enabled: false }, trivy: { ...prod.addons.trivy, enabled: false } } };
        expect(enabledAddons(withoutTwo).map((a) => a.name)).toEqual(["karpenter", "externalSecrets", "monitoring", "awsLoadBalancerController"]);
    });

    it("each add-on exports exactly the outputs the contract ties to it", async () => {
        const { plan } = await planStack("prod");
        const exported = Object.keys(plan.document.outputs);
        for (const addon of enabledAddons(stackConfig("prod"))) {
            const tied = CONTRACT_FIELDS.filter((field) => CONTRACT[field].addon === addon.name);
            expect(tied.filter((field) => !exported.includes(field)), addon.name).toEqual([]);
        }
    }, 60_000);
});

describe("monitoring reaches the enabled add-ons' metrics", () => {
    it("one egress rule per enabled add-on that declares a metrics endpoint, and none for a disabled one", async () => {
        const scrapeRules = async (transform?: (addons: Record<string, unknown>) => unknown) => {
            const { recorded } = await planStack("dev", transform ? { transformConfig: updateConfig<Record<string, unknown>>("addons", transform) } : {});
            return recorded
                .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                .map((p) => (p.props.metadata as { namespace: string; name: string }))
                .filter((m) => m.namespace === "monitoring" && /^allow-scrape-(?!tenant-|nodes|node-exporter|coredns)/.test(m.name))
                .map((m) => m.name)
                .sort();
        };
        expect(await scrapeRules()).toEqual(["allow-scrape-external-secrets", "allow-scrape-karpenter", "allow-scrape-load-balancer-controller", "allow-scrape-trivy", "allow-scrape-velero"]);
        expect(await scrapeRules((addons) => ({ ...addons, velero: { enabled: false } }))).toEqual(["allow-scrape-external-secrets", "allow-scrape-karpenter", "allow-scrape-load-balancer-controller", "allow-scrape-trivy"]);
    }, 60_000);
});

describe.each(["dev", "prod"])("the Prometheus Operator CRDs in the %s plan", (stack) => {
    it("are a component of their own whose release keeps the URN it was first deployed at (an alias)", async () => {
        const { recorded } = await planStack(stack);
        const component = recorded.one("platform:index:PrometheusOperatorCrds");
        const release = recorded.one(RELEASE, "monitoring-prometheus-crds");
        expect(release.parent).toBe(component.urn);
        expect(release.inputs.name).toBe("monitoring-prometheus-crds");
        expect(release.aliases).toEqual([`urn:pulumi:${stack}::eks-platform::kubernetes:helm.sh/v3:Release::monitoring-prometheus-crds`]);
        expect(release.protect).toBe(stack === "prod");
    }, 60_000);

    it("are not installed without the monitoring stack, and no chart then renders a ServiceMonitor", async () => {
        const { recorded } = await planStack(stack, { transformConfig: updateConfig<Record<string, unknown>>("addons", (addons) => ({ ...addons, monitoring: { enabled: false } })) });
        expect(recorded.ofType("platform:index:PrometheusOperatorCrds")).toEqual([]);
        const monitors = recorded.ofType(RELEASE).filter((r) => JSON.stringify(r.inputs.values).includes('"serviceMonitor":{"enabled":true'));
        expect(monitors.map((r) => r.name)).toEqual([]);
    }, 60_000);
});
