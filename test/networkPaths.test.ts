/**
 * Under default deny, a connection between two namespaces needs an egress allow on one side
 * and an ingress allow on the other. One without the other is a silent outage (e.g. Prometheus
 * never reaching a metrics port); this checks every namespace-to-namespace allow in the plan.
 */
import { describe, expect, it } from "vitest";
import { planStack, type RecordedResource } from "./harness";

interface Allow {
    from: string;
    to: string;
    port: number;
    protocol: string;
}

type Peer = { namespaceSelector?: { matchLabels?: Record<string, string> }; ipBlock?: unknown };
type Rule = { from?: Peer[]; to?: Peer[]; ports?: Array<{ port: number; protocol?: string }> };

function namespacePeers(peers: Peer[] | undefined): string[] {
    return (peers ?? []).map((p) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]).filter((n): n is string => !!n);
}

function allowsOf(policies: RecordedResource[], direction: "ingress" | "egress"): Allow[] {
    return policies.flatMap((policy) => {
        const namespace = (policy.inputs.metadata as { namespace: string }).namespace;
        const rules = ((policy.inputs.spec as Record<string, unknown>)[direction] ?? []) as Rule[];
        return rules.flatMap((rule) =>
            namespacePeers(direction === "ingress" ? rule.from : rule.to).flatMap((peer) =>
                (rule.ports ?? []).map((p) => ({
                    from: direction === "ingress" ? peer : namespace,
                    to: direction === "ingress" ? namespace : peer,
                    port: p.port,
                    protocol: p.protocol ?? "TCP",
                })),
            ),
        );
    });
}

const key = (a: Allow) => `${a.from} -> ${a.to}:${a.port}/${a.protocol}`;

describe.each(["dev", "prod"])("namespace-to-namespace allows in the %s plan", (stack) => {
    it("every ingress allow has the matching egress allow, and every egress allow its ingress", async () => {
        const { recorded } = await planStack(stack);
        const policies = recorded.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const managed = new Set(policies.map((p) => (p.inputs.metadata as { namespace: string }).namespace));
        // kube-system (CoreDNS) has no platform default deny: only managed namespaces need both sides.
        const ingress = allowsOf(policies, "ingress").filter((a) => managed.has(a.from));
        const egress = allowsOf(policies, "egress").filter((a) => managed.has(a.to));
        const egressKeys = new Set(egress.map(key));
        const ingressKeys = new Set(ingress.map(key));
        expect(ingress.length).toBeGreaterThan(0);
        expect(ingress.filter((a) => !egressKeys.has(key(a))).map(key)).toEqual([]);
        expect(egress.filter((a) => !ingressKeys.has(key(a))).map(key)).toEqual([]);
    });
});
