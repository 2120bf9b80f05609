import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import type { LoadBalancerScheme } from "../config/tenants";
import type { ClusterContext } from "./shared/types";

/** Kubernetes minor version whose Pod Security Standards the labels pin. */
export const POD_SECURITY_VERSION = "v1.33";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Where cluster DNS runs: the DNS egress allow and the CoreDNS disruption budget select these pods. */
export const COREDNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } } as const;

/** The EKS Pod Identity Agent's link-local endpoint (hostNetwork DaemonSet on every node). */
export const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: 80 } as const;

/** Label every Namespace carries with its own name (set by the API server, immutable). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export interface PortSpec {
    port: number;
    protocol?: "TCP" | "UDP";
}

/**
 * Who is on the other side of an allowed connection. How each becomes a NetworkPolicy peer
 * follows what the VPC CNI enforces (test/support/networkModel.ts has the sources): egress is
 * checked on the pod's interface before kube-proxy rewrites a Service's ClusterIP, and an
 * `ipBlock` matches only the addresses it literally covers, never a ClusterIP outside it.
 */
export type TrafficPeer =
    | { kind: "namespace"; namespace: string; podLabels?: Record<string, string> }
    /**
     * The Kubernetes API: the `kubernetes` Service's ClusterIP, which in-cluster clients dial, and
     * the control plane's ENIs in the private subnets, which clients of the endpoint's name and
     * scrapers of the Service's endpoints reach directly.
     */
    | { kind: "apiServer" }
    /** The control plane's ENIs (the private subnets), where the API server's calls to webhooks come from. */
    | { kind: "controlPlane" }
    /** AWS's public endpoints and the internet: anything but the service range and, when the program owns it, the VPC. */
    | { kind: "awsApis" }
    /** Credentials for EKS Pod Identity (http://169.254.170.23/v1/credentials, TCP 80). */
    | { kind: "podIdentityAgent" }
    /** The nodes (their kubelets and host-network pods), in the private subnets. */
    | { kind: "nodes" }
    /**
     * Load balancers of the AWS Load Balancer Controller with target type `ip`: their nodes send
     * from their own addresses in the subnets they live in (internal: the private subnets;
     * internet-facing: the public ones), health checks included.
     */
    | { kind: "loadBalancers"; scheme: LoadBalancerScheme };

export interface TrafficRule {
    /** Why this hole exists; becomes the NetworkPolicy's description annotation. */
    description: string;
    direction: "ingress" | "egress";
    peer: TrafficPeer;
    /** At least one: a NetworkPolicy rule without ports would open every port. */
    ports: PortSpec[];
    /** Pods in this namespace the rule applies to (all when omitted). */
    podLabels?: Record<string, string>;
    /**
     * NetworkPolicy name (a DNS label) saying what it allows, e.g. `allow-apiserver`: a name
     * that does not depend on the rule's position, so adding or reordering rules replaces nothing.
     */
    name: string;
}

/** Resource guard rails: a ResourceQuota and a LimitRange for containers. */
export interface NamespaceLimits {
    /** ResourceQuota `hard`, keyed as Kubernetes names the resources (`requests.cpu`, `pods`...). */
    quota: Record<string, string>;
    /** What a container without its own requests/limits gets, and the most any one may ask for. */
    container: {
        defaultRequest: { cpu: string; memory: string };
        default: { cpu: string; memory: string };
        max?: { cpu: string; memory: string };
    };
}

/**
 * The guard rails of a platform add-on's namespace: a quota above the add-on's rollout peak
 * (requests and limits capped alike, no load balancers or node ports) and a LimitRange that
 * sizes any container the chart leaves unsized.
 */
export function addonNamespaceLimits(cpu: string, memory: string, pods: string, max: { cpu: string; memory: string } = { cpu: "2", memory: "2Gi" }): NamespaceLimits {
    return {
        quota: { "requests.cpu": cpu, "requests.memory": memory, "limits.cpu": cpu, "limits.memory": memory, pods, "services.loadbalancers": "0", "services.nodeports": "0" },
        container: { defaultRequest: { cpu: "50m", memory: "64Mi" }, default: { cpu: "200m", memory: "256Mi" }, max },
    };
}

/** Ingress from Prometheus (the monitoring namespace) to an add-on's metrics port. */
export function scrapedByMonitoring(description: string, port: number, name = "allow-scrape-from-monitoring"): TrafficRule {
    return {
        name,
        description,
        direction: "ingress",
        peer: { kind: "namespace", namespace: PLATFORM_NAMESPACES.monitoring },
        ports: [{ port }],
    };
}

export interface LockedNamespaceArgs {
    cluster: ClusterContext;
    name: string;
    podSecurity: PodSecurityLevel;
    /** Required for anything weaker than `restricted`: written onto the namespace. */
    podSecurityException?: string;
    labels?: Record<string, string>;
    /** Extra annotations on the Namespace (e.g. owners). */
    annotations?: Record<string, string>;
    rules: TrafficRule[];
    /** Optional ResourceQuota (`resource-quota`) and LimitRange (`container-limits`). */
    limits?: NamespaceLimits;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const POD_SECURITY_EXCEPTION_ANNOTATION = "platform.eks.aws/pod-security-exception";

/**
 * A namespace born locked down: Pod Security admission at the given level (enforce, audit,
 * warn, version pinned), default deny of all ingress and egress, DNS to CoreDNS, only the
 * allows declared in `rules`, and a `default` ServiceAccount that mounts no API token.
 */
export class LockedNamespace extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly name: pulumi.Output<string>;
    /** Server-side apply of `automountServiceAccountToken: false` onto the `default` ServiceAccount. */
    readonly defaultServiceAccount: k8s.core.v1.ServiceAccountPatch;
    readonly quota?: k8s.core.v1.ResourceQuota;
    readonly limitRange?: k8s.core.v1.LimitRange;

    constructor(name: string, args: LockedNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validated before anything registers: bad rules leave no half-built component behind.
        super("platform:index:LockedNamespace", name, validated(args), opts);
        const provider = args.cluster.provider;
        this.namespace = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: args.name,
                    // Pod Security labels last: extra labels can never weaken them.
                    labels: { ...args.labels, ...podSecurityLabels(args.podSecurity) },
                    annotations: namespaceAnnotations(args),
                },
            },
            { parent: this, provider },
        );
        this.name = this.namespace.metadata.name;
        const childOpts = { parent: this, provider, dependsOn: [this.namespace] };
        new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, defaultDeny(args.name), childOpts);
        new k8s.networking.v1.NetworkPolicy(`${name}-allow-dns`, allowDns(args.name), childOpts);
        for (const rule of args.rules) {
            new k8s.networking.v1.NetworkPolicy(`${name}-${rule.name}`, allowRule(args.name, rule, args.cluster), childOpts);
        }
        // The ServiceAccount controller creates `default` moments after the namespace; a
        // server-side apply creates or updates it, so there is no race. Deleting this resource
        // only gives the field back; the ServiceAccount stays.
        this.defaultServiceAccount = new k8s.core.v1.ServiceAccountPatch(
            `${name}-default-sa`,
            { metadata: { name: "default", namespace: args.name }, automountServiceAccountToken: false },
            childOpts,
        );
        if (args.limits) {
            const metadata = (objectName: string) => ({ name: objectName, namespace: args.name, labels: args.labels, annotations: args.annotations });
            this.quota = new k8s.core.v1.ResourceQuota(`${name}-quota`, { metadata: metadata("resource-quota"), spec: { hard: { ...args.limits.quota } } }, childOpts);
            const { container } = args.limits;
            this.limitRange = new k8s.core.v1.LimitRange(
                `${name}-limits`,
                {
                    metadata: metadata("container-limits"),
                    spec: {
                        limits: [
                            {
                                type: "Container",
                                defaultRequest: { ...container.defaultRequest },
                                default: { ...container.default },
                                ...(container.max ? { max: { ...container.max } } : {}),
                            },
                        ],
                    },
                },
                childOpts,
            );
        }
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

/** Throws on rules that would be broader than they look; returns the component's (empty) inputs. */
function validated(args: LockedNamespaceArgs): Record<string, never> {
    const problems: string[] = [];
    if (!DNS_LABEL.test(args.name)) problems.push(`"${args.name}" is not a DNS label`);
    if (args.podSecurity !== "restricted" && !args.podSecurityException) {
        problems.push(`Pod Security "${args.podSecurity}" needs a written podSecurityException`);
    }
    const names = new Set<string>(["default-deny-all", "allow-dns-to-coredns"]);
    args.rules.forEach((rule, index) => {
        const where = `rule ${index} (${rule.description})`;
        if (rule.ports.length === 0) problems.push(`${where}: needs at least one port (no ports would allow every port)`);
        for (const { port } of rule.ports) {
            if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`${where}: port ${port} is not 1-65535`);
        }
        if (rule.peer.kind === "namespace" && !DNS_LABEL.test(rule.peer.namespace)) {
            problems.push(`${where}: peer namespace "${rule.peer.namespace}" is not a namespace name`);
        }
        if (rule.podLabels !== undefined && Object.keys(rule.podLabels).length === 0) {
            problems.push(`${where}: empty podLabels would select every pod; omit it instead`);
        }
        if (rule.peer.kind === "namespace" && rule.peer.podLabels !== undefined && Object.keys(rule.peer.podLabels).length === 0) {
            problems.push(`${where}: empty peer podLabels; omit it to mean every pod of the namespace`);
        }
        if (!DNS_LABEL.test(rule.name)) problems.push(`${where}: name "${rule.name}" is not a DNS label`);
        if (/^allow-(ingress|egress)-\d+$/.test(rule.name)) problems.push(`${where}: name "${rule.name}" says where the rule is, not what it allows`);
        if (names.has(rule.name)) problems.push(`${where}: NetworkPolicy name "${rule.name}" is used twice`);
        names.add(rule.name);
    });
    if (problems.length > 0) throw new Error(`namespace ${args.name}: ${problems.join("; ")}`);
    return {};
}

function namespaceAnnotations(args: LockedNamespaceArgs): Record<string, string> | undefined {
    const annotations = { ...args.annotations };
    if (args.podSecurityException) annotations[POD_SECURITY_EXCEPTION_ANNOTATION] = args.podSecurityException;
    return Object.keys(annotations).length > 0 ? annotations : undefined;
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
                            namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: COREDNS.namespace } },
                            podSelector: { matchLabels: { ...COREDNS.podLabels } },
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

type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

const ipBlocks = (cidrs: string[]): NetworkPolicyPeer[] => cidrs.map((cidr) => ({ ipBlock: { cidr } }));

function peersOf(peer: TrafficPeer, cluster: ClusterContext): pulumi.Input<pulumi.Input<NetworkPolicyPeer>[]> {
    switch (peer.kind) {
        case "namespace":
            return [
                {
                    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } },
                    ...(peer.podLabels ? { podSelector: { matchLabels: peer.podLabels } } : {}),
                },
            ];
        case "apiServer":
            return pulumi.all([cluster.apiServerServiceIp, cluster.privateSubnetCidrs]).apply(([ip, subnets]) => ipBlocks([`${ip}/32`, ...subnets]));
        case "controlPlane":
        case "nodes":
            return cluster.privateSubnetCidrs.apply(ipBlocks);
        case "awsApis":
            return cluster.notInternetCidrs.apply((except) => [{ ipBlock: { cidr: ANYWHERE_IPV4, except } }]);
        case "loadBalancers":
            return (peer.scheme === "internal" ? cluster.privateSubnetCidrs : cluster.publicSubnetCidrs).apply((cidrs) => {
                // An empty `from` would admit every source: config refuses internet-facing ports without public subnets.
                if (cidrs.length === 0) throw new Error(`no subnets for ${peer.scheme} load balancers`);
                return ipBlocks(cidrs);
            });
        case "podIdentityAgent":
            return [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }];
    }
}

function allowRule(namespace: string, rule: TrafficRule, cluster: ClusterContext): k8s.networking.v1.NetworkPolicyArgs {
    const ports = rule.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" }));
    const peers = peersOf(rule.peer, cluster);
    const direction = rule.direction === "ingress" ? { ingress: [{ from: peers, ports }] } : { egress: [{ to: peers, ports }] };
    return {
        metadata: { name: rule.name, namespace, annotations: { "platform.eks.aws/description": rule.description } },
        spec: {
            podSelector: rule.podLabels ? { matchLabels: rule.podLabels } : {},
            policyTypes: [rule.direction === "ingress" ? "Ingress" : "Egress"],
            ...direction,
        },
    };
}
