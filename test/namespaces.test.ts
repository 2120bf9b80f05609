/**
 * The namespaces of the whole plan (add-ons and tenants), as the program composes them for each
 * committed stack file: the Pod Security level each one enforces, spelled out, and every
 * namespace a NetworkPolicy names exists (a peer naming a namespace that does not exist allows
 * nothing, and the flow it was written for silently breaks).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../plan/run";
import { listStacks } from "../plan/stackConfig";
import { planStackFile } from "./fixtures/stacks";
import type { Recorded } from "./harness";

const NAME_LABEL = "kubernetes.io/metadata.name";
/** Namespaces every EKS cluster has before the program runs; the platform's pods reach CoreDNS in kube-system. */
const SYSTEM_NAMESPACES = ["kube-system"];

type Metadata = { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
type Peer = { namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] }; podSelector?: unknown; ipBlock?: unknown };
type PolicySpec = { ingress?: { from?: Peer[] }[]; egress?: { to?: Peer[] }[] };

const restricted = "restricted";
/**
 * The Pod Security level each namespace enforces, audits and warns at. Only node-exporter's
 * namespace is privileged (hostNetwork, hostPID, hostPath; docs/policies.md), with the reason
 * written on it; everything else, Karpenter included, is restricted.
 */
const ADDON_NAMESPACES = {
    karpenter: restricted,
    "external-secrets": restricted,
    velero: restricted,
    "trivy-system": restricted,
    monitoring: restricted,
    "monitoring-host": "privileged",
    "aws-load-balancer-controller": restricted,
};
const POD_SECURITY: Record<string, Record<string, string>> = {
    dev: { ...ADDON_NAMESPACES, payments: restricted, database: restricted },
    prod: { ...ADDON_NAMESPACES, payments: restricted, database: restricted, storefront: restricted, analytics: restricted },
};

function namespacesOf(recorded: Recorded): Metadata[] {
    return recorded.ofType("kubernetes:core/v1:Namespace").map((n) => n.props.metadata as Metadata);
}

describe.each(["dev", "prod"])("Pod Security of every namespace in the %s plan", (stack) => {
    let namespaces: Metadata[];
    beforeAll(async () => {
        namespaces = namespacesOf((await planStackFile(stack)).recorded);
    }, 60_000);

    it("enforces, audits and warns at the level of the table, pinned to v1.33", () => {
        const levels = Object.fromEntries(
            namespaces.map((ns) => {
                const labels = ns.labels ?? {};
                const modes = ["enforce", "audit", "warn"].map((mode) => labels[`pod-security.kubernetes.io/${mode}`]);
                const versions = ["enforce", "audit", "warn"].map((mode) => labels[`pod-security.kubernetes.io/${mode}-version`]);
                expect(versions, ns.name).toEqual(["v1.33", "v1.33", "v1.33"]);
                expect(new Set(modes).size, `${ns.name}: ${modes.join(", ")}`).toBe(1);
                return [ns.name, modes[0]];
            }),
        );
        expect(levels).toEqual(POD_SECURITY[stack]);
    });

    it("writes down why a namespace is below restricted, and only there", () => {
        for (const ns of namespaces) {
            const exception = ns.annotations?.["platform.eks.aws/pod-security-exception"];
            if (POD_SECURITY[stack][ns.name] === restricted) expect(exception, ns.name).toBeUndefined();
            else expect(exception, ns.name).toMatch(/node-exporter/);
        }
    });
});

describe.each(listStacks(PROJECT_DIR))("namespaces the NetworkPolicies of the %s plan name", (stack) => {
    let recorded: Recorded;
    beforeAll(async () => {
        recorded = (await planStackFile(stack)).recorded;
    }, 60_000);

    it("each exists: created by the plan, or there on every EKS cluster", () => {
        const known = new Set([...namespacesOf(recorded).map((ns) => ns.name), ...SYSTEM_NAMESPACES]);
        const named: string[] = [];
        const missing: string[] = [];
        for (const policy of recorded.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")) {
            const { namespace, name } = policy.props.metadata as { namespace: string; name: string };
            expect(known.has(namespace), `${namespace}/${name} is in a namespace nobody creates`).toBe(true);
            const spec = policy.props.spec as PolicySpec;
            const peers = [...(spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(spec.egress ?? []).flatMap((r) => r.to ?? [])];
            for (const peer of peers.filter((p) => p.namespaceSelector !== undefined)) {
                // By name only: a selector on other labels could match namespaces created later by anyone.
                expect(peer.namespaceSelector, `${namespace}/${name}`).toEqual({ matchLabels: { [NAME_LABEL]: expect.any(String) } });
                const target = peer.namespaceSelector!.matchLabels![NAME_LABEL];
                named.push(target);
                if (!known.has(target)) missing.push(`${namespace}/${name} -> namespace ${target}`);
            }
        }
        expect(missing).toEqual([]);
        // The check saw the peers it is about: tenants, add-ons and CoreDNS's namespace.
        expect([...new Set(named)]).toEqual(expect.arrayContaining(["kube-system", "monitoring", "payments"]));
    });
});
