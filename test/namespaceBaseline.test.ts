import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parsePlatformConfig, type PlatformConfig } from "../config";
import { quantity } from "./support/quantity";
import { LockedNamespace, COREDNS, POD_IDENTITY_AGENT, type TrafficRule } from "../components/lockedNamespace";
import { evaluate } from "@marcbachmann/cel-js";
import { NamespaceBaseline, tenantLoadBalancerValidations } from "../components/namespaceBaseline";
import { addonConfiguration } from "../components/clusterAddons";
import { CONTAINER_DEFAULTS, monitoringScrapeRules, QUOTA_CLASSES } from "../components/tenantNamespace";
import { PROJECT_DIR } from "../plan/run";
import { loadStackConfig } from "../plan/stackConfig";
import { fakeClusterContext } from "./fixtures/cluster";
import { runComponent, type Recorded, type RecordedResource } from "./harness";
import { admit, type AdmissionRequest, type ValidatingAdmissionPolicyBindingSpec, type ValidatingAdmissionPolicySpec } from "./support/admission";
import { inNamespace, metadataOf, ofKind, plannedBaseline, STACKS } from "./support/baseline";

const NAME_LABEL = "kubernetes.io/metadata.name";
const TENANT_LABEL = "platform.eks.aws/tenant";
/** The tenant namespaces each committed stack file declares. */
const TENANTS: Record<(typeof STACKS)[number], string[]> = { dev: ["database", "payments"], prod: ["analytics", "database", "payments", "storefront"] };

type Peer = { namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] }; podSelector?: unknown; ipBlock?: { cidr: string; except?: string[] } };
type PolicyRule = { from?: Peer[]; to?: Peer[]; ports?: { port: number; protocol?: string }[] };
type PolicySpec = { podSelector?: Record<string, unknown>; policyTypes?: string[]; ingress?: PolicyRule[]; egress?: PolicyRule[] };
const specOf = (policy: RecordedResource) => (policy.props.spec ?? {}) as PolicySpec;

/** Every (direction, peer namespace, protocol, port) a namespace's NetworkPolicies open. */
function openings(policies: RecordedResource[]): string[] {
    const result: string[] = [];
    for (const policy of policies) {
        const spec = specOf(policy);
        for (const [direction, rules, side] of [
            ["ingress", spec.ingress ?? [], "from"],
            ["egress", spec.egress ?? [], "to"],
        ] as const) {
            for (const rule of rules) {
                for (const peer of rule[side] ?? []) {
                    const ns = peer.ipBlock ? `cidr:${peer.ipBlock.cidr}` : peer.namespaceSelector?.matchLabels?.[NAME_LABEL];
                    for (const port of rule.ports ?? []) result.push(`${direction} ${ns} ${port.protocol ?? "TCP"}/${port.port}`);
                }
            }
        }
    }
    return [...new Set(result)].sort();
}

/** Where load balancers of each scheme send from: the subnets of test/fixtures/cluster.ts. */
/** Where each stack's load balancers live (its private and public subnets), as its stack file and the derived defaults say. */
const LOAD_BALANCER_SUBNETS: Record<(typeof STACKS)[number], Record<"internal" | "internet-facing", string[]>> = {
    dev: { internal: ["10.20.0.0/19", "10.20.32.0/19"], "internet-facing": ["10.20.224.0/22", "10.20.228.0/22"] },
    prod: { internal: ["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"], "internet-facing": ["10.40.192.0/22", "10.40.196.0/22", "10.40.200.0/22"] },
};

/** What the config says each tenant namespace must open beyond DNS, and nothing else. */
function expectedOpenings(config: PlatformConfig, stack: (typeof STACKS)[number], tenant: string): string[] {
    const self = config.tenants.find((t) => t.name === tenant)!;
    const result = self.metricsPorts.map((port) => `ingress monitoring TCP/${port}`);
    for (const exposed of self.expose) for (const cidr of LOAD_BALANCER_SUBNETS[stack][exposed.scheme]) result.push(`ingress cidr:${cidr} TCP/${exposed.port}`);
    for (const allow of self.allowIngressFrom) for (const port of allow.ports) result.push(`ingress ${allow.namespace} ${allow.protocol}/${port}`);
    for (const other of config.tenants) {
        for (const allow of other.allowIngressFrom.filter((a) => a.namespace === tenant)) {
            for (const port of allow.ports) result.push(`egress ${other.name} ${allow.protocol}/${port}`);
        }
    }
    return [...new Set(result)].sort();
}

const isDns = (p: RecordedResource) => metadataOf(p).name === "allow-dns-to-coredns";
const isDeny = (p: RecordedResource) => metadataOf(p).name === "default-deny-all";

describe.each(STACKS)("namespace baseline, %s stack", (stack) => {
    let config: PlatformConfig;
    let recorded: Recorded;
    let plan: Recorded;
    beforeAll(async () => {
        ({ config, recorded, plan } = await plannedBaseline(stack));
    });

    it("registers no duplicate URNs and puts every Kubernetes object on the cluster's provider", () => {
        const urns = recorded.resources.map((r) => r.urn);
        expect(new Set(urns).size).toBe(urns.length);
        const provider = plan.one("pulumi:providers:kubernetes");
        expect(plan.ancestorsOf(provider).map((r) => r.type)).toContain("platform:index:Cluster");
        const objects = recorded.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        expect(objects.length).toBeGreaterThan(10);
        for (const r of objects) expect(r.provider, r.urn).toBe(provider.urn);
    });

    it("creates exactly one Namespace per tenant, with owners and tenant label", () => {
        const namespaces = ofKind(recorded, "Namespace");
        expect(namespaces.map((n) => metadataOf(n).name).sort()).toEqual(TENANTS[stack]);
        for (const tenant of config.tenants) {
            const meta = metadataOf(namespaces.find((n) => metadataOf(n).name === tenant.name)!);
            expect(meta.labels?.[TENANT_LABEL]).toBe(tenant.name);
            expect(meta.annotations?.["platform.eks.aws/owners"]).toBe(tenant.owners.join(","));
        }
        expect(metadataOf(namespaces.find((n) => metadataOf(n).name === "database")!).annotations?.["platform.eks.aws/owners"]).toBe("team-data");
    });

    it("every namespace enforces, audits and warns at restricted, version pinned", () => {
        for (const namespace of ofKind(recorded, "Namespace")) {
            const labels = metadataOf(namespace).labels ?? {};
            for (const mode of ["enforce", "audit", "warn"]) {
                expect(labels[`pod-security.kubernetes.io/${mode}`], `${metadataOf(namespace).name} ${mode}`).toBe("restricted");
                expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe("v1.33");
            }
        }
    });

    it("every namespace has the quota of its size, with every required resource", () => {
        for (const tenant of config.tenants) {
            const quotas = inNamespace(recorded, "ResourceQuota", tenant.name);
            expect(quotas, tenant.name).toHaveLength(1);
            const hard = (quotas[0].props.spec as { hard: Record<string, string> }).hard;
            expect(Object.keys(hard).sort()).toEqual(
                ["limits.cpu", "limits.memory", "persistentvolumeclaims", "pods", "requests.cpu", "requests.memory", "requests.storage", "services.loadbalancers"].sort(),
            );
            expect(hard).toEqual(QUOTA_CLASSES[tenant.quota].hard);
        }
    });

    it("every namespace has a LimitRange whose defaults fit under its max, and whose max fits the quota", () => {
        for (const tenant of config.tenants) {
            const ranges = inNamespace(recorded, "LimitRange", tenant.name);
            expect(ranges, tenant.name).toHaveLength(1);
            const limits = (ranges[0].props.spec as { limits: Record<string, Record<string, string>>[] }).limits;
            const container = limits.find((l) => (l.type as unknown) === "Container")!;
            expect(container, tenant.name).toBeDefined();
            const hard = QUOTA_CLASSES[tenant.quota].hard;
            for (const resource of ["cpu", "memory"] as const) {
                expect(quantity(container.defaultRequest[resource])).toBeGreaterThan(0);
                expect(quantity(container.defaultRequest[resource])).toBeLessThanOrEqual(quantity(container.default[resource]));
                expect(quantity(container.default[resource])).toBeLessThanOrEqual(quantity(container.max[resource]));
                expect(quantity(container.max[resource])).toBeLessThanOrEqual(quantity(hard[`limits.${resource}`]));
                // A default request bigger than the namespace's quota would make every defaulted pod unschedulable.
                expect(quantity(container.defaultRequest[resource])).toBeLessThanOrEqual(quantity(hard[`requests.${resource}`]));
            }
        }
    });

    it("every namespace has a default deny of all ingress and egress (all pods, no rules)", () => {
        for (const tenant of config.tenants) {
            const denies = inNamespace(recorded, "NetworkPolicy", tenant.name).filter(isDeny);
            expect(denies, tenant.name).toHaveLength(1);
            const spec = specOf(denies[0]);
            expect(spec.podSelector).toEqual({});
            expect([...(spec.policyTypes ?? [])].sort()).toEqual(["Egress", "Ingress"]);
            expect(spec.ingress).toBeUndefined();
            expect(spec.egress).toBeUndefined();
        }
    });

    it("every namespace allows DNS to CoreDNS on UDP and TCP 53, and nothing else in that policy", () => {
        for (const tenant of config.tenants) {
            const dns = inNamespace(recorded, "NetworkPolicy", tenant.name).filter(isDns);
            expect(dns, tenant.name).toHaveLength(1);
            expect(specOf(dns[0])).toEqual({
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ namespaceSelector: { matchLabels: { [NAME_LABEL]: "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                        ports: [
                            { port: 53, protocol: "UDP" },
                            { port: 53, protocol: "TCP" },
                        ],
                    },
                ],
            });
        }
    });

    it("opens exactly the configured allows: monitoring to metrics ports, declared ingress, and its egress half", () => {
        for (const tenant of config.tenants) {
            const allows = inNamespace(recorded, "NetworkPolicy", tenant.name).filter((p) => !isDns(p) && !isDeny(p));
            expect(openings(allows), tenant.name).toEqual(expectedOpenings(config, stack, tenant.name));
        }
        if (stack === "dev" || stack === "prod") {
            // The example from the issue, spelled out: in `database`, ingress from `payments` on TCP 5432.
            expect(openings(inNamespace(recorded, "NetworkPolicy", "database"))).toContain("ingress payments TCP/5432");
            expect(openings(inNamespace(recorded, "NetworkPolicy", "payments"))).toContain("egress database TCP/5432");
            expect(openings(inNamespace(recorded, "NetworkPolicy", "payments"))).not.toContain("ingress database TCP/5432");
        }
    });

    it("no NetworkPolicy is broader than it looks: every rule has peers and ports, every peer names one namespace or one load balancer subnet", () => {
        for (const policy of ofKind(recorded, "NetworkPolicy")) {
            const where = `${metadataOf(policy).namespace}/${metadataOf(policy).name}`;
            const spec = specOf(policy);
            expect(spec.podSelector, where).toBeDefined();
            const rules = [...(spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })), ...(spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }))];
            for (const rule of rules) {
                expect(rule.peers?.length ?? 0, `${where}: a rule without peers allows every source/destination`).toBeGreaterThan(0);
                expect(rule.ports?.length ?? 0, `${where}: a rule without ports allows every port`).toBeGreaterThan(0);
                for (const peer of rule.peers ?? []) {
                    if (peer.ipBlock) {
                        // Only the ingress of the load balancers a tenant exposes ports to, from the subnets they live in.
                        const scheme = /^allow-(internal|internet-facing)-load-balancers$/.exec(metadataOf(policy).name ?? "")?.[1] as "internal" | "internet-facing" | undefined;
                        expect(scheme, `${where}: tenants get no other CIDR peers`).toBeDefined();
                        expect(spec.egress ?? [], where).toEqual([]);
                        expect(LOAD_BALANCER_SUBNETS[stack][scheme!], where).toContain(peer.ipBlock.cidr);
                        expect(peer.ipBlock.except, where).toBeUndefined();
                        continue;
                    }
                    expect(peer.namespaceSelector?.matchExpressions, where).toBeUndefined();
                    expect(Object.keys(peer.namespaceSelector?.matchLabels ?? {}), `${where}: peer must select one namespace by name`).toEqual([NAME_LABEL]);
                }
                for (const port of rule.ports ?? []) expect(port.port, where).toBeGreaterThan(0);
            }
        }
    });

    it("the default ServiceAccount of every namespace mounts no token", () => {
        const patches = ofKind(recorded, "ServiceAccountPatch");
        for (const tenant of config.tenants) {
            const patch = patches.filter((p) => metadataOf(p).namespace === tenant.name);
            expect(patch, tenant.name).toHaveLength(1);
            expect(metadataOf(patch[0]).name).toBe("default");
            expect(patch[0].props.automountServiceAccountToken).toBe(false);
        }
    });

    it("every namespaced object waits for its Namespace", () => {
        const namespaces = ofKind(recorded, "Namespace");
        for (const tenant of config.tenants) {
            const namespace = namespaces.find((n) => metadataOf(n).name === tenant.name)!;
            const objects = recorded.resources.filter((r) => r.custom && metadataOf(r).namespace === tenant.name);
            expect(objects.length).toBeGreaterThan(5);
            for (const object of objects) expect(recorded.dependsOn(object, namespace), object.name).toBe(true);
        }
    });

    describe("tenant pods stay off the system nodes: the plan's admission policy, evaluated as the API server does (CEL)", () => {
        let policy: ValidatingAdmissionPolicySpec;
        let binding: ValidatingAdmissionPolicyBindingSpec;
        let systemTaint: { key: string; value: string; effect: string };
        const namespaceLabels = (name: string) => metadataOf(ofKind(recorded, "Namespace").find((n) => metadataOf(n).name === name)!).labels ?? {};
        const pod = (spec: Record<string, unknown>) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "app", namespace: "payments" }, spec: { containers: [{ name: "app", image: "app:1" }], ...spec } });
        const request = (spec: Record<string, unknown>, operation: AdmissionRequest["operation"] = "CREATE", namespace = "payments"): AdmissionRequest => ({
            operation,
            resource: { group: "", version: "v1", resource: "pods" },
            namespace,
            object: pod(spec),
            oldObject: operation === "UPDATE" ? pod(spec) : undefined,
        });
        const verdict = (spec: Record<string, unknown>, operation: AdmissionRequest["operation"] = "CREATE") => admit(policy, binding, namespaceLabels("payments"), request(spec, operation)).allowed;

        beforeAll(() => {
            const placement = recorded.one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "baseline-tenant-placement");
            policy = placement.props.spec as ValidatingAdmissionPolicySpec;
            binding = recorded.one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", "baseline-tenant-placement").props.spec as ValidatingAdmissionPolicyBindingSpec;
            expect(binding.policyName).toBe(metadataOf(placement).name);
            // The taint the plan puts on the system node group, in the form a Pod tolerates it.
            const taints = plan.ofType("eks:index:ManagedNodeGroup").flatMap((g) => (g.props.taints ?? []) as { key: string; value: string; effect: string }[]);
            expect(taints).toEqual([{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }]);
            systemTaint = { key: taints[0].key, value: taints[0].value, effect: "NoSchedule" };
        });

        it("fails closed and denies (not just warns) on every pod created or updated", () => {
            expect(policy.failurePolicy).toBe("Fail");
            expect(binding.validationActions).toEqual(["Deny"]);
            expect(policy.matchConstraints?.resourceRules).toEqual([{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] }]);
        });

        it("admits an ordinary pod, and one tolerating a taint of its own", () => {
            expect(verdict({}), "a pod without tolerations: denied").toBe(true);
            expect(verdict({ tolerations: [{ key: "team", operator: "Equal", value: "payments", effect: "NoSchedule" }] }), "its own taint: denied").toBe(true);
            expect(verdict({ tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }] }), "the default not-ready toleration: denied").toBe(true);
        });

        it("denies a toleration of the system taint, however it is written", () => {
            expect(verdict({ tolerations: [{ ...systemTaint, operator: "Equal" }] }), "the system taint, Equal: admitted").toBe(false);
            expect(verdict({ tolerations: [{ key: systemTaint.key, operator: "Exists" }] }), "the system taint, Exists: admitted").toBe(false);
            expect(verdict({ tolerations: [{ key: "team", operator: "Equal", value: "payments" }, { key: systemTaint.key, operator: "Exists", effect: "NoSchedule" }] }), "the system taint second: admitted").toBe(false);
        });

        it("denies a toleration of every taint: operator Exists with no key, or with an empty key", () => {
            expect(verdict({ tolerations: [{ operator: "Exists" }] }), "operator Exists, no key: admitted").toBe(false);
            expect(verdict({ tolerations: [{ key: "", operator: "Exists" }] }), "operator Exists, empty key: admitted").toBe(false);
            expect(verdict({ tolerations: [{ operator: "Exists", effect: "NoSchedule" }] }), "every NoSchedule taint: admitted").toBe(false);
        });

        it("denies bypassing the scheduler with spec.nodeName at creation; a bound pod can still be updated", () => {
            expect(verdict({ nodeName: "ip-10-20-1-1.eu-west-1.compute.internal" }), "nodeName at creation: admitted").toBe(false);
            expect(verdict({ nodeName: "ip-10-20-1-1.eu-west-1.compute.internal" }, "UPDATE"), "an update of a bound pod: denied").toBe(true);
        });

        it("applies to every tenant namespace and to no other (system pods do tolerate the taint)", () => {
            const everyTaint = { tolerations: [{ operator: "Exists" }] };
            for (const tenant of TENANTS[stack]) expect(admit(policy, binding, namespaceLabels(tenant), request(everyTaint, "CREATE", tenant)).allowed, tenant).toBe(false);
            expect(admit(policy, binding, { [NAME_LABEL]: "kube-system" }, request(everyTaint, "CREATE", "kube-system")).allowed).toBe(true);
            const karpenter = metadataOf(plan.ofType("kubernetes:core/v1:Namespace").find((n) => metadataOf(n).name === "karpenter")!).labels ?? {};
            expect(admit(policy, binding, karpenter, request(everyTaint, "CREATE", "karpenter")).allowed).toBe(true);
        });
    });

    it("tenant Services and Ingresses are judged at admission too, in every tenant namespace; only allowed tenants carry the internet-facing label", () => {
        const policy = recorded.one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "baseline-tenant-load-balancers");
        const spec = policy.props.spec as { failurePolicy: string; matchConstraints: { resourceRules: { resources: string[] }[] } };
        expect(spec.failurePolicy).toBe("Fail");
        expect(spec.matchConstraints.resourceRules.map((r) => r.resources)).toEqual([["services"], ["ingresses"]]);
        const binding = recorded.one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", "baseline-tenant-load-balancers");
        expect(binding.props.spec).toEqual({
            policyName: "platform-tenant-load-balancers",
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] } },
        });
        for (const tenant of config.tenants) {
            const labels = metadataOf(ofKind(recorded, "Namespace").find((n) => metadataOf(n).name === tenant.name)!).labels ?? {};
            expect(labels["platform.eks.aws/internet-facing"], tenant.name).toBe(tenant.internetFacing ? "allowed" : undefined);
            expect(labels["elbv2.k8s.aws/pod-readiness-gate-inject"], tenant.name).toBe(tenant.expose.length > 0 ? "enabled" : undefined);
        }
    });

    it("creates no PodDisruptionBudget while CoreDNS's managed add-on brings its own", () => {
        expect(ofKind(recorded, "PodDisruptionBudget")).toEqual([]);
    });
});

describe("CoreDNS disruption budget (when CoreDNS is not the managed add-on)", () => {
    /** The pod template labels of the CoreDNS Deployment EKS installs (kube-system/coredns). */
    const COREDNS_POD_LABELS = { "k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns" };
    let recorded: Recorded;
    beforeAll(async () => {
        // The program never sets this option today (the managed add-on brings its own budget): the component alone.
        ({ recorded } = await runComponent(() => new NamespaceBaseline("baseline", { cluster: fakeClusterContext(), tenants: [], developerExec: false, coreDnsDisruptionBudget: true })));
    });

    it("selects the CoreDNS pods in kube-system and allows one disruption at a time", () => {
        const budgets = ofKind(recorded, "PodDisruptionBudget");
        expect(budgets).toHaveLength(1);
        const budget = budgets[0];
        expect(metadataOf(budget).namespace).toBe("kube-system");
        const spec = budget.props.spec as { maxUnavailable?: number | string; minAvailable?: unknown; selector: { matchLabels: Record<string, string>; matchExpressions?: unknown } };
        expect(spec.minAvailable).toBeUndefined();
        expect(spec.maxUnavailable).toBe(1);
        expect(Object.keys(spec.selector.matchLabels).length).toBeGreaterThan(0);
        expect(spec.selector.matchExpressions).toBeUndefined();
        for (const [key, value] of Object.entries(spec.selector.matchLabels)) expect(COREDNS_POD_LABELS).toHaveProperty(key, value);
        // The DNS allow of every namespace reaches the same pods.
        expect(COREDNS.podLabels).toEqual(spec.selector.matchLabels);
    });
});

describe("config errors", () => {
    it("an allow from an unknown namespace is a clear error naming the key, the value and the known namespaces", () => {
        const source = loadStackConfig(PROJECT_DIR, "prod");
        const tenants = JSON.parse(source.values["eks-platform:tenants"]);
        tenants[1].allowIngressFrom = [{ namespace: "payment", ports: [5432] }];
        const broken = { ...source, values: { ...source.values, "eks-platform:tenants": JSON.stringify(tenants) } };
        expect(() => parsePlatformConfig(broken)).toThrow(ConfigError);
        expect(() => parsePlatformConfig(broken)).toThrow(
            'eks-platform:tenants[1].allowIngressFrom[0].namespace = "payment": "payment" is not a tenant namespace of this stack (known: payments, database, storefront, analytics, monitoring)',
        );
    });
});

describe("LockedNamespace (platform namespaces use it too)", () => {
    const rule = (overrides: Partial<TrafficRule>): TrafficRule => ({ name: "allow-test", description: "test", direction: "egress", peer: { kind: "awsApis" }, ports: [{ port: 443 }], ...overrides });

    it("refuses a rule without ports (that would open every port), a bad peer namespace and a duplicate name", async () => {
        const build = (rules: TrafficRule[]) => () => new LockedNamespace("ns", { cluster: fakeClusterContext(), name: "karpenter", podSecurity: "restricted", rules });
        await expect(runComponent(build([rule({ ports: [] })]))).rejects.toThrow(/needs at least one port/);
        await expect(runComponent(build([rule({ peer: { kind: "namespace", namespace: "Not_A_Namespace" } })]))).rejects.toThrow(/not a namespace name/);
        await expect(runComponent(build([rule({ name: "x" }), rule({ name: "x" })]))).rejects.toThrow(/used twice/);
        await expect(runComponent(build([rule({ podLabels: {} })]))).rejects.toThrow(/empty podLabels/);
        await expect(runComponent(build([rule({ name: "allow-egress-0" })]))).rejects.toThrow(/says where the rule is, not what it allows/);
    });

    it("needs a written exception below restricted, and records it", async () => {
        const cluster = () => fakeClusterContext();
        await expect(runComponent(() => new LockedNamespace("ns", { cluster: cluster(), name: "monitoring-host", podSecurity: "privileged", rules: [] }))).rejects.toThrow(/podSecurityException/);
        const { recorded } = await runComponent(
            () => new LockedNamespace("ns", { cluster: cluster(), name: "monitoring-host", podSecurity: "privileged", podSecurityException: "node-exporter needs hostNetwork, hostPID and hostPath", rules: [] }),
        );
        const namespace = ofKind(recorded, "Namespace")[0];
        expect(metadataOf(namespace).labels?.["pod-security.kubernetes.io/enforce"]).toBe("privileged");
        expect(metadataOf(namespace).annotations?.["platform.eks.aws/pod-security-exception"]).toMatch(/hostNetwork/);
    });

    it("patches the default ServiceAccount, keeps Pod Security labels over caller labels, and reaches the Pod Identity agent", async () => {
        const { recorded } = await runComponent(() => {
            new LockedNamespace("ns", {
                cluster: fakeClusterContext(),
                name: "external-secrets",
                podSecurity: "restricted",
                labels: { "pod-security.kubernetes.io/enforce": "privileged", team: "platform" },
                rules: [rule({ name: "allow-pod-identity", peer: { kind: "podIdentityAgent" }, ports: [{ port: POD_IDENTITY_AGENT.port }] })],
            });
        });
        const namespace = ofKind(recorded, "Namespace")[0];
        expect(metadataOf(namespace).labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted", team: "platform" });
        const patch = recorded.one("kubernetes:core/v1:ServiceAccountPatch");
        expect(patch.props).toMatchObject({ metadata: { name: "default", namespace: "external-secrets" }, automountServiceAccountToken: false });
        // Quota and limits are opt-in for platform namespaces (charts size their own pods).
        expect(ofKind(recorded, "ResourceQuota")).toEqual([]);
        const allow = ofKind(recorded, "NetworkPolicy").find((p) => metadataOf(p).name === "allow-pod-identity")!;
        expect(specOf(allow).egress).toEqual([{ to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ port: 80, protocol: "TCP" }] }]);
    });
});

describe("monitoring scrape egress (for the monitoring add-on's namespace)", () => {
    it("covers every tenant's metrics ports and allows declared from monitoring, nothing more", () => {
        const config = parsePlatformConfig(loadStackConfig(PROJECT_DIR, "prod"));
        const tenants = [...config.tenants, { name: "batch", owners: ["x"], quota: "small" as const, metricsPorts: [], allowIngressFrom: [{ namespace: "monitoring", ports: [9100], protocol: "TCP" as const }], internetFacing: false, expose: [] }];
        const rules = monitoringScrapeRules(tenants);
        const opened = rules.flatMap((r) => r.ports.map((p) => `${r.direction} ${(r.peer as { namespace: string }).namespace} ${p.protocol}/${p.port}`)).sort();
        const expected = [
            ...config.tenants.flatMap((t) => t.metricsPorts.map((p) => `egress ${t.name} TCP/${p}`)),
            "egress batch TCP/9100",
        ].sort();
        expect(opened).toEqual(expected);
        expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
    });
});

describe("docs/tenants.md", () => {
    const doc = readFileSync(join(PROJECT_DIR, "docs", "tenants.md"), "utf8");

    it("shows the quota table the code applies", () => {
        const rows = doc.split("\n").filter((line) => /^\| `[a-z. ]+` \|/.test(line));
        const table = Object.fromEntries(rows.map((line) => {
            const cells = line.split("|").slice(1, -1).map((c) => c.trim().replace(/`/g, ""));
            return [cells[0], cells.slice(1)];
        }));
        const sizes = ["small", "medium", "large"] as const;
        for (const [key] of Object.entries(QUOTA_CLASSES.small.hard)) {
            expect(table[key], `row ${key}`).toEqual(sizes.map((s) => QUOTA_CLASSES[s].hard[key as keyof (typeof QUOTA_CLASSES)["small"]["hard"]]));
        }
        expect(table["container max cpu"]).toEqual(sizes.map((s) => QUOTA_CLASSES[s].containerMax.cpu));
        expect(table["container max memory"]).toEqual(sizes.map((s) => QUOTA_CLASSES[s].containerMax.memory));
        expect(doc).toContain(`\`${CONTAINER_DEFAULTS.defaultRequest.cpu}\``);
        expect(doc).toContain(`\`${CONTAINER_DEFAULTS.default.memory}\``);
    });
});

describe("CoreDNS's disruption budget comes from the managed add-on", () => {
    it.each([true, false])("highAvailability=%s: the add-on's PDB is on, allows one disruption, and CoreDNS is replicated", (ha) => {
        const values = addonConfiguration.coredns(ha) as { replicaCount: number; podDisruptionBudget: { enabled: boolean; maxUnavailable?: number; minAvailable?: unknown } };
        expect(values.replicaCount).toBeGreaterThan(1);
        expect(values.podDisruptionBudget.enabled).toBe(true);
        expect(values.podDisruptionBudget.maxUnavailable).toBeGreaterThanOrEqual(1);
        expect(values.podDisruptionBudget.minAvailable).toBeUndefined();
    });
});

describe("tenant load balancers at admission (CEL, evaluated as the API server would)", () => {
    const namespace = (allowed: boolean) => ({ metadata: { name: "shop", labels: { "platform.eks.aws/tenant": "shop", ...(allowed ? { "platform.eks.aws/internet-facing": "allowed" } : {}) } } });
    const service = (annotations: Record<string, string>, spec: Record<string, unknown> = { type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb" }) => ({ kind: "Service", metadata: { name: "s", annotations }, spec });
    const ingress = (annotations: Record<string, string>, spec: Record<string, unknown> = {}) => ({ kind: "Ingress", metadata: { name: "i", annotations }, spec });
    /** The messages of the validations that refuse the object. */
    const refused = (object: object, allowed = false, operation = "CREATE") =>
        tenantLoadBalancerValidations()
            .filter((v) => evaluate(v.expression, { object, namespaceObject: namespace(allowed), request: { operation } }) !== true)
            .map((v) => v.message.split(":")[0]);

    it("admits internal load balancers and ClusterIP Services anywhere", () => {
        expect(refused(service({}))).toEqual([]);
        expect(refused(service({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }))).toEqual([]);
        expect(refused(service({}, { type: "ClusterIP" }))).toEqual([]);
        expect(refused(ingress({}, { ingressClassName: "alb" }))).toEqual([]);
        expect(refused({ kind: "Service", metadata: { name: "bare" }, spec: { type: "ClusterIP" } })).toEqual([]);
    });

    it("refuses a Classic Load Balancer at creation, and leaves an existing class-less Service updatable", () => {
        expect(refused(service({}, { type: "LoadBalancer" }))).toEqual(["A LoadBalancer Service gets a Network Load Balancer from the AWS Load Balancer Controller"]);
        expect(refused(service({}, { type: "LoadBalancer" }), false, "UPDATE")).toEqual([]);
    });

    it("refuses internet-facing Services and Ingresses in a namespace not allowed, admits them in an allowed one", () => {
        const publicService = service({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" });
        const publicIngress = ingress({}, { ingressClassName: "alb-internet-facing" });
        const annotated = ingress({ "alb.ingress.kubernetes.io/scheme": "internet-facing" });
        for (const object of [publicService, publicIngress, annotated]) {
            expect(refused(object), JSON.stringify(object)).toEqual(["This namespace may not expose internet-facing load balancers (tenants[].internetFacing)"]);
            expect(refused(object, true), JSON.stringify(object)).toEqual([]);
        }
    });
});
