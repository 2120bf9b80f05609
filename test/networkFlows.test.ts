/**
 * Traffic as the VPC CNI enforces the plan's NetworkPolicies (test/support/networkModel.ts,
 * with its sources): every flow the platform needs (test/support/platformFlows.ts) is allowed,
 * and nothing the flows do not declare is. Run on every stack file.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { listStacks } from "../plan/stackConfig";
import { PROJECT_DIR } from "../plan/run";
import { planStackFile, rawConfig, type PlannedStack } from "./fixtures/stacks";
import type { Recorded } from "./harness";
import { Addresses, NetworkModel, policyFrom, type Endpoint, type Flow, type Service } from "./support/networkModel";
import { platformNetwork, type ClusterFacts } from "./support/platformFlows";

/** The network facts a plan fixes: VPC, private subnets, the service range the cluster is created with. */
function clusterFacts(recorded: Recorded): ClusterFacts {
    const vpc = recorded.one("aws:ec2/vpc:Vpc");
    const subnetsTagged = (role: string) => recorded.ofType("aws:ec2/subnet:Subnet").filter((s) => (s.props.tags as Record<string, string>)[role] === "1");
    const privateSubnets = subnetsTagged("kubernetes.io/role/internal-elb");
    const cluster = recorded.one("eks:index:Cluster");
    return {
        vpcCidr: String(vpc.props.cidrBlock),
        privateSubnetCidrs: privateSubnets.map((s) => String(s.props.cidrBlock)),
        publicSubnetCidrs: subnetsTagged("kubernetes.io/role/elb").map((s) => String(s.props.cidrBlock)),
        // Unset, EKS picks 172.20.0.0/16 for a VPC in 10.0.0.0/8 (what the clusters got before it was set).
        serviceCidr: String(cluster.props.kubernetesServiceIpAddressRange ?? "172.20.0.0/16"),
    };
}

function modelOf(planned: PlannedStack): { model: NetworkModel; flows: Flow[] } {
    const facts = clusterFacts(planned.recorded);
    const network = platformNetwork(planned.config, facts);
    const policies = planned.recorded.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => policyFrom(p.props.metadata as { namespace: string; name: string }, p.props.spec as Record<string, unknown>));
    const namespaces = planned.recorded.ofType("kubernetes:core/v1:Namespace").map((n) => n.props.metadata as { name: string; labels?: Record<string, string> });
    return { model: new NetworkModel(policies, network.endpoints, network.services, { podsAndNodes: Addresses.of(...facts.privateSubnetCidrs) }, namespaces), flows: network.flows };
}

describe("the model follows the VPC CNI", () => {
    const subnets = ["10.20.0.0/19", "10.20.32.0/19"];
    const apiServer: Endpoint = { kind: "external", id: "apiServer", addresses: Addresses.of(...subnets), listens: [{ port: 443, protocol: "TCP" }] };
    const client: Endpoint = { kind: "pod", id: "app/client", namespace: "app", labels: { app: "client" }, listens: [] };
    const server: Endpoint = { kind: "pod", id: "db/server", namespace: "db", labels: { app: "server" }, listens: [{ port: 5432, protocol: "TCP" }] };
    const kubernetes: Service = { namespace: "default", name: "kubernetes", clusterIp: Addresses.of("172.20.0.1/32"), backend: "apiServer", ports: [{ port: 443, targetPort: 443, protocol: "TCP" }] };
    const db: Service = { namespace: "db", name: "db", clusterIp: Addresses.of("172.20.4.7/32"), selector: { app: "server" }, ports: [{ port: 5432, targetPort: 5432, protocol: "TCP" }] };
    const deny = (namespace: string) => policyFrom({ namespace, name: "deny" }, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const egress = (namespace: string, to: unknown[], port: number) => policyFrom({ namespace, name: `egress-${port}` }, { podSelector: {}, policyTypes: ["Egress"], egress: [{ to, ports: [{ port, protocol: "TCP" }] }] });
    const ingress = (namespace: string, from: unknown[], port: number) => policyFrom({ namespace, name: `ingress-${port}` }, { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from, ports: [{ port, protocol: "TCP" }] }] });
    const model = (...policies: ReturnType<typeof deny>[]) => new NetworkModel(policies, [apiServer, client, server], [kubernetes, db], { podsAndNodes: Addresses.of(...subnets) }, [{ name: "app" }, { name: "db" }]);
    const toApi: Flow = { from: "app/client", to: "apiServer", port: 443, why: "" };
    const toDb: Flow = { from: "app/client", to: "db/server", port: 5432, why: "" };

    it("an ipBlock of the VPC never matches the kubernetes Service's ClusterIP (the API server unreachable)", () => {
        expect(model(deny("app"), egress("app", [{ ipBlock: { cidr: "10.20.0.0/16" } }], 443)).evaluate(toApi)[0].verdicts.egress).toBe("never");
    });

    it("an ipBlock of the ClusterIP itself does", () => {
        expect(model(deny("app"), egress("app", [{ ipBlock: { cidr: "172.20.0.1/32" } }], 443)).evaluate(toApi)[0].verdicts.result).toBe("always");
    });

    it("a pod-selector peer covers the ClusterIP of a Service selecting those pods; both ends must allow", () => {
        const peer = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "db" } } }];
        const egressOnly = model(deny("app"), deny("db"), egress("app", peer, 5432)).evaluate(toDb)[0].verdicts;
        expect(egressOnly).toEqual({ egress: "always", ingress: "never", result: "never" });
        const both = model(deny("app"), deny("db"), egress("app", peer, 5432), ingress("db", [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "app" } } }], 5432));
        expect(both.evaluate(toDb)[0].verdicts.result).toBe("always");
    });

    it("an ipBlock covering part of where pods run allows them only sometimes", () => {
        const half = model(deny("app"), deny("db"), egress("app", [{ ipBlock: { cidr: "10.20.0.0/19" } }], 5432));
        expect(half.allowedConnections([]).filter((c) => c.to === "db/server").map((c) => c.verdict)).toEqual([]);
        const open = model(deny("app"), egress("app", [{ ipBlock: { cidr: "10.20.0.0/19" } }], 5432), ingress("db", [{ ipBlock: { cidr: "10.0.0.0/8" } }], 5432));
        expect(open.allowedConnections([]).find((c) => c.to === "db/server" && !c.via)?.verdict).toBe("sometimes");
    });
});

describe.each(listStacks(PROJECT_DIR))("traffic in the %s plan", (stack) => {
    let model: NetworkModel;
    let flows: Flow[];
    beforeAll(async () => {
        ({ model, flows } = modelOf(await planStackFile(stack)));
    }, 60_000);

    it("allows every flow the platform needs, always", () => {
        expect(flows.length).toBeGreaterThan(40);
        const broken = flows.flatMap((flow) =>
            model
                .evaluate(flow)
                .filter((r) => r.verdicts.result !== "always")
                .map((r) => `${r.from} -> ${flow.to}:${flow.port}/${flow.protocol ?? "TCP"} (${flow.why}): egress ${r.verdicts.egress}, ingress ${r.verdicts.ingress}`),
        );
        expect(broken).toEqual([]);
    });

    it("allows nothing the flows do not declare", () => {
        const extra = model
            .allowedConnections([])
            .filter((c) => !model.declares(flows, c.from, c.to, c.port, c.protocol))
            .map((c) => `${c.from} -> ${c.to}:${c.port}/${c.protocol}${c.via ? ` via ${c.via}` : ""} (${c.verdict})`);
        expect(model.allowedConnections([]).length).toBeGreaterThan(40);
        expect([...new Set(extra)]).toEqual([]);
    });
});

/** What load balancers and the internet may reach, checked on tenant pods (their only way in from outside the cluster's pods). */
const OUTSIDE_SOURCES = ["internalLoadBalancers", "internetFacingLoadBalancers", "internet"];

function undeclaredFromOutside(model: NetworkModel, flows: Flow[], namespaces: Set<string>): string[] {
    return model
        .allowedFromOutside(OUTSIDE_SOURCES, namespaces)
        .filter((c) => !flows.some((f) => f.from === c.from && f.to === c.to && f.port === c.port && (f.protocol ?? "TCP") === c.protocol))
        .map((c) => `${c.from} -> ${c.to}:${c.port}/${c.protocol} (${c.verdict})`);
}

describe.each(listStacks(PROJECT_DIR))("load balancers in the %s plan", (stack) => {
    let planned: PlannedStack;
    let model: NetworkModel;
    let flows: Flow[];
    beforeAll(async () => {
        planned = await planStackFile(stack);
        ({ model, flows } = modelOf(planned));
    }, 60_000);

    it("reach each tenant on exactly the ports its config exposes, per scheme, and nothing else from outside the cluster's pods", () => {
        const tenants = new Set(planned.config.tenants.map((t) => t.name));
        const exposed = planned.config.tenants.flatMap((t) => t.expose.map((e) => `${e.scheme === "internal" ? "internalLoadBalancers" : "internetFacingLoadBalancers"} -> ${t.name}/app:${e.port}`));
        expect(exposed.length).toBeGreaterThan(0);
        const reached = model.allowedFromOutside(OUTSIDE_SOURCES, tenants).map((c) => `${c.from} -> ${c.to}:${c.port}`);
        expect(reached.sort()).toEqual(exposed.sort());
        expect(undeclaredFromOutside(model, flows, tenants)).toEqual([]);
    });

    it("the internet reaches no pod of any namespace", () => {
        const all = new Set(planned.recorded.ofType("kubernetes:core/v1:Namespace").map((n) => (n.props.metadata as { name: string }).name));
        expect(model.allowedFromOutside(["internet"], all)).toEqual([]);
    });
});

describe("a tenant's exposure from config", () => {
    it("an internet-facing port is admitted from the public subnets only, an internal one from the private subnets only", async () => {
        const dev = rawConfig<Array<Record<string, unknown>>>("dev", "tenants");
        const shop = { name: "shop", owners: ["team-web"], internetFacing: true, expose: [{ port: 8443, scheme: "internet-facing" }, { port: 9000 }] };
        const { model, flows } = modelOf(await planStackFile("dev", { patch: { tenants: [...dev, shop] } }));
        const reached = model.allowedFromOutside(OUTSIDE_SOURCES, new Set(["shop"])).map((c) => `${c.from} -> ${c.port} (${c.verdict})`);
        expect(reached.sort()).toEqual(["internalLoadBalancers -> 9000 (always)", "internetFacingLoadBalancers -> 8443 (always)"]);
        expect(flows.flatMap((f) => model.evaluate(f)).filter((r) => r.verdicts.result !== "always")).toEqual([]);
        expect(model.allowedConnections([]).filter((c) => !model.declares(flows, c.from, c.to, c.port, c.protocol))).toEqual([]);
    }, 60_000);

    it("the check sees a rule that admits more than the exposed ports (the model is not blind to it)", () => {
        const subnets = ["10.20.0.0/19"];
        const lb: Endpoint = { kind: "external", id: "internalLoadBalancers", addresses: Addresses.of(...subnets), listens: [] };
        const app: Endpoint = { kind: "pod", id: "shop/app", namespace: "shop", labels: { app: "x" }, listens: "any" };
        const internet: Endpoint = { kind: "external", id: "internet", addresses: Addresses.of("8.8.8.0/24"), listens: "any" };
        const internetFacing: Endpoint = { kind: "external", id: "internetFacingLoadBalancers", addresses: Addresses.of("10.20.224.0/22"), listens: [] };
        const deny = policyFrom({ namespace: "shop", name: "deny" }, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const tooWide = policyFrom({ namespace: "shop", name: "wide" }, { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" } }], ports: [{ port: 9000, protocol: "TCP" }, { port: 5432, protocol: "TCP" }] }] });
        const model = new NetworkModel([deny, tooWide], [lb, app, internet, internetFacing], [], { podsAndNodes: Addresses.of(...subnets) }, [{ name: "shop" }]);
        const flows: Flow[] = [{ from: "internalLoadBalancers", to: "shop/app", port: 9000, why: "" }];
        expect(undeclaredFromOutside(model, flows, new Set(["shop"]))).toEqual([
            "internalLoadBalancers -> shop/app:5432/TCP (always)",
            "internetFacingLoadBalancers -> shop/app:9000/TCP (always)",
            "internetFacingLoadBalancers -> shop/app:5432/TCP (always)",
        ]);
    });
});

describe.each(listStacks(PROJECT_DIR))("NetworkPolicy names in the %s plan", (stack) => {
    it("say what they allow, never where the rule sat in a list (allow-egress-0)", async () => {
        const { recorded } = await planStackFile(stack);
        const names = recorded.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => `${(p.props.metadata as { namespace: string }).namespace}/${(p.props.metadata as { name: string }).name}`);
        expect(names.length).toBeGreaterThan(0);
        expect(names.filter((n) => /\/allow-(ingress|egress)-\d+$/.test(n))).toEqual([]);
    }, 60_000);
});

describe("tenant allows from config", () => {
    it("a new tenant scraped on an extra port from monitoring and reached over UDP by another tenant: every flow works, nothing more", async () => {
        const dev = rawConfig<Array<Record<string, unknown>>>("dev", "tenants");
        const batch = { name: "batch", owners: ["team-data"], allowIngressFrom: [{ namespace: "monitoring", ports: [9102] }, { namespace: "payments", ports: [5000], protocol: "UDP" }] };
        const { model, flows } = modelOf(await planStackFile("dev", { patch: { tenants: [...dev, batch] } }));
        expect(flows.filter((f) => f.to === "batch/app").map((f) => `${f.from}:${f.port}/${f.protocol ?? "TCP"}`).sort()).toEqual([
            "monitoring/prometheus:8080/TCP",
            "monitoring/prometheus:9102/TCP",
            "payments/app:5000/UDP",
        ]);
        expect(flows.flatMap((f) => model.evaluate(f)).filter((r) => r.verdicts.result !== "always")).toEqual([]);
        expect(model.allowedConnections([]).filter((c) => !model.declares(flows, c.from, c.to, c.port, c.protocol))).toEqual([]);
    }, 60_000);
});
