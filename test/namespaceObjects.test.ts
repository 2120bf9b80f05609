/**
 * The objects of the platform's namespaces, spelled out: what the API server would be sent for
 * the add-on and tenant namespaces of the committed stack files (names, quotas, limits, the
 * annotations operators read), the admission policies that guard tenant namespaces, the
 * NetworkPolicy names of tenants whose names are long, and the errors LockedNamespace gives for
 * rules that would be broader than they look. Expected values are literals: a changed name or
 * quantity is a replaced or rejected object on the next `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { LockedNamespace, type TrafficRule } from "../components/lockedNamespace";
import { NamespaceBaseline } from "../components/namespaceBaseline";
import { TenantNamespace } from "../components/tenantNamespace";
import type { TenantConfig } from "../config/tenants";
import { fakeClusterContext } from "./fixtures/cluster";
import { planStackFile, rawConfig } from "./fixtures/stacks";
import { Recorded, runComponent, type RecordedResource } from "./harness";
import { admit, type ValidatingAdmissionPolicyBindingSpec, type ValidatingAdmissionPolicySpec } from "./support/admission";
import { inNamespace, metadataOf, ofKind, plannedBaseline } from "./support/baseline";

const PART_OF_PLATFORM = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "eks-platform" };
const RESTRICTED_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "v1.33",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/audit-version": "v1.33",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/warn-version": "v1.33",
};
/** The guard rails of every add-on namespace sized by the default container max (2 CPU, 2Gi). */
const ADDON_CONTAINER_LIMITS = [{ type: "Container", defaultRequest: { cpu: "50m", memory: "64Mi" }, default: { cpu: "200m", memory: "256Mi" }, max: { cpu: "2", memory: "2Gi" } }];

/** The promise rejections nobody handles while `work` runs (Node's language host fails the program on them). */
async function unhandledRejectionsOf(work: () => Promise<unknown>): Promise<string[]> {
    const others = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const caught: string[] = [];
    process.on("unhandledRejection", (reason) => {
        caught.push(reason instanceof Error ? reason.message : String(reason));
    });
    try {
        await work();
        await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
        process.removeAllListeners("unhandledRejection");
        for (const listener of others) process.on("unhandledRejection", listener);
    }
    return caught;
}

const oneIn = (recorded: Recorded, kind: string, namespace: string, name: string): RecordedResource => {
    const found = inNamespace(recorded, kind, namespace).filter((r) => metadataOf(r).name === name);
    expect(found, `${kind} ${namespace}/${name}`).toHaveLength(1);
    return found[0];
};

describe("add-on namespaces of the dev plan", () => {
    let plan: Recorded;
    beforeAll(async () => {
        ({ plan } = await plannedBaseline("dev"));
    }, 60_000);

    it("karpenter's Namespace carries its Pod Security labels and nothing else (no empty annotations map)", () => {
        const namespace = plan.ofType("kubernetes:core/v1:Namespace").find((n) => metadataOf(n).name === "karpenter")!;
        expect(namespace.props.metadata).toStrictEqual({ name: "karpenter", labels: RESTRICTED_LABELS });
    });

    it("an add-on namespace may create no load balancer and no NodePort: its quota says 0, with the add-on's CPU, memory and pod caps", () => {
        expect(oneIn(plan, "ResourceQuota", "karpenter", "resource-quota").props.spec).toStrictEqual({
            hard: { "requests.cpu": "4", "requests.memory": "4Gi", "limits.cpu": "4", "limits.memory": "4Gi", pods: "10", "services.loadbalancers": "0", "services.nodeports": "0" },
        });
        for (const namespace of ["external-secrets", "monitoring", "velero", "trivy-system", "aws-load-balancer-controller", "monitoring-host"]) {
            const hard = (oneIn(plan, "ResourceQuota", namespace, "resource-quota").props.spec as { hard: Record<string, string> }).hard;
            expect({ loadBalancers: hard["services.loadbalancers"], nodePorts: hard["services.nodeports"] }, namespace).toEqual({ loadBalancers: "0", nodePorts: "0" });
        }
    });

    it("a container an add-on chart leaves unsized gets 50m/64Mi requested, 200m/256Mi limits, and none may exceed 2 CPU / 2Gi", () => {
        for (const namespace of ["karpenter", "external-secrets", "velero", "trivy-system", "aws-load-balancer-controller"]) {
            expect(oneIn(plan, "LimitRange", namespace, "container-limits").props.spec, namespace).toStrictEqual({ limits: ADDON_CONTAINER_LIMITS });
        }
    });

    it("Prometheus reaches only the CoreDNS pods of kube-system, on the metrics port", () => {
        const policy = oneIn(plan, "NetworkPolicy", "monitoring", "allow-scrape-coredns");
        const spec = policy.props.spec as { egress: unknown[] };
        expect(spec.egress).toStrictEqual([
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ port: 9153, protocol: "TCP" }],
            },
        ]);
    });
});

describe("tenant namespaces of the prod plan", () => {
    let recorded: Recorded;
    beforeAll(async () => {
        ({ recorded } = await plannedBaseline("prod"));
    }, 60_000);

    it("each allow says why it exists, in the annotation operators read (kubectl describe networkpolicy)", () => {
        const description = (namespace: string, name: string) => metadataOf(oneIn(recorded, "NetworkPolicy", namespace, name)).annotations;
        expect(description("payments", "allow-internal-load-balancers")).toStrictEqual({
            "platform.eks.aws/description": "config: internal load balancers (target type ip, from the private subnets) -> payments on TCP 9898",
        });
        expect(description("storefront", "allow-internet-facing-load-balancers")).toStrictEqual({
            "platform.eks.aws/description": "config: internet-facing load balancers (target type ip, from the public subnets) -> storefront on TCP 8443",
        });
        expect(description("database", "allow-ingress-from-payments")).toStrictEqual({ "platform.eks.aws/description": "config: payments -> database on TCP 5432" });
        expect(description("payments", "allow-metrics-from-monitoring")).toStrictEqual({ "platform.eks.aws/description": "Prometheus in monitoring scrapes metrics ports 8080, 9090" });
    });

    it("names the quota and the LimitRange of every tenant as docs/tenants.md does", () => {
        for (const tenant of ["payments", "database", "storefront", "analytics"]) {
            expect(inNamespace(recorded, "ResourceQuota", tenant).map((q) => metadataOf(q).name), tenant).toEqual(["resource-quota"]);
            expect(inNamespace(recorded, "LimitRange", tenant).map((l) => metadataOf(l).name), tenant).toEqual(["container-limits"]);
        }
    });

    it("binds the developer and CI groups to the Roles named platform-developer and platform-ci-deployer, Roles of the same namespace", () => {
        for (const tenant of ["payments", "database", "storefront", "analytics"]) {
            const roles = inNamespace(recorded, "Role", tenant).map((r) => metadataOf(r).name).sort();
            expect(roles, tenant).toEqual(["platform-ci-deployer", "platform-developer"]);
            for (const binding of inNamespace(recorded, "RoleBinding", tenant)) {
                const roleRef = binding.props.roleRef as { kind: string; name: string };
                expect(roleRef.kind).toBe("Role");
                expect(roles, `${tenant}/${metadataOf(binding).name}`).toContain(roleRef.name);
            }
        }
    });

    describe("the admission policies that guard tenant namespaces", () => {
        const policyOf = (name: string) => recorded.one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", name);
        const bindingOf = (name: string) => recorded.one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", name);

        it("are named, labelled as the platform's, and each binding names its policy and waits for it", () => {
            for (const [resource, name] of [
                ["baseline-tenant-placement", "platform-tenant-pods-off-system-nodes"],
                ["baseline-tenant-load-balancers", "platform-tenant-load-balancers"],
            ]) {
                const policy = policyOf(resource);
                const binding = bindingOf(resource);
                expect(metadataOf(policy)).toStrictEqual({ name, labels: PART_OF_PLATFORM });
                expect(metadataOf(binding)).toStrictEqual({ name, labels: PART_OF_PLATFORM });
                expect((binding.props.spec as { policyName: string }).policyName).toBe(metadataOf(policy).name);
                expect(recorded.dependsOn(binding, policy), resource).toBe(true);
            }
        });

        it("match pods, Services (core group) and Ingresses (networking.k8s.io) at creation and update", () => {
            const rules = (resource: string) => (policyOf(resource).props.spec as ValidatingAdmissionPolicySpec).matchConstraints?.resourceRules;
            const rule = (group: string, resource: string) => ({ apiGroups: [group], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: [resource] });
            expect(rules("baseline-tenant-placement")).toStrictEqual([rule("", "pods")]);
            expect(rules("baseline-tenant-load-balancers")).toStrictEqual([rule("", "services"), rule("networking.k8s.io", "ingresses")]);
        });

        it("tell a denied tenant why, naming the system taint", () => {
            const policy = policyOf("baseline-tenant-placement").props.spec as ValidatingAdmissionPolicySpec;
            const binding = bindingOf("baseline-tenant-placement").props.spec as ValidatingAdmissionPolicyBindingSpec;
            const labels = metadataOf(ofKind(recorded, "Namespace").find((n) => metadataOf(n).name === "payments")!).labels ?? {};
            const verdict = (spec: Record<string, unknown>) =>
                admit(policy, binding, labels, {
                    operation: "CREATE",
                    resource: { group: "", version: "v1", resource: "pods" },
                    namespace: "payments",
                    object: { apiVersion: "v1", kind: "Pod", metadata: { name: "app", namespace: "payments" }, spec: { containers: [{ name: "app", image: "app:1" }], ...spec } },
                });
            expect(verdict({ tolerations: [{ operator: "Exists" }], nodeName: "ip-10-40-1-1.eu-west-1.compute.internal" })).toStrictEqual({
                allowed: false,
                reasons: [
                    "Tenant pods may not tolerate the system node taint CriticalAddonsOnly or every taint: they run on application nodes.",
                    "Tenant pods may not set spec.nodeName: the scheduler places them on application nodes.",
                ],
            });
        });
    });
});

describe("tenants with long names and without metrics ports (dev plan, tenants patched)", () => {
    /** 63 characters, a double dash where the NetworkPolicy names built from it are cut. */
    const LEDGER = "emea-card-settlement-and-clearing--reconciliation-payout-ledger";
    /** 43 characters: `allow-scrape-tenant-` and it make exactly 63. */
    const ONBOARDING = "merchant-onboarding-kyc-document-processing";
    /**
     * The patched plan, awaited by each test: a program that refuses to plan fails the tests
     * themselves (named in the output), not only the hook.
     */
    let planned: Promise<{ recorded: Recorded; plan: Recorded }>;
    beforeAll(() => {
        const tenants = [
            ...rawConfig<object[]>("dev", "tenants"),
            { name: LEDGER, owners: ["team-ledger"], metricsPorts: [] },
            {
                name: ONBOARDING,
                owners: ["team-onboarding"],
                metricsPorts: [9102],
                allowIngressFrom: [
                    { namespace: LEDGER, ports: [8443] },
                    { namespace: LEDGER, ports: [53], protocol: "UDP" },
                ],
            },
        ];
        planned = planStackFile("dev", { patch: { tenants } }).then(({ recorded: plan }) => {
            const baseline = plan.one("platform:index:NamespaceBaseline");
            return { plan, recorded: new Recorded([baseline, ...plan.descendantsOf(baseline)]) };
        });
        planned.catch(() => undefined);
    });

    const policyNames = (from: Recorded, namespace: string) => inNamespace(from, "NetworkPolicy", namespace).map((p) => metadataOf(p).name).sort();

    it("every NetworkPolicy name is a DNS label of at most 63 characters, kept whole when it fits and shortened with a stable hash when not", async () => {
        const { recorded, plan } = await planned;
        expect(policyNames(recorded, ONBOARDING)).toEqual([
            "allow-dns-to-coredns",
            "allow-ingress-from-emea-card-settlement-and-clearing-093da44b",
            "allow-ingress-from-emea-card-settlement-and-clearing-4e8050c6",
            "allow-metrics-from-monitoring",
            "default-deny-all",
        ]);
        expect(policyNames(recorded, LEDGER)).toEqual([
            "allow-dns-to-coredns",
            "allow-egress-to-merchant-onboarding-kyc-document-processing",
            "allow-egress-to-merchant-onboarding-kyc-document-processing-2",
            "default-deny-all",
        ]);
        expect(policyNames(plan, "monitoring").filter((name) => name!.startsWith("allow-scrape-tenant-"))).toEqual([
            "allow-scrape-tenant-database",
            "allow-scrape-tenant-merchant-onboarding-kyc-document-processing",
            "allow-scrape-tenant-payments",
        ]);
    }, 60_000);

    it("a tenant without metrics ports gets no monitoring allow, and monitoring gets no scrape rule towards it", async () => {
        const { recorded, plan } = await planned;
        const ledgerPolicies = inNamespace(recorded, "NetworkPolicy", LEDGER);
        const fromMonitoring = ledgerPolicies.filter((p) => JSON.stringify(p.props.spec).includes('"kubernetes.io/metadata.name":"monitoring"'));
        expect(fromMonitoring).toEqual([]);
        const towardsLedger = inNamespace(plan, "NetworkPolicy", "monitoring").filter((p) => JSON.stringify(p.props.spec).includes(LEDGER));
        expect(towardsLedger).toEqual([]);
    }, 60_000);
});

describe("TenantNamespace refuses what config validation would have refused", () => {
    it("names the tenant and the quota size it does not know", async () => {
        const tenant = { name: "shop", owners: ["team-shop"], quota: "huge", allowIngressFrom: [], metricsPorts: [8080], internetFacing: false, expose: [] } as unknown as TenantConfig;
        await expect(runComponent(() => new TenantNamespace("tenant-shop", { cluster: fakeClusterContext(), tenant, egressTo: [], developerExec: false }))).rejects.toThrow(
            'tenant shop: unknown quota size "huge"',
        );
    });
});

describe("CoreDNS's disruption budget object (when the program creates it)", () => {
    it("is kube-system/coredns, labelled as the platform's", async () => {
        const { recorded } = await runComponent(() => new NamespaceBaseline("baseline", { cluster: fakeClusterContext(), tenants: [], developerExec: false, coreDnsDisruptionBudget: true }));
        expect(metadataOf(recorded.one("kubernetes:policy/v1:PodDisruptionBudget"))).toStrictEqual({ name: "coredns", namespace: "kube-system", labels: PART_OF_PLATFORM });
    });
});

describe("LockedNamespace refuses, with a clear error, what would be broader than it looks or rejected by the API server", () => {
    const rule = (overrides: Partial<TrafficRule>): TrafficRule => ({ name: "allow-test", description: "why", direction: "egress", peer: { kind: "awsApis" }, ports: [{ port: 443 }], ...overrides });
    const build = (rules: TrafficRule[], name = "karpenter") => () => new LockedNamespace("ns", { cluster: fakeClusterContext(), name, podSecurity: "restricted", rules });
    const refused = (rules: TrafficRule[], name?: string) => expect(runComponent(build(rules, name))).rejects;
    const accepted = async (rules: TrafficRule[], name?: string) => {
        const { recorded } = await runComponent(build(rules, name));
        return recorded;
    };

    it("a namespace name that is not a DNS label", async () => {
        await refused([], "payments-").toThrow('namespace payments-: "payments-" is not a DNS label');
        await refused([], "Payments").toThrow('"Payments" is not a DNS label');
        await refused([], "a".repeat(64)).toThrow(`"${"a".repeat(64)}" is not a DNS label`);
        expect(ofKind(await accepted([], "a"), "Namespace")).toHaveLength(1);
        expect(ofKind(await accepted([], "a".repeat(63)), "Namespace")).toHaveLength(1);
    });

    it("a port outside 1-65535 (the API server rejects it; the rule's neighbours would apply without it)", async () => {
        await refused([rule({ ports: [{ port: 0 }] })]).toThrow("namespace karpenter: rule 0 (why): port 0 is not 1-65535");
        await refused([rule({ ports: [{ port: 443 }, { port: 65536 }] })]).toThrow("rule 0 (why): port 65536 is not 1-65535");
        await refused([rule({ ports: [{ port: 8443.5 }] })]).toThrow("rule 0 (why): port 8443.5 is not 1-65535");
        const open = await accepted([rule({ ports: [{ port: 1 }, { port: 65535 }] })]);
        const policy = ofKind(open, "NetworkPolicy").find((p) => metadataOf(p).name === "allow-test")!;
        expect((policy.props.spec as { egress: { ports: unknown[] }[] }).egress[0].ports).toStrictEqual([
            { port: 1, protocol: "TCP" },
            { port: 65535, protocol: "TCP" },
        ]);
    });

    it("an empty peer pod selector (it would select every pod of the peer namespace)", async () => {
        await refused([rule({ peer: { kind: "namespace", namespace: "monitoring", podLabels: {} } })]).toThrow(
            "rule 0 (why): empty peer podLabels; omit it to mean every pod of the namespace",
        );
    });

    it("a NetworkPolicy name that is not a DNS label, or that says where the rule is rather than what it allows", async () => {
        await refused([rule({ name: "Allow_DB" })]).toThrow('rule 0 (why): name "Allow_DB" is not a DNS label');
        await refused([rule({ name: "allow-egress-10" })]).toThrow('rule 0 (why): name "allow-egress-10" says where the rule is, not what it allows');
        const named = await accepted([rule({ name: "allow-egress-443-to-aws" }), rule({ name: "alb-allow-ingress-8443", direction: "ingress" })]);
        expect(ofKind(named, "NetworkPolicy").map((p) => metadataOf(p).name).sort()).toEqual(["alb-allow-ingress-8443", "allow-dns-to-coredns", "allow-egress-443-to-aws", "default-deny-all"]);
    });

    it("a rule named like the default deny or the DNS allow (it would take over that object)", async () => {
        await refused([rule({ name: "default-deny-all" })]).toThrow('rule 0 (why): NetworkPolicy name "default-deny-all" is used twice');
        await refused([rule({ name: "allow-dns-to-coredns" })]).toThrow('rule 0 (why): NetworkPolicy name "allow-dns-to-coredns" is used twice');
    });

    it("lists every problem, each with the rule it is in", async () => {
        await refused([rule({ ports: [] }), rule({ name: "allow-second", description: "second", ports: [{ port: 70000 }] })]).toThrow(
            "namespace karpenter: rule 0 (why): needs at least one port (no ports would allow every port); rule 1 (second): port 70000 is not 1-65535",
        );
    });

    it("internet-facing load balancer ingress when the cluster has no public subnets (an empty `from` would admit every source)", async () => {
        const build = () =>
            new LockedNamespace("ns", {
                cluster: fakeClusterContext({ publicSubnetCidrs: pulumi.output([]) }),
                name: "shop",
                podSecurity: "restricted",
                rules: [rule({ name: "allow-internet-facing-load-balancers", direction: "ingress", peer: { kind: "loadBalancers", scheme: "internet-facing" } })],
            });
        // The failure surfaces when the engine serializes the policy's spec, outside the constructor:
        // `pulumi up` reports the rejection as the program's error; here it is caught the same way.
        expect(await unhandledRejectionsOf(() => runComponent(build))).toContain('error serializing property "spec": no subnets for internet-facing load balancers');
    });
});

describe("what the namespace components record in the stack's state (pulumi stack export, the console's resource view)", () => {
    /** The outputs each component registered, by URN, as the engine stores them. */
    let registered: Map<string, Record<string, unknown>>;
    let plan: Recorded;
    beforeAll(async () => {
        plan = (await planStackFile("dev")).recorded;
        // Read before any other plan replaces the mock monitor.
        const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): { getRegisteredResources(): Map<string, { state: { toJavaScript?(): Record<string, unknown> } }> } };
        registered = new Map([...settings.getMonitor().getRegisteredResources()].map(([urn, r]) => [urn, r.state?.toJavaScript?.() ?? (r.state as Record<string, unknown>)]));
    }, 60_000);

    const namespaceBelow = (component: RecordedResource) => {
        const namespaces = plan.descendantsOf(component).filter((r) => r.type === "kubernetes:core/v1:Namespace");
        expect(namespaces, component.urn).toHaveLength(1);
        return metadataOf(namespaces[0]).name;
    };

    it("the baseline lists the tenant namespaces it created", () => {
        const baseline = plan.one("platform:index:NamespaceBaseline");
        const created = plan.descendantsOf(baseline).filter((r) => r.type === "kubernetes:core/v1:Namespace").map((n) => metadataOf(n).name);
        expect(registered.get(baseline.urn)).toStrictEqual({ tenantNamespaces: ["payments", "database"] });
        expect([...created].sort()).toEqual(["database", "payments"]);
    });

    it("each tenant and locked namespace component records the name of the Namespace below it", () => {
        const components = [...plan.ofType("platform:index:TenantNamespace"), ...plan.ofType("platform:index:LockedNamespace")];
        expect(components.length).toBeGreaterThanOrEqual(9);
        for (const component of components) expect(registered.get(component.urn), component.urn).toStrictEqual({ name: namespaceBelow(component) });
    });
});
