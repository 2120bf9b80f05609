// The pack's shared Kubernetes extractors (policy/lib/kubernetes.ts, podSecurity.ts,
// namespaces.ts) seen through the policies that use them: which type tokens are Kubernetes
// objects, where a pod's containers are and how a wrong one is reported, label selectors as
// Kubernetes evaluates them, manifests placed in a namespace, and the "every Namespace has an X"
// checks when names are unknown.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readResources } from "../../policy/cli/inputs";
import { parseKubernetesType } from "../../policy/lib/kubernetes";
import { podSecurityMinor } from "../../policy/lib/podSecurity";
import { container, deployment, evaluate, k8s, namespaceStack, notEvaluatedOf, pdb, pod, podSpec, resource, s3Bucket, UNKNOWN, violationsOf } from "./helpers";

const privileged = (name: string) => container(name, { securityContext: { ...container().securityContext, privileged: true } });

describe("Kubernetes type tokens", () => {
    it("takes only a whole kubernetes:<group>/<version>:<Kind> token as a Kubernetes object", () => {
        expect(parseKubernetesType("kubernetes:apps/v1:Deployment")).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
        // A package whose name ends in "kubernetes" is not the Kubernetes provider.
        expect(parseKubernetesType("acme-kubernetes:apps/v1:Deployment")).toBeUndefined();
        // Anything after the kind is not a Kubernetes kind.
        expect(parseKubernetesType("kubernetes:apps/v1:Deployment-legacy")).toBeUndefined();
        expect(parseKubernetesType("kubernetes:apps/v1:DeploymentList")).toBeUndefined();
        expect(parseKubernetesType("kubernetes:apps/v1:DeploymentPatch")).toBeUndefined();
    });

    it("does not run pod policies on a component whose package name ends in kubernetes", () => {
        const lookalike = resource("acme-kubernetes:apps/v1:Deployment", { metadata: { name: "w", namespace: "shop" }, spec: { template: { spec: podSpec({ containers: [privileged("app")] }) } } });
        expect(violationsOf("k8s-no-privileged-containers", [lookalike])).toEqual([]);
    });

    it("checks a kind with List inside its name (Gateway API ListenerSet) like any namespaced kind", () => {
        const listenerSet = k8s("gateway.networking.k8s.io/v1:ListenerSet", { metadata: { name: "edge" }, spec: {} }, "edge");
        expect(violationsOf("k8s-no-default-namespace", [listenerSet])).toEqual(["ListenerSet has no namespace (it would land in default)"]);
    });

    it("exempts an AWS resource by its tags, not by Kubernetes labels", () => {
        const bucket = s3Bucket("logs");
        bucket.props.tags = { team: "legacy" };
        const byTag = { "s3-bucket-versioning": { exemptLabels: { team: "legacy" } } };
        expect(violationsOf("s3-bucket-versioning", [bucket], byTag)).toEqual([]);
        expect(violationsOf("s3-bucket-versioning", [bucket])).toEqual(["S3 bucket logs does not have versioning enabled"]);
    });
});

describe("containers of a pod", () => {
    it("cannot check a pod with an empty containers list, and says so", () => {
        expect(violationsOf("k8s-no-privileged-containers", [deployment(podSpec({ containers: [] }))])).toEqual([
            "Deployment cannot be checked: spec.template.spec.containers is a list, expected a list of at least one container",
        ]);
    });

    it("names the exact path of a container entry of the wrong shape", () => {
        expect(violationsOf("k8s-no-privileged-containers", [deployment(podSpec({ containers: [container(), "nginx:1.27"] }))])).toEqual([
            'Deployment cannot be checked: spec.template.spec.containers[1] is a string ("nginx:1.27"), expected an object',
        ]);
        expect(violationsOf("k8s-no-privileged-containers", [pod(podSpec({ initContainers: [7] }))])).toEqual([
            "Pod cannot be checked: spec.initContainers[0] is a number (7), expected an object",
        ]);
    });

    it("names a container without a name by its position", () => {
        const nameless = { ...privileged("x"), name: undefined };
        expect(violationsOf("k8s-no-privileged-containers", [deployment(podSpec({ containers: [container(), nameless] }))])).toEqual([
            'Deployment container "#1" runs privileged',
        ]);
    });

    it("still checks the known containers beside one that is not known yet", () => {
        const spec = podSpec({ containers: [UNKNOWN, privileged("sidecar")] });
        expect(violationsOf("k8s-no-privileged-containers", [deployment(spec)])).toEqual(['Deployment container "sidecar" runs privileged']);
        expect(notEvaluatedOf("k8s-run-as-non-root", [deployment(spec)])).toEqual(["string value at .spec.template.spec.containers.0 can't be known during preview"]);
    });

    it("reports a container of the wrong shape even beside an unknown one", () => {
        const spec = podSpec({ containers: [UNKNOWN, "nginx:1.27", privileged("sidecar")] });
        expect(violationsOf("k8s-no-privileged-containers", [deployment(spec)])).toEqual([
            'Deployment cannot be checked: spec.template.spec.containers[1] is a string ("nginx:1.27"), expected an object',
        ]);
    });

    it("reports a malformed pod template with its path", () => {
        const broken = k8s("apps/v1:Deployment", { metadata: { name: "w", namespace: "shop" }, spec: { template: "pod" } }, "w");
        expect(violationsOf("k8s-no-privileged-containers", [broken])).toEqual(['Deployment cannot be checked: spec.template is a string ("pod"), expected an object']);
    });
});

describe("read-only root filesystem is the container's own setting", () => {
    it("does not take readOnlyRootFilesystem from the pod's security context", () => {
        const spec = podSpec({
            securityContext: { ...podSpec().securityContext, readOnlyRootFilesystem: true },
            containers: [container("app", { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } })],
        });
        expect(violationsOf("k8s-read-only-root-filesystem", [deployment(spec)])).toEqual(['Deployment container "app" has a writable root filesystem']);
    });

    it("accepts a container that sets readOnlyRootFilesystem: true itself", () => {
        expect(violationsOf("k8s-read-only-root-filesystem", [deployment()])).toEqual([]);
    });
});

describe("PodDisruptionBudget selectors, as Kubernetes evaluates them", () => {
    const budget = (selector: unknown) => pdb("web", "shop", { maxUnavailable: 1, ...(selector === undefined ? {} : { selector }) });
    const uncovered = ["Deployment web has 2 replicas and no PodDisruptionBudget"];
    const check = (selector: unknown) => violationsOf("k8s-replicated-workload-pdb", [deployment(), budget(selector)]);

    it("a budget without a selector covers no pod", () => {
        expect(check(undefined)).toEqual(uncovered);
    });

    it("NotIn excludes the listed values only", () => {
        expect(check({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] })).toEqual(uncovered);
        expect(check({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["api"] }] })).toEqual([]);
        expect(check({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] })).toEqual([]);
    });

    it("Exists and DoesNotExist look at the key only", () => {
        expect(check({ matchExpressions: [{ key: "app", operator: "Exists" }] })).toEqual([]);
        expect(check({ matchExpressions: [{ key: "tier", operator: "Exists" }] })).toEqual(uncovered);
        expect(check({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] })).toEqual([]);
        expect(check({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] })).toEqual(uncovered);
    });

    it("an unknown operator selects nothing", () => {
        expect(check({ matchExpressions: [{ key: "app", operator: "Matches", values: ["web"] }] })).toEqual(uncovered);
    });

    it("In compares label values, whatever else the list holds", () => {
        expect(check({ matchExpressions: [{ key: "app", operator: "In", values: [7, "web"] }] })).toEqual([]);
        expect(check({ matchExpressions: [{ key: "app", operator: "In", values: [7, "api"] }] })).toEqual(uncovered);
    });
});

describe("default-deny NetworkPolicy selects every pod", () => {
    const withPolicy = (podSelector: unknown) => {
        const [ns, , quota, limits] = namespaceStack("shop");
        const policy = k8s("networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "shop-deny", namespace: "shop" }, spec: { podSelector, policyTypes: ["Ingress", "Egress"] } });
        return violationsOf("k8s-namespace-default-deny-network-policy", [ns, policy, quota, limits]);
    };

    it("does not take a selector with match expressions for an empty one", () => {
        expect(withPolicy({})).toEqual([]);
        expect(withPolicy({ matchExpressions: [{ key: "app", operator: "Exists" }] })).toEqual(["Namespace shop has no default-deny NetworkPolicy"]);
    });

    it("takes podSelector: null for the empty selector, as the API server decodes it: every pod", () => {
        expect(withPolicy(null)).toEqual([]);
    });

    it("does not take a podSelector of the wrong shape for an empty one", () => {
        expect(withPolicy("all")).toEqual(["Namespace shop has no default-deny NetworkPolicy"]);
    });
});

describe("every Namespace has an X", () => {
    const namespace = (name: string, resourceName = name) => k8s("core/v1:Namespace", { metadata: { name } }, resourceName);
    const limitRange = (namespaceName: unknown, extra: object = {}) => resource("kubernetes:core/v1:LimitRange", { metadata: { name: "limits", namespace: namespaceName }, spec: { limits: [] } }, "limits", extra);

    it("names the Namespace by its metadata name, not its Pulumi resource name", () => {
        expect(violationsOf("k8s-namespace-limit-range", [namespace("shop", "tenant-shop-ns")])).toEqual(["Namespace shop has no LimitRange"]);
    });

    it("reports nothing while a child's namespace is unknown and cannot be attributed", () => {
        const stack = [namespace("shop"), namespace("billing"), limitRange(UNKNOWN)];
        expect(violationsOf("k8s-namespace-limit-range", stack)).toEqual([]);
        expect(notEvaluatedOf("k8s-namespace-limit-range", stack)).toHaveLength(1);
    });

    it("has nothing to judge, and nothing left unevaluated, in a stack without Namespaces", () => {
        expect(notEvaluatedOf("k8s-namespace-limit-range", [limitRange(UNKNOWN)])).toEqual([]);
    });

    it("leaves a Namespace undecided when its only NetworkPolicy is not known yet", () => {
        const [ns, , quota, limits] = namespaceStack("shop");
        const policy = k8s("networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "shop-deny", namespace: "shop" }, spec: UNKNOWN });
        expect(violationsOf("k8s-namespace-default-deny-network-policy", [ns, policy, quota, limits])).toEqual([]);
    });
});

describe("manifests placed in a namespace (policy:check --namespace)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lib-kubernetes-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const load = (yaml: string, namespace?: string) => {
        const file = path.join(dir, `m${Math.random().toString(36).slice(2)}.yaml`);
        writeFileSync(file, yaml);
        return [...readResources(file, { namespace })].map((r) => ({ type: r.type, namespace: r.namespace, props: r.props }));
    };

    it("gives the Pulumi type token of core and grouped kinds", () => {
        expect(load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: shop}\n").map((r) => r.type)).toEqual([
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:apps/v1:Deployment",
        ]);
    });

    it("puts a namespaced object without a namespace in the given one, and leaves the rest alone", () => {
        const loaded = load(
            [
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: ''}",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: billing}",
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: d}",
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: e}",
            ].join("\n---\n"),
            "shop",
        );
        expect(loaded.map((r) => r.namespace)).toEqual(["shop", "shop", "billing", null, null]);
        expect(loaded[0].props).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "shop" } });
        expect(loaded[3].props).toEqual({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "d" } });
    });

    it("places an object that has no metadata at all, and reports its name missing", () => {
        expect(() => load("apiVersion: v1\nkind: ConfigMap\n", "shop")).toThrow("ConfigMap has no metadata.name");
    });
});

describe("Pod Security version", () => {
    it("accepts latest and v1.N only", () => {
        expect(podSecurityMinor("v1.24")).toBe(24);
        expect(() => podSecurityMinor("v1.25.0")).toThrow('invalid podSecurityVersion "v1.25.0"');
        expect(() => podSecurityMinor("xv1.25")).toThrow('invalid podSecurityVersion "xv1.25"');
    });

    it("exempts Windows pods from the restricted checks only from v1.25 on", () => {
        const windows = pod(podSpec({ os: { name: "windows" }, containers: [container("app", { securityContext: { capabilities: { drop: ["ALL"] } } })] }));
        const at = (version: string) => ({ "k8s-no-privilege-escalation": { podSecurityVersion: version } });
        expect(violationsOf("k8s-no-privilege-escalation", [windows], at("v1.24"))).toEqual(['Pod container "app" does not set allowPrivilegeEscalation: false']);
        expect(violationsOf("k8s-no-privilege-escalation", [windows], at("v1.25"))).toEqual([]);
    });
});
