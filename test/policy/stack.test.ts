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
