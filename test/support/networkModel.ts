/**
 * NetworkPolicies as the Amazon VPC CNI enforces them, which the mocks cannot show. Sources
 * (read 2026-11-30):
 *
 * - aws/amazon-network-policy-controller-k8s `pkg/resolvers/endpoints.go`: an `ipBlock` peer
 *   becomes its CIDR (minus `except`) and nothing more; a pod-selector peer becomes the IPs of
 *   the pods it selects and, for egress only, the ClusterIPs of the non-headless Services in the
 *   selected namespaces whose `spec.selector` the peer's podSelector matches (an absent
 *   podSelector matches every Service), with the policy's (target) port mapped to the Service's
 *   port. Its comment gives the reason: the node agent's eBPF programs sit on the pod's veth and
 *   see a Service's ClusterIP before kube-proxy rewrites it.
 * - open-telemetry/opentelemetry-operator#5621 (2026): egress to the API server allowed by its
 *   endpoint IPs is dropped on the AWS VPC CNI, because in-cluster clients dial the `kubernetes`
 *   Service ClusterIP and egress is enforced before DNAT.
 * - aws/aws-network-policy-agent#65: traffic between a pod and its own node's IP is always
 *   allowed (kubelet probes); not needed by any flow below, so not modeled.
 * - Kubernetes NetworkPolicy semantics: a pod selected by no policy of a direction is open in
 *   that direction; selected pods accept only what some rule allows; a connection needs the
 *   source's egress and the destination's ingress.
 *
 * An address is where an endpoint may be: pod and node IPs anywhere in the private subnets (the
 * VPC CNI takes pod IPs from the node's subnet), the control plane's ENIs in the cluster's
 * subnets (the private ones). An ipBlock that covers only part of an endpoint's addresses allows
 * it "sometimes": not enough for a needed flow, too much for an undeclared one.
 */

export type Verdict = "always" | "sometimes" | "never";
export type Protocol = "TCP" | "UDP";

/** A set of IPv4 addresses as sorted, disjoint, inclusive ranges. */
export class Addresses {
    private constructor(readonly ranges: ReadonlyArray<readonly [number, number]>) {}

    static none(): Addresses {
        return new Addresses([]);
    }

    static of(...cidrs: string[]): Addresses {
        return cidrs.reduce((set, cidr) => set.union(new Addresses([rangeOf(cidr)])), Addresses.none());
    }

    union(other: Addresses): Addresses {
        const all = [...this.ranges, ...other.ranges].sort((a, b) => a[0] - b[0]);
        const merged: Array<[number, number]> = [];
        for (const [lo, hi] of all) {
            const last = merged[merged.length - 1];
            if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
            else merged.push([lo, hi]);
        }
        return new Addresses(merged);
    }

    minus(other: Addresses): Addresses {
        let result: Array<[number, number]> = this.ranges.map(([lo, hi]) => [lo, hi]);
        for (const [olo, ohi] of other.ranges) {
            result = result.flatMap(([lo, hi]): Array<[number, number]> => {
                if (ohi < lo || olo > hi) return [[lo, hi]];
                const parts: Array<[number, number]> = [];
                if (olo > lo) parts.push([lo, olo - 1]);
                if (ohi < hi) parts.push([ohi + 1, hi]);
                return parts;
            });
        }
        return new Addresses(result);
    }

    isEmpty(): boolean {
        return this.ranges.length === 0;
    }

    /** How much of this set `block` covers: all of it, part of it, or none. */
    coveredBy(block: Addresses): Verdict {
        const rest = this.minus(block);
        if (this.isEmpty() || sameRanges(rest, this)) return "never";
        return rest.isEmpty() ? "always" : "sometimes";
    }
}

function sameRanges(a: Addresses, b: Addresses): boolean {
    return a.ranges.length === b.ranges.length && a.ranges.every(([lo, hi], i) => lo === b.ranges[i][0] && hi === b.ranges[i][1]);
}

function rangeOf(cidr: string): [number, number] {
    const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(cidr);
    if (!match) throw new Error(`not an IPv4 CIDR: ${cidr}`);
    const base = match.slice(1, 5).reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const prefix = match[5] === undefined ? 32 : Number(match[5]);
    const size = 2 ** (32 - prefix);
    const start = base - (base % size);
    return [start, start + size - 1];
}

/** The n-th address of a CIDR, as a /32 (the `kubernetes` Service takes the first of the service range). */
export function nthAddress(cidr: string, n: number): string {
    const [start] = rangeOf(cidr);
    const value = start + n;
    return `${[24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".")}/32`;
}

export interface PortSpec {
    port: number;
    protocol: Protocol;
}

/** Pods of one kind, as NetworkPolicies see them. */
export interface Workload {
    kind: "pod";
    /** `namespace/name`, e.g. `monitoring/prometheus`. */
    id: string;
    namespace: string;
    labels: Record<string, string>;
    /** Host-network pods have node IPs and are selected by no NetworkPolicy. */
    hostNetwork?: boolean;
    /** Ports it serves; `any` for tenant workloads the platform does not know. */
    listens: PortSpec[] | "any";
}

/** Anything that is not a pod: the API server, kubelets, the internet, link-local agents. */
export interface External {
    kind: "external";
    id: string;
    addresses: Addresses;
    listens: PortSpec[] | "any";
}

export type Endpoint = Workload | External;

export interface ServicePort {
    port: number;
    targetPort: number;
    protocol: Protocol;
}

/** A ClusterIP Service: reached at `clusterIp`, forwarded to its pods (selector) or to an external endpoint. */
export interface Service {
    namespace: string;
    name: string;
    clusterIp: Addresses;
    /** Absent: a Service without selector (its endpoints are given), e.g. `default/kubernetes`. */
    selector?: Record<string, string>;
    /** The endpoint behind a Service without selector. */
    backend?: string;
    ports: ServicePort[];
}

export interface Flow {
    /** A workload id, or `namespace/*` for every pod of the namespace. */
    from: string;
    to: string;
    port: number;
    protocol?: Protocol;
    /** Why the platform needs it. */
    why: string;
}

interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

interface Peer {
    ipBlock?: { cidr: string; except?: string[] };
    namespaceSelector?: LabelSelector;
    podSelector?: LabelSelector;
}

interface Rule {
    peers?: Peer[];
    ports?: Array<{ port?: number; endPort?: number; protocol?: Protocol }>;
}

export interface Policy {
    namespace: string;
    name: string;
    podSelector: LabelSelector;
    ingress?: Rule[];
    egress?: Rule[];
    types: Array<"Ingress" | "Egress">;
}

/** A NetworkPolicy as recorded in a plan (its `spec`), in the model's shape. */
export function policyFrom(metadata: { namespace: string; name: string }, spec: Record<string, any>): Policy {
    const rules = (list: any[] | undefined, side: "from" | "to"): Rule[] | undefined => list?.map((rule) => ({ peers: rule[side], ports: rule.ports }));
    const types = (spec.policyTypes as Policy["types"] | undefined) ?? (spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
    return { namespace: metadata.namespace, name: metadata.name, podSelector: spec.podSelector ?? {}, ingress: rules(spec.ingress, "from"), egress: rules(spec.egress, "to"), types };
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!selector) return true;
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
    for (const expression of selector.matchExpressions ?? []) {
        const value = labels[expression.key];
        const values = expression.values ?? [];
        const ok =
            expression.operator === "In" ? value !== undefined && values.includes(value)
            : expression.operator === "NotIn" ? value === undefined || !values.includes(value)
            : expression.operator === "Exists" ? value !== undefined
            : expression.operator === "DoesNotExist" ? value === undefined
            : false;
        if (!ok) return false;
    }
    return true;
}

const ORDER: Verdict[] = ["never", "sometimes", "always"];
const best = (verdicts: Verdict[]): Verdict => verdicts.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), "never");
const worst = (a: Verdict, b: Verdict): Verdict => (ORDER.indexOf(a) < ORDER.indexOf(b) ? a : b);

/** What one connection attempt looks like on the wire. */
interface Attempt {
    source: Endpoint;
    destination: Endpoint;
    /** Where the client sends the packet and on which port (a ClusterIP and Service port, or the destination itself). */
    via?: Service;
    dialedPort: number;
    /** The port the destination serves on (the Service's targetPort). */
    targetPort: number;
    protocol: Protocol;
}

export interface Verdicts {
    egress: Verdict;
    ingress: Verdict;
    result: Verdict;
}

export interface ClusterAddresses {
    /** Where pods and nodes are (the private subnets). */
    podsAndNodes: Addresses;
}

export class NetworkModel {
    private readonly endpoints = new Map<string, Endpoint>();
    private readonly namespaceLabels = new Map<string, Record<string, string>>();

    constructor(
        readonly policies: Policy[],
        endpoints: Endpoint[],
        readonly services: Service[],
        readonly cluster: ClusterAddresses,
        namespaces: Array<{ name: string; labels?: Record<string, string> }>,
    ) {
        for (const endpoint of endpoints) {
            if (this.endpoints.has(endpoint.id)) throw new Error(`endpoint ${endpoint.id} declared twice`);
            this.endpoints.set(endpoint.id, endpoint);
        }
        for (const namespace of namespaces) this.namespaceLabels.set(namespace.name, { ...namespace.labels, "kubernetes.io/metadata.name": namespace.name });
        for (const endpoint of endpoints) {
            if (endpoint.kind === "pod" && !this.namespaceLabels.has(endpoint.namespace)) this.namespaceLabels.set(endpoint.namespace, { "kubernetes.io/metadata.name": endpoint.namespace });
        }
    }

    endpoint(id: string): Endpoint {
        const found = this.endpoints.get(id);
        if (!found) throw new Error(`unknown endpoint ${id} (have ${[...this.endpoints.keys()].join(", ")})`);
        return found;
    }

    /** Workloads a flow's `from` or `to` names: one id, or every pod of a namespace (`ns/*`). */
    expand(pattern: string): Endpoint[] {
        if (pattern.endsWith("/*")) {
            const namespace = pattern.slice(0, -2);
            const found = [...this.endpoints.values()].filter((e) => e.kind === "pod" && e.namespace === namespace);
            if (found.length === 0) throw new Error(`no workload in namespace ${namespace}`);
            return found;
        }
        return [this.endpoint(pattern)];
    }

    /** Namespaces whose pods some policy restricts: the platform's and the tenants' (default deny). */
    restrictedNamespaces(): Set<string> {
        return new Set(this.policies.map((p) => p.namespace));
    }

    private addressesOf(endpoint: Endpoint): Addresses {
        return endpoint.kind === "external" ? endpoint.addresses : this.cluster.podsAndNodes;
    }

    /** Services a client can dial to reach `destination`. */
    servicesFor(destination: Endpoint): Service[] {
        return this.services.filter((service) =>
            service.selector
                ? destination.kind === "pod" && service.namespace === destination.namespace && selects({ matchLabels: service.selector }, destination.labels)
                : service.backend === destination.id,
        );
    }

    /** Whether a pod-selector peer selects the other end (for egress through a Service: the Service, by its selector). */
    private selectorVerdict(peer: Peer, policyNamespace: string, attempt: Attempt, direction: "ingress" | "egress"): Verdict {
        const namespaces = (namespace: string) =>
            peer.namespaceSelector ? selects(peer.namespaceSelector, this.namespaceLabels.get(namespace) ?? { "kubernetes.io/metadata.name": namespace }) : namespace === policyNamespace;
        if (direction === "egress" && attempt.via) {
            // The controller adds a Service's ClusterIP when the peer's podSelector matches the Service's selector.
            const service = attempt.via;
            if (!service.selector) return "never";
            return namespaces(service.namespace) && selects(peer.podSelector, service.selector) ? "always" : "never";
        }
        const other = direction === "egress" ? attempt.destination : attempt.source;
        if (other.kind !== "pod") return "never";
        return namespaces(other.namespace) && selects(peer.podSelector, other.labels) ? "always" : "never";
    }

    private portMatches(rule: Rule, port: number, protocol: Protocol): boolean {
        if (!rule.ports || rule.ports.length === 0) return true;
        return rule.ports.some((p) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || (p.endPort ? port >= p.port && port <= p.endPort : port === p.port)));
    }

    private directionVerdict(attempt: Attempt, direction: "ingress" | "egress"): Verdict {
        const subject = direction === "egress" ? attempt.source : attempt.destination;
        if (subject.kind !== "pod" || subject.hostNetwork) return "always";
        const type = direction === "egress" ? "Egress" : "Ingress";
        const applying = this.policies.filter((p) => p.namespace === subject.namespace && p.types.includes(type) && selects(p.podSelector, subject.labels));
        if (applying.length === 0) return "always";
        // An address is allowed when any ipBlock of a matching rule covers it: the blocks add up.
        let blocks = Addresses.none();
        const verdicts: Verdict[] = [];
        for (const policy of applying) {
            for (const rule of (direction === "egress" ? policy.egress : policy.ingress) ?? []) {
                for (const peer of rule.peers ?? [undefined]) {
                    // Egress to a ClusterIP: an ipBlock sees the dialed Service port; for a selector
                    // peer the controller maps the rule's (target) port to the Service's port.
                    const port = direction === "egress" && attempt.via && (!peer || peer.ipBlock) ? attempt.dialedPort : attempt.targetPort;
                    if (!this.portMatches(rule, port, attempt.protocol)) continue;
                    if (!peer) verdicts.push("always");
                    else if (peer.ipBlock) blocks = blocks.union(Addresses.of(peer.ipBlock.cidr).minus(Addresses.of(...(peer.ipBlock.except ?? []))));
                    else verdicts.push(this.selectorVerdict(peer, policy.namespace, attempt, direction));
                }
            }
        }
        const other = direction === "egress" ? attempt.destination : attempt.source;
        const seen = direction === "egress" && attempt.via ? attempt.via.clusterIp : this.addressesOf(other);
        return best([...verdicts, seen.coveredBy(blocks)]);
    }

    private judge(attempt: Attempt): Verdicts {
        const egress = this.directionVerdict(attempt, "egress");
        const ingress = this.directionVerdict(attempt, "ingress");
        return { egress, ingress, result: worst(egress, ingress) };
    }

    /** Every way `source` can try to reach `destination` on a target port: directly, and through each Service that forwards there. */
    private attempts(source: Endpoint, destination: Endpoint, targetPort: number, protocol: Protocol): Attempt[] {
        const direct: Attempt = { source, destination, dialedPort: targetPort, targetPort, protocol };
        const viaServices = this.servicesFor(destination).flatMap((via) =>
            via.ports.filter((p) => p.targetPort === targetPort && p.protocol === protocol).map((p) => ({ source, destination, via, dialedPort: p.port, targetPort, protocol })),
        );
        return [direct, ...viaServices];
    }

    /**
     * A needed flow works if the way its client really connects is always allowed: through the
     * destination's Service when it has one (what clients dial), else directly.
     */
    evaluate(flow: Flow): Array<{ from: string; verdicts: Verdicts }> {
        const protocol = flow.protocol ?? "TCP";
        return this.expand(flow.from).map((source) => {
            const destination = this.endpoint(flow.to);
            const ways = this.attempts(source, destination, flow.port, protocol);
            const dialed = ways.find((w) => w.via) ?? ways[0];
            return { from: source.id, verdicts: this.judge(dialed) };
        });
    }

    /** Every connection the policies allow (always or sometimes) from a pod of a restricted namespace, by any way. */
    allowedConnections(extraPorts: PortSpec[]): Array<{ from: string; to: string; port: number; protocol: Protocol; verdict: Verdict; via?: string }> {
        const restricted = this.restrictedNamespaces();
        const sources = [...this.endpoints.values()].filter((e): e is Workload => e.kind === "pod" && restricted.has(e.namespace) && !e.hostNetwork);
        const policyPorts: PortSpec[] = this.policies.flatMap((p) => [...(p.ingress ?? []), ...(p.egress ?? [])].flatMap((r) => (r.ports ?? []).filter((x) => x.port !== undefined).map((x) => ({ port: x.port!, protocol: x.protocol ?? "TCP" }))));
        const anyPorts = uniquePorts([...policyPorts, ...extraPorts]);
        const found: Array<{ from: string; to: string; port: number; protocol: Protocol; verdict: Verdict; via?: string }> = [];
        for (const source of sources) {
            for (const destination of this.endpoints.values()) {
                if (destination === source) continue;
                for (const { port, protocol } of destination.listens === "any" ? anyPorts : destination.listens) {
                    for (const attempt of this.attempts(source, destination, port, protocol)) {
                        const { result } = this.judge(attempt);
                        if (result !== "never") found.push({ from: source.id, to: destination.id, port, protocol, verdict: result, via: attempt.via ? `${attempt.via.namespace}/${attempt.via.name}` : undefined });
                    }
                }
            }
        }
        return found;
    }

    /**
     * Every connection the policies admit into pods of `namespaces` from endpoints outside the
     * cluster's pods (load balancers, the internet): only the destination's ingress decides.
     * Host-network pods are left out: no NetworkPolicy governs them (the nodes' security group does).
     */
    allowedFromOutside(sourceIds: string[], namespaces: Set<string>, extraPorts: PortSpec[] = []): Array<{ from: string; to: string; port: number; protocol: Protocol; verdict: Verdict }> {
        const policyPorts: PortSpec[] = this.policies.flatMap((p) => (p.ingress ?? []).flatMap((r) => (r.ports ?? []).filter((x) => x.port !== undefined).map((x) => ({ port: x.port!, protocol: x.protocol ?? "TCP" }))));
        const anyPorts = uniquePorts([...policyPorts, ...extraPorts]);
        const found: Array<{ from: string; to: string; port: number; protocol: Protocol; verdict: Verdict }> = [];
        for (const source of sourceIds.map((id) => this.endpoint(id))) {
            for (const destination of this.endpoints.values()) {
                if (destination.kind !== "pod" || destination.hostNetwork || !namespaces.has(destination.namespace)) continue;
                for (const { port, protocol } of destination.listens === "any" ? anyPorts : destination.listens) {
                    const { result } = this.judge({ source, destination, dialedPort: port, targetPort: port, protocol });
                    if (result !== "never") found.push({ from: source.id, to: destination.id, port, protocol, verdict: result });
                }
            }
        }
        return found;
    }

    /** Whether a declared flow covers a connection from `source` to `destination` on a port. */
    declares(flows: Flow[], source: string, destination: string, port: number, protocol: Protocol): boolean {
        return flows.some((f) => f.to === destination && f.port === port && (f.protocol ?? "TCP") === protocol && this.expand(f.from).some((e) => e.id === source));
    }
}

function uniquePorts(ports: PortSpec[]): PortSpec[] {
    const seen = new Map<string, PortSpec>();
    for (const p of ports) seen.set(`${p.port}/${p.protocol}`, p);
    return [...seen.values()];
}
