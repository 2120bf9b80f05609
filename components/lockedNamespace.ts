import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "./shared/types";

/** Kubernetes minor version whose Pod Security Standards the labels pin. */
export const POD_SECURITY_VERSION = "v1.33";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

export interface PortSpec {
    port: number;
    protocol?: "TCP" | "UDP";
}

/** Who is on the other side of an allowed connection. */
export type TrafficPeer =
    | { kind: "namespace"; namespace: string; podLabels?: Record<string, string> }
    | { kind: "apiServer" }
    | { kind: "controlPlane" }
    | { kind: "awsApis" }
    | { kind: "cidr"; cidr: pulumi.Input<string> };

export interface TrafficRule {
    /** Why this hole exists; becomes the NetworkPolicy's description annotation. */
    description: string;
    direction: "ingress" | "egress";
    peer: TrafficPeer;
    ports: PortSpec[];
    /** Pods in this namespace the rule applies to (all when omitted). */
    podLabels?: Record<string, string>;
}

export interface LockedNamespaceArgs {
    cluster: ClusterContext;
    name: string;
    podSecurity: PodSecurityLevel;
    /** Required for anything weaker than `restricted`: written onto the namespace. */
    podSecurityException?: string;
    labels?: Record<string, string>;
    rules: TrafficRule[];
}

/**
 * A namespace born locked down: Pod Security admission at the given level (enforce, audit,
 * warn, version pinned), default deny of all ingress and egress, DNS to CoreDNS, and only
 * the allows declared in `rules`.
 */
export class LockedNamespace extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly name: pulumi.Output<string>;

    constructor(name: string, args: LockedNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:LockedNamespace", name, {}, opts);
        if (args.podSecurity !== "restricted" && !args.podSecurityException) {
            throw new Error(`namespace ${args.name}: Pod Security "${args.podSecurity}" needs a written podSecurityException`);
        }
        const provider = args.cluster.provider;
        this.namespace = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: args.name,
                    labels: { ...args.labels, ...podSecurityLabels(args.podSecurity) },
                    annotations: args.podSecurityException ? { "platform.eks.aws/pod-security-exception": args.podSecurityException } : undefined,
                },
            },
            { parent: this, provider },
        );
        this.name = this.namespace.metadata.name;
        const childOpts = { parent: this, provider, dependsOn: [this.namespace] };
        new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, defaultDeny(args.name), childOpts);
        new k8s.networking.v1.NetworkPolicy(`${name}-allow-dns`, allowDns(args.name), childOpts);
        args.rules.forEach((rule, index) => {
            new k8s.networking.v1.NetworkPolicy(`${name}-allow-${index}`, allowRule(args.name, rule, args.cluster, index), childOpts);
        });
        this.registerOutputs({ name: this.name });
    }
}

export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const mode of ["enforce", "audit", "warn"]) {
        labels[`pod-security.kubernetes.io/${mode}`] = level;
        labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
    }
    return labels;
}

function defaultDeny(namespace: string): k8s.networking.v1.NetworkPolicyArgs {
    return {
        metadata: { name: "default-deny-all", namespace },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    };
}

function allowDns(namespace: string): k8s.networking.v1.NetworkPolicyArgs {
    return {
        metadata: { name: "allow-dns-to-coredns", namespace },
        spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                        },
                    ],
                    ports: [
                        { port: 53, protocol: "UDP" },
                        { port: 53, protocol: "TCP" },
                    ],
                },
            ],
        },
    };
}

const ANYWHERE_IPV4 = "0.0.0.0/0";

function peerSelector(peer: TrafficPeer, cluster: ClusterContext): Record<string, unknown> {
    switch (peer.kind) {
        case "namespace":
            return {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } },
                ...(peer.podLabels ? { podSelector: { matchLabels: peer.podLabels } } : {}),
            };
        // The private endpoint's ENIs and the control plane's webhook calls come from the VPC.
        case "apiServer":
        case "controlPlane":
            return { ipBlock: { cidr: cluster.vpcCidr } };
        case "awsApis":
            return { ipBlock: { cidr: ANYWHERE_IPV4 } };
        case "cidr":
            return { ipBlock: { cidr: peer.cidr } };
    }
}

function allowRule(namespace: string, rule: TrafficRule, cluster: ClusterContext, index: number): k8s.networking.v1.NetworkPolicyArgs {
    const ports = rule.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" }));
    const peer = peerSelector(rule.peer, cluster);
    const direction = rule.direction === "ingress" ? { ingress: [{ from: [peer], ports }] } : { egress: [{ to: [peer], ports }] };
    return {
        metadata: { name: `allow-${rule.direction}-${index}`, namespace, annotations: { "platform.eks.aws/description": rule.description } },
        spec: {
            podSelector: rule.podLabels ? { matchLabels: rule.podLabels } : {},
            policyTypes: [rule.direction === "ingress" ? "Ingress" : "Egress"],
            ...direction,
        },
    };
}
