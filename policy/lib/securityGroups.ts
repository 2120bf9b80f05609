// Security group ingress, read the same way from every resource that can carry it: inline rules
// of aws.ec2.SecurityGroup / DefaultSecurityGroup, aws.ec2.SecurityGroupRule (type ingress) and
// aws.vpc.SecurityGroupIngressRule; IPv4 and IPv6; protocol -1, numbers or names; port ranges.
// Exposure is judged on the union of the CIDRs of every rule of one resource that admits a port,
// so two rules for 0.0.0.0/1 and 128.0.0.0/1 expose that port as surely as one for 0.0.0.0/0.
import { opensToInternet } from "./cidr";
import { UnknownCollector } from "./unknowns";
import { asArray, asRecord, asString, Props, stringList } from "./values";

export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
export const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const SECURITY_GROUP_TYPES = [SECURITY_GROUP, DEFAULT_SECURITY_GROUP, SECURITY_GROUP_RULE, SECURITY_GROUP_INGRESS_RULE];

/** ICMP and every other protocol have no ports: "other". */
export type Protocol = "all" | "tcp" | "udp" | "other";
export type PortProtocol = "tcp" | "udp";

export interface IngressRule {
    /** Where the rule sits, for messages: "ingress rule 0", "security group rule". */
    label: string;
    protocol: Protocol;
    fromPort: number;
    toPort: number;
    cidrs: string[];
}

/** A port range of one protocol that the union of some rules opens to the whole internet. */
export interface Exposure {
    protocol: PortProtocol;
    fromPort: number;
    toPort: number;
    rules: IngressRule[];
}

const MAX_PORT = 65535;

export function normaliseProtocol(value: unknown): Protocol {
    const text = String(value).trim().toLowerCase();
    if (text === "-1" || text === "all") return "all";
    if (text === "tcp" || text === "6") return "tcp";
    if (text === "udp" || text === "17") return "udp";
    return "other";
}

function port(value: unknown, fallback: number): number {
    const number = typeof value === "number" ? value : Number(value);
    // Number(undefined) is NaN; Number(null) is 0 but null is unset.
    return value === null || Number.isNaN(number) || number < 0 ? fallback : number;
}

function ruleFrom(record: Props, label: string): IngressRule {
    const protocol = normaliseProtocol(record.protocol ?? record.ipProtocol);
    const cidrs = [...stringList(record.cidrBlocks), ...stringList(record.ipv6CidrBlocks)];
    for (const key of ["cidrIpv4", "cidrIpv6"]) {
        const cidr = asString(record[key]);
        if (cidr) cidrs.push(cidr);
    }
    const ported = protocol === "tcp" || protocol === "udp";
    return {
        label,
        protocol,
        fromPort: ported ? port(record.fromPort, 0) : 0,
        toPort: ported ? port(record.toPort, MAX_PORT) : MAX_PORT,
        cidrs,
    };
}

/** Every ingress rule a resource declares; an unknown rule is skipped (and remembered by `unknowns`). */
export function ingressRules(type: string, props: Props, unknowns: UnknownCollector): IngressRule[] {
    const rules: IngressRule[] = [];
    if (type === SECURITY_GROUP || type === DEFAULT_SECURITY_GROUP) {
        unknowns.each(asArray(props.ingress), (rule, i) => {
            const record = asRecord(rule);
            if (record) rules.push(ruleFrom(record, `ingress rule ${i}`));
        });
    } else if (type === SECURITY_GROUP_RULE) {
        if (props.type === "ingress") rules.push(ruleFrom(props, "security group rule"));
    } else if (type === SECURITY_GROUP_INGRESS_RULE) {
        rules.push(ruleFrom(props, "security group ingress rule"));
    }
    return rules;
}

function admits(rule: IngressRule, portNumber: number): boolean {
    return rule.fromPort <= portNumber && portNumber <= rule.toPort;
}

/**
 * The port ranges open to the internet, per protocol. Between two consecutive rule boundaries the
 * set of admitting rules is constant, so each such interval is judged once on their CIDR union.
 */
export function internetExposures(rules: readonly IngressRule[]): Exposure[] {
    const exposures: Exposure[] = [];
    for (const protocol of ["tcp", "udp"] as const) {
        const relevant = rules.filter((r) => r.protocol === "all" || r.protocol === protocol);
        const bounds = [...new Set([0, MAX_PORT + 1, ...relevant.flatMap((r) => [r.fromPort, r.toPort + 1])])]
            .filter((b) => b <= MAX_PORT + 1)
            .sort((a, b) => a - b);
        for (let i = 0; i + 1 < bounds.length; i++) {
            const [fromPort, toPort] = [bounds[i], bounds[i + 1] - 1];
            const admitting = relevant.filter((r) => admits(r, fromPort));
            if (opensToInternet(admitting.flatMap((r) => r.cidrs))) exposures.push({ protocol, fromPort, toPort, rules: admitting });
        }
    }
    return exposures;
}

/** The rules of protocol -1 ("all traffic") whose union is the whole internet, if any. */
export function allTrafficFromInternet(rules: readonly IngressRule[]): IngressRule[] | undefined {
    const all = rules.filter((r) => r.protocol === "all");
    return opensToInternet(all.flatMap((r) => r.cidrs)) ? all : undefined;
}

export function exposureOf(exposures: readonly Exposure[], protocol: PortProtocol, portNumber: number): Exposure | undefined {
    return exposures.find((e) => e.protocol === protocol && e.fromPort <= portNumber && portNumber <= e.toPort);
}

/** "ingress rules 0, 1" and their CIDRs, for a message. */
export function describeRules(rules: readonly IngressRule[]): { labels: string; cidrs: string[] } {
    return { labels: [...new Set(rules.map((r) => r.label))].join(", "), cidrs: [...new Set(rules.flatMap((r) => r.cidrs))] };
}

export function describePorts(exposure: Pick<Exposure, "protocol" | "fromPort" | "toPort">): string {
    const range = exposure.fromPort === exposure.toPort ? `${exposure.fromPort}` : `${exposure.fromPort}-${exposure.toPort}`;
    return `${exposure.protocol.toUpperCase()} ${range}`;
}
