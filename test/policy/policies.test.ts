// One deny fixture per policy (plus the compliant stack as the shared allow fixture), and a
// guard that no policy is added without both.
import { describe, expect, it } from "vitest";
import { loadPolicyPackConfig, platformPolicyConfigPath, ResourceUnderTest } from "../../policy/engine";
import { allPolicies } from "../../policy/policies";
import { awsControlFixtures } from "./awsFixtures";
import {
    compliantStack,
    container,
    deployment,
    eksComponentCluster,
    evaluate,
    k8s,
    managedNodeGroup,
    podSpec,
    resource,
    s3Bucket,
    violationsOf,
} from "./helpers";

const without = (stack: ResourceUnderTest[], predicate: (r: ResourceUnderTest) => boolean) => stack.filter((r) => !predicate(r));
const withContainer = (overrides: Record<string, unknown>) => [deployment(podSpec({ containers: [container("app", overrides)] }), "bad")];
const securityContext = (extra: Record<string, unknown>) => ({
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, ...extra },
});

// Each entry: resources added to (or a transformation of) the compliant stack, and the message expected.
const denyFixtures: Record<string, { stack: () => ResourceUnderTest[]; message: RegExp }> = {
    "k8s-no-privileged-containers": { stack: () => withContainer(securityContext({ privileged: true })), message: /container "app" runs privileged/ },
    "k8s-no-privilege-escalation": { stack: () => withContainer(securityContext({ allowPrivilegeEscalation: undefined })), message: /allowPrivilegeEscalation/ },
    "k8s-restricted-capabilities": { stack: () => withContainer(securityContext({ capabilities: { drop: ["NET_RAW"] } })), message: /does not drop ALL/ },
    "k8s-run-as-non-root": { stack: () => [deployment(podSpec({ securityContext: { seccompProfile: { type: "RuntimeDefault" } } }), "bad")], message: /runAsNonRoot/ },
    "k8s-no-host-namespaces": { stack: () => [deployment(podSpec({ hostPID: true }), "bad")], message: /sets hostPID: true/ },
    "k8s-no-host-path-volumes": { stack: () => [deployment(podSpec({ volumes: [{ name: "sock", hostPath: { path: "/var/run" } }] }), "bad")], message: /hostPath volume "sock"/ },
    "k8s-no-host-ports": { stack: () => withContainer({ ports: [{ containerPort: 80, hostPort: 80 }] }), message: /hostPort 80/ },
    "k8s-seccomp-profile": { stack: () => [deployment(podSpec({ securityContext: { runAsNonRoot: true } }), "bad")], message: /no seccomp profile/ },
    "k8s-resource-requests-limits": { stack: () => withContainer({ resources: { requests: { cpu: "1" } } }), message: /requests.memory, limits.cpu, limits.memory/ },
    "k8s-image-pinned": { stack: () => withContainer({ image: "nginx:latest" }), message: /`latest`/ },
    "k8s-no-plaintext-secrets": { stack: () => withContainer({ env: [{ name: "DB_PASSWORD", value: "hunter2" }] }), message: /DB_PASSWORD/ },
    "k8s-rbac-no-wildcards": {
        stack: () => [k8s("rbac.authorization.k8s.io/v1:ClusterRole", { metadata: { name: "all" }, rules: [{ apiGroups: ["*"], resources: ["pods"], verbs: ["get"] }] })],
        message: /\* in apiGroups/,
    },
    "k8s-no-cluster-admin-binding": {
        stack: () => [k8s("rbac.authorization.k8s.io/v1:ClusterRoleBinding", { metadata: { name: "admins" }, roleRef: { kind: "ClusterRole", name: "cluster-admin" } })],
        message: /cluster-admin/,
    },
    "k8s-internal-load-balancer": {
        stack: () => [k8s("core/v1:Service", { metadata: { name: "public", namespace: "shop" }, spec: { type: "LoadBalancer" } })],
        message: /internet-facing/,
    },
    "k8s-no-default-namespace": { stack: () => [deployment(podSpec(), "bad", 1, "default")], message: /default namespace/ },
    "k8s-namespace-pod-security": {
        stack: () => [k8s("core/v1:Namespace", { metadata: { name: "loose", labels: { "pod-security.kubernetes.io/enforce": "privileged" } } })],
        message: /"privileged"/,
    },
    "k8s-pdb-allows-disruption": {
        stack: () => [k8s("policy/v1:PodDisruptionBudget", { metadata: { name: "strict", namespace: "shop" }, spec: { maxUnavailable: 0, selector: {} } })],
        message: /maxUnavailable 0/,
    },
    "k8s-read-only-root-filesystem": { stack: () => withContainer(securityContext({ readOnlyRootFilesystem: false })), message: /writable root filesystem/ },
    "k8s-no-inline-secret-data": { stack: () => [k8s("core/v1:Secret", { metadata: { name: "s", namespace: "shop" }, data: { token: "aGk=" } })], message: /inline data/ },
    "helm-chart-version-pinned": { stack: () => [resource("kubernetes:helm.sh/v4:Chart", { chart: "oci://registry/charts/app" }, "app")], message: /has no version/ },
    // AWS policies: allow/deny pairs in awsFixtures.ts (each deny fixture carries its own cluster, bucket...).
    ...Object.fromEntries(Object.entries(awsControlFixtures).map(([name, f]) => [name, { stack: f.deny, message: f.message }])),
    "k8s-namespace-default-deny-network-policy": { stack: () => [k8s("core/v1:Namespace", { metadata: { name: "empty" } })], message: /empty has no default-deny/ },
    "k8s-namespace-resource-quota": { stack: () => [k8s("core/v1:Namespace", { metadata: { name: "empty" } })], message: /empty has no ResourceQuota/ },
    "k8s-namespace-limit-range": { stack: () => [k8s("core/v1:Namespace", { metadata: { name: "empty" } })], message: /empty has no LimitRange/ },
    "k8s-replicated-workload-pdb": { stack: () => [deployment(podSpec(), "api", 3)], message: /api has 3 replicas and no PodDisruptionBudget/ },
    "eks-system-and-application-node-groups": {
        stack: () => [managedNodeGroup("only-system", [{ key: "a", effect: "NO_SCHEDULE" }])],
        message: /lacks an untainted application node group/,
    },
};

describe("every policy", () => {
    it("has a deny fixture, and no fixture is orphaned", () => {
        expect(Object.keys(denyFixtures).sort()).toEqual(allPolicies.map((p) => p.name).sort());
    });

    it("accepts the compliant stack, even under the platform config", () => {
        expect(evaluate(compliantStack(), loadPolicyPackConfig(platformPolicyConfigPath))).toEqual({ violations: [], notEvaluated: [] });
    });

    it.each(Object.entries(denyFixtures))("%s denies its fixture", (name, fixture) => {
        const stack = name === "eks-system-and-application-node-groups"
            ? [...without(compliantStack(), (r) => r.type === "eks:index:ManagedNodeGroup"), ...fixture.stack()]
            : [...compliantStack(), ...fixture.stack()];
        const messages = violationsOf(name, stack);
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
