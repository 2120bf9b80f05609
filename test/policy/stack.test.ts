// Stack-completeness policies: what else must exist in the same stack.
import { describe, expect, it } from "vitest";
import { deployment, k8s, managedNodeGroup, namespaceStack, notEvaluatedOf, pdb, podSpec, resource, eksComponentCluster, SYSTEM_TAINT, UNKNOWN, violationsOf } from "./helpers";

describe("namespace completeness", () => {
    it("requires an empty-selector, rule-less NetworkPolicy in the same namespace", () => {
        const [ns, , quota, limits] = namespaceStack("shop");
        const selective = k8s("networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "web-only", namespace: "shop" }, spec: { podSelector: { matchLabels: { app: "web" } } } });
        const allowAll = k8s("networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "allow", namespace: "shop" }, spec: { podSelector: {}, ingress: [{}] } });
        const elsewhere = k8s("networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "deny", namespace: "other" }, spec: { podSelector: {} } });
        expect(violationsOf("k8s-namespace-default-deny-network-policy", [ns, quota, limits, selective, allowAll, elsewhere])).toEqual([
            "Namespace shop has no default-deny NetworkPolicy",
        ]);
        expect(violationsOf("k8s-namespace-default-deny-network-policy", namespaceStack("shop"))).toEqual([]);
    });

    it("can also require egress to be denied", () => {
        const [ns] = namespaceStack("shop");
        const ingressOnly = k8s("networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "deny", namespace: "shop" }, spec: { podSelector: {} } });
        expect(violationsOf("k8s-namespace-default-deny-network-policy", [ns, ingressOnly])).toEqual([]);
        const config = { "k8s-namespace-default-deny-network-policy": { requireEgressDeny: true } };
        expect(violationsOf("k8s-namespace-default-deny-network-policy", [ns, ingressOnly], config)).toHaveLength(1);
    });

    it("matches a child whose namespace is unknown through its dependency on the Namespace", () => {
        const ns = k8s("core/v1:Namespace", { metadata: { name: UNKNOWN } }, "apps");
        const quota = { ...k8s("core/v1:ResourceQuota", { metadata: { name: "q", namespace: UNKNOWN } }), dependencies: [ns.urn] };
        expect(violationsOf("k8s-namespace-resource-quota", [ns, quota])).toEqual([]);
        expect(violationsOf("k8s-namespace-limit-range", [ns, quota])).toEqual(["Namespace apps has no LimitRange"]);
    });

    it("honours namespace exemptions", () => {
        const system = k8s("core/v1:Namespace", { metadata: { name: "kube-system" } });
        expect(violationsOf("k8s-namespace-limit-range", [system], { "k8s-namespace-limit-range": { exemptNamespaces: ["kube-*"] } })).toEqual([]);
    });
});

describe("replicated workloads need a PDB", () => {
    it("accepts a PDB whose selector matches the pod labels in the same namespace", () => {
        expect(violationsOf("k8s-replicated-workload-pdb", [deployment(podSpec(), "web", 3), pdb("web")])).toEqual([]);
    });

    it("rejects a PDB for other pods or another namespace, and ignores single replicas", () => {
        const other = pdb("api");
        const elsewhere = pdb("web", "other");
        expect(violationsOf("k8s-replicated-workload-pdb", [deployment(podSpec(), "web", 2), other, elsewhere])).toEqual([
            "Deployment web has 2 replicas and no PodDisruptionBudget",
        ]);
        expect(violationsOf("k8s-replicated-workload-pdb", [deployment(podSpec(), "web", 1)])).toEqual([]);
    });

    it("supports matchExpressions and reports unknown replica counts as not evaluated", () => {
        const expressions = pdb("web", "shop", { maxUnavailable: 1, selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] } });
        expect(violationsOf("k8s-replicated-workload-pdb", [deployment(podSpec(), "web", 4), expressions])).toEqual([]);
        const unknownReplicas = deployment(podSpec(), "web", UNKNOWN as unknown as number);
        expect(notEvaluatedOf("k8s-replicated-workload-pdb", [unknownReplicas])).toHaveLength(1);
    });
});

describe("system and application node groups", () => {
    it("accepts one tainted and one untainted node group, in Kubernetes or AWS spelling", () => {
        const k8sSpelling = managedNodeGroup("system", [{ key: "CriticalAddonsOnly", value: "true", effect: "NoSchedule" }]);
        expect(violationsOf("eks-system-and-application-node-groups", [eksComponentCluster(), k8sSpelling, managedNodeGroup("apps")])).toEqual([]);
    });

    it("denies a stack with only untainted node groups, or only PreferNoSchedule taints", () => {
        const soft = managedNodeGroup("soft", [{ key: "x", effect: "PREFER_NO_SCHEDULE" }]);
        expect(violationsOf("eks-system-and-application-node-groups", [eksComponentCluster(), managedNodeGroup("apps"), soft])).toEqual([
            "EKS cluster platform lacks a tainted system node group",
        ]);
    });

    it("counts self-managed taint maps and reports the component cluster once", () => {
        const cluster = eksComponentCluster();
        const child = resource("aws:eks/cluster:Cluster", {}, "platform-eksCluster", { parent: cluster.urn });
        const selfManaged = resource("eks:index:NodeGroupV2", { taints: { dedicated: { value: "system", effect: "NoExecute" } } });
        expect(violationsOf("eks-system-and-application-node-groups", [cluster, child, selfManaged])).toEqual([
            "EKS cluster platform lacks an untainted application node group",
        ]);
        expect(violationsOf("eks-system-and-application-node-groups", [cluster, child, selfManaged, managedNodeGroup("apps")])).toEqual([]);
    });

    it("ignores stacks without a cluster", () => {
        expect(violationsOf("eks-system-and-application-node-groups", [managedNodeGroup("apps", [SYSTEM_TAINT])])).toEqual([]);
    });
});

describe("default-deny NetworkPolicies, read as the API server defaults them", () => {
    const POLICY = "k8s-namespace-default-deny-network-policy";
    const EGRESS_TOO = { [POLICY]: { requireEgressDeny: true } };
    const MISSING = ["Namespace shop has no default-deny NetworkPolicy"];
    const verdict = (spec: Record<string, unknown>, config?: Record<string, unknown>) =>
        violationsOf(POLICY, [namespaceStack("shop")[0], k8s("networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "deny", namespace: "shop" }, spec })], config);

    it("an egress-only policy (policyTypes [Egress]) leaves ingress open", () => {
        expect(verdict({ podSelector: {}, policyTypes: ["Egress"] })).toEqual(MISSING);
        expect(verdict({ podSelector: {}, policyTypes: ["Ingress"] })).toEqual([]);
    });

    it("without policyTypes, an empty egress list leaves egress open: the API server adds Egress only for egress rules", () => {
        expect(verdict({ podSelector: {}, egress: [] })).toEqual([]);
        expect(verdict({ podSelector: {}, egress: [] }, EGRESS_TOO)).toEqual(MISSING);
        expect(verdict({ podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [] }, EGRESS_TOO)).toEqual([]);
    });

    it("a policy whose egress rules allow traffic does not deny egress, though it denies all ingress", () => {
        const allowAllEgress = { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{}] };
        expect(verdict(allowAllEgress)).toEqual([]);
        expect(verdict(allowAllEgress, EGRESS_TOO)).toEqual(MISSING);
    });

    it("a policy without podSelector selects every pod of its namespace (the empty selector)", () => {
        expect(verdict({ policyTypes: ["Ingress", "Egress"] }, EGRESS_TOO)).toEqual([]);
        expect(verdict({ podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress", "Egress"] }, EGRESS_TOO)).toEqual(MISSING);
    });

    it("refuses a requireEgressDeny that is not a boolean", () => {
        expect(() => verdict({ podSelector: {} }, { [POLICY]: { requireEgressDeny: "true" } })).toThrow(/k8s-namespace-default-deny-network-policy.*requireEgressDeny must be boolean/);
    });
});

describe("replicated workloads need a PDB: every replicated kind, and namespaces as the API server fills them", () => {
    const POLICY = "k8s-replicated-workload-pdb";
    const workload = (type: string, name: string, selector: Record<string, unknown>) =>
        k8s(type, { metadata: { name, namespace: "shop" }, spec: { replicas: 3, selector, template: { metadata: { labels: { app: name } }, spec: podSpec() } } });

    it.each([
        ["StatefulSet", "apps/v1:StatefulSet", { matchLabels: { app: "db" } }],
        ["ReplicaSet", "apps/v1:ReplicaSet", { matchLabels: { app: "db" } }],
        ["ReplicationController", "core/v1:ReplicationController", { app: "db" }],
    ])("a %s with 3 replicas needs one", (kind, type, selector) => {
        expect(violationsOf(POLICY, [workload(type, "db", selector)])).toEqual([`${kind} db has 3 replicas and no PodDisruptionBudget`]);
        expect(violationsOf(POLICY, [workload(type, "db", selector), pdb("db")])).toEqual([]);
    });

    it("reports a replicated workload in a stack without any PDB, and accepts one matching PDB among others", () => {
        expect(violationsOf(POLICY, [deployment(podSpec(), "web", 3)])).toEqual(["Deployment web has 3 replicas and no PodDisruptionBudget"]);
        expect(violationsOf(POLICY, [deployment(podSpec(), "web", 3), pdb("api"), pdb("web"), pdb("worker")])).toEqual([]);
    });

    it("does not judge other objects with spec.replicas: a Cluster API MachineDeployment's replicas are machines, which no PDB selects", () => {
        const machines = k8s("cluster.x-k8s.io/v1beta1:MachineDeployment", {
            metadata: { name: "workers", namespace: "shop" },
            spec: { clusterName: "shop", replicas: 3, selector: { matchLabels: { pool: "workers" } }, template: { metadata: { labels: { pool: "workers" } }, spec: { clusterName: "shop" } } },
        });
        expect(violationsOf(POLICY, [machines])).toEqual([]);
    });

    it("puts a workload or a PDB written without a namespace in namespace default", () => {
        const withoutNamespace = (resource: ReturnType<typeof pdb>) => {
            const { namespace: _omitted, ...metadata } = resource.props.metadata as Record<string, unknown>;
            return { ...resource, props: { ...resource.props, metadata } };
        };
        expect(violationsOf(POLICY, [withoutNamespace(deployment(podSpec(), "web", 3)), pdb("web", "default")])).toEqual([]);
        expect(violationsOf(POLICY, [deployment(podSpec(), "web", 3, "default"), withoutNamespace(pdb("web"))])).toEqual([]);
        expect(violationsOf(POLICY, [withoutNamespace(deployment(podSpec(), "web", 3)), pdb("web", "shop")])).toEqual(["Deployment web has 3 replicas and no PodDisruptionBudget"]);
    });

    it("does not claim a missing PDB when the workload's or the PDB's namespace is not known yet, but still reports one that no PDB selects", () => {
        const unknown = UNKNOWN as unknown as string;
        expect(violationsOf(POLICY, [deployment(podSpec(), "web", 3, unknown), pdb("web", "shop")])).toEqual([]);
        expect(violationsOf(POLICY, [deployment(podSpec(), "web", 3, "shop"), pdb("web", unknown)])).toEqual([]);
        for (const others of [[], [pdb("api", "shop")]]) {
            expect(violationsOf(POLICY, [deployment(podSpec(), "web", 3, unknown), ...others])).toEqual(["Deployment web has 3 replicas and no PodDisruptionBudget"]);
        }
    });
});

describe("system and application node groups: Karpenter, unknown taints, the message", () => {
    const POLICY = "eks-system-and-application-node-groups";
    const COUNT_POOLS = { [POLICY]: { countKarpenterNodePoolsAsApplication: true } };
    const karpenter = (kind: string) => k8s(`karpenter.sh/v1:${kind}`, { metadata: { name: "default" }, spec: { template: { spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" } } } } });
    const system = () => managedNodeGroup("system", [SYSTEM_TAINT]);
    const unknownTaints = () => managedNodeGroup("pending", UNKNOWN as unknown as Record<string, unknown>[]);

    it("counts a Karpenter NodePool of the stack as application capacity only when configured to", () => {
        expect(violationsOf(POLICY, [eksComponentCluster(), system(), karpenter("NodePool")])).toEqual(["EKS cluster platform lacks an untainted application node group"]);
        expect(violationsOf(POLICY, [eksComponentCluster(), system(), karpenter("NodePool")], COUNT_POOLS)).toEqual([]);
        expect(violationsOf(POLICY, [eksComponentCluster(), system()], COUNT_POOLS)).toEqual(["EKS cluster platform lacks an untainted application node group"]);
    });

    it("does not count a NodePoolPatch, which changes a NodePool made elsewhere and adds no capacity", () => {
        expect(violationsOf(POLICY, [eksComponentCluster(), system(), karpenter("NodePoolPatch")], COUNT_POOLS)).toEqual(["EKS cluster platform lacks an untainted application node group"]);
    });

    it("refuses a countKarpenterNodePoolsAsApplication that is not a boolean", () => {
        expect(() => violationsOf(POLICY, [], { [POLICY]: { countKarpenterNodePoolsAsApplication: "yes" } })).toThrow(/eks-system-and-application-node-groups.*countKarpenterNodePoolsAsApplication must be boolean/);
    });

    it("names both missing groups when the cluster has none", () => {
        expect(violationsOf(POLICY, [eksComponentCluster()])).toEqual(["EKS cluster platform lacks a tainted system node group and an untainted application node group"]);
    });

    it("claims no missing group while a node group's taints are unknown: the policy is not evaluated", () => {
        for (const stack of [[eksComponentCluster(), managedNodeGroup("apps"), unknownTaints()], [eksComponentCluster(), unknownTaints()]]) {
            expect(violationsOf(POLICY, stack)).toEqual([]);
            expect(notEvaluatedOf(POLICY, stack)).toHaveLength(1);
        }
    });

    it("does not apply to a stack without a cluster, not even as not evaluated", () => {
        expect(violationsOf(POLICY, [unknownTaints()])).toEqual([]);
        expect(notEvaluatedOf(POLICY, [unknownTaints()])).toEqual([]);
    });
});
