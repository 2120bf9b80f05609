// The network readings under the AWS and load-balancer policies, at the edges where a wrong line
// would let an open port, a world-open CIDR set or an internet-facing load balancer through:
// CIDR unions in any order and at the last address, protocols as the AWS provider accepts them
// ("-1"/"all", names or numbers, any case), unset and odd ports, port intervals, and the
// Service/Ingress annotations the AWS Load Balancer Controller reads.
import { describe, expect, it } from "vitest";
import { coveredFamilies } from "../../policy/lib/cidr";
import { ingressRules } from "../../policy/lib/securityGroups";
import { k8s, resource, violationsOf } from "./helpers";

type Props = Record<string, unknown>;
const sg = (...ingress: Props[]) => resource("aws:ec2/securityGroup:SecurityGroup", { ingress }, "sg");
const WORLD = ["0.0.0.0/0"];
const SSH = "ssh-not-open-to-world";
const PORTS = "security-group-authorized-ports";
const HIGH_RISK = "security-group-high-risk-ports";

/** A dotted IPv4 address from its number. */
const ipv4 = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join(".");

describe("CIDR unions at their edges", () => {
    it("covers the internet whatever the order of the CIDRs, also with a range nested in an earlier one", () => {
        expect(coveredFamilies(["192.0.0.0/2", "128.0.0.0/2", "64.0.0.0/2", "0.0.0.0/2"])).toEqual(["ipv4"]);
        expect(coveredFamilies(["c000::/2", "8000::/2", "4000::/2", "::/2"])).toEqual(["ipv6"]);
        expect(coveredFamilies(["0.0.0.0/1", "10.0.0.0/8", "128.0.0.0/1"])).toEqual(["ipv4"]);
        expect(coveredFamilies(["not-a-cidr", "300.0.0.0/1", "::/129", "0.0.0.0/0"])).toEqual(["ipv4"]);
    });

    it("adds up single addresses: 0.0.0.0/32, 0.0.0.1/32, 0.0.0.2/31 ... 128.0.0.0/1 is the whole IPv4 internet", () => {
        const cidrs = ["0.0.0.0/32", ...Array.from({ length: 32 }, (_, k) => `${ipv4(2 ** k)}/${32 - k}`)];
        expect(cidrs.slice(0, 4)).toEqual(["0.0.0.0/32", "0.0.0.1/32", "0.0.0.2/31", "0.0.0.4/30"]);
        expect(cidrs.at(-1)).toBe("128.0.0.0/1");
        expect(coveredFamilies(cidrs)).toEqual(["ipv4"]);
    });

    it("is not the internet when only the last address (255.255.255.255) is missing", () => {
        // 0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/3 ... 255.255.255.254/32
        const cidrs = Array.from({ length: 32 }, (_, k) => `${ipv4(2 ** 32 - 2 ** (32 - k))}/${k + 1}`);
        expect(cidrs.slice(0, 3)).toEqual(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"]);
        expect(cidrs.at(-1)).toBe("255.255.255.254/32");
        expect(coveredFamilies(cidrs)).toEqual([]);
        expect(coveredFamilies([...cidrs, "255.255.255.255/32"])).toEqual(["ipv4"]);
    });

    it("reads CIDRs with stray whitespace, and names the whole internet as the rule wrote it", () => {
        expect(violationsOf(SSH, [sg({ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [" 0.0.0.0/0 "] })])).toEqual(["ingress rule 0 opens SSH (port 22) to  0.0.0.0/0 "]);
        expect(violationsOf(SSH, [sg({ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0 "] })])).toEqual(["ingress rule 0 opens SSH (port 22) to ::/0 "]);
    });

    it("names split families in a message: IPv6, both, and a literal 0.0.0.0/0 beside a split IPv6 internet", () => {
        const ssh = (cidrBlocks: string[], ipv6CidrBlocks: string[]) => violationsOf(SSH, [sg({ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks, ipv6CidrBlocks })]);
        expect(ssh([], ["::/1", "8000::/1"])).toEqual(["ingress rule 0 opens SSH (port 22) to the whole IPv6 internet (::/1, 8000::/1)"]);
        expect(ssh(["0.0.0.0/1", "128.0.0.0/1"], ["::/1", "8000::/1"])).toEqual([
            "ingress rule 0 opens SSH (port 22) to the whole IPv4 and IPv6 internet (0.0.0.0/1, 128.0.0.0/1, ::/1, 8000::/1)",
        ]);
        expect(ssh(["0.0.0.0/0"], ["::/1", "8000::/1"])).toEqual(["ingress rule 0 opens SSH (port 22) to the whole IPv4 and IPv6 internet (0.0.0.0/0, ::/1, 8000::/1)"]);
        expect(ssh(["0.0.0.0/0"], ["::/0"])).toEqual(["ingress rule 0 opens SSH (port 22) to 0.0.0.0/0, ::/0"]);
    });
});

describe("security group protocols as the AWS provider accepts them", () => {
    it("reads -1 and all as every protocol", () => {
        for (const protocol of ["-1", "all", "ALL"]) {
            expect(violationsOf(PORTS, [sg({ protocol, fromPort: 0, toPort: 0, cidrBlocks: WORLD })]), protocol).toEqual([
                "ingress rule 0 opens all traffic (every protocol and port) to 0.0.0.0/0",
            ]);
        }
    });

    it("reads udp and 17 as UDP, with its own high-risk and authorized ports", () => {
        expect(violationsOf(HIGH_RISK, [sg({ protocol: "udp", fromPort: 3389, toPort: 3389, cidrBlocks: WORLD })])).toEqual(["ingress rule 0 opens high-risk port UDP 3389 to 0.0.0.0/0"]);
        expect(violationsOf(PORTS, [sg({ protocol: "17", fromPort: 53, toPort: 53, cidrBlocks: WORLD })])).toEqual(["ingress rule 0 opens UDP 53 to 0.0.0.0/0"]);
        expect(violationsOf(PORTS, [sg({ protocol: "udp", fromPort: 53, toPort: 53, cidrBlocks: WORLD })], { [PORTS]: { authorizedUdpPorts: [53] } })).toEqual([]);
    });

    it("reads a protocol in capitals or with stray whitespace (a hand-written manifest) rather than taking it for another protocol", () => {
        expect(violationsOf(SSH, [sg({ protocol: "TCP", fromPort: 22, toPort: 22, cidrBlocks: WORLD })])).toEqual(["ingress rule 0 opens SSH (port 22) to 0.0.0.0/0"]);
        expect(violationsOf(SSH, [sg({ protocol: " tcp ", fromPort: 22, toPort: 22, cidrBlocks: WORLD })])).toEqual(["ingress rule 0 opens SSH (port 22) to 0.0.0.0/0"]);
    });

    it("does not take ICMP (icmp, 1, icmpv6, 58) with its type and code in the port fields for open ports", () => {
        for (const protocol of ["icmp", "1", "icmpv6", "58"]) {
            const open = [sg({ protocol, fromPort: 8, toPort: 0, cidrBlocks: WORLD, ipv6CidrBlocks: ["::/0"] }), sg({ protocol, fromPort: -1, toPort: -1, cidrBlocks: WORLD })];
            for (const policy of [SSH, PORTS, HIGH_RISK]) expect(violationsOf(policy, open), `${policy} ${protocol}`).toEqual([]);
        }
    });
});

// The report lists a policy's messages in text order.
describe("security group ports", () => {
    const rule = (props: Props) => resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { ipProtocol: "tcp", cidrIpv4: "0.0.0.0/0", ...props }, "rule");

    it("reads a TCP rule without ports, with -1 or with a null toPort as every port", () => {
        for (const ports of [{}, { fromPort: -1, toPort: -1 }, { fromPort: 0, toPort: null }, { fromPort: null, toPort: 65535 }, { fromPort: "x", toPort: 65535 }]) {
            expect(violationsOf(SSH, [rule(ports)]), JSON.stringify(ports)).toEqual(["security group ingress rule opens SSH (port 22) to 0.0.0.0/0"]);
        }
    });

    it("reads toPort 0 as port 0 alone", () => {
        expect(violationsOf(PORTS, [rule({ fromPort: 0, toPort: 0 })])).toEqual(["security group ingress rule opens TCP 0 to 0.0.0.0/0"]);
        expect(violationsOf(SSH, [rule({ fromPort: 0, toPort: 0 })])).toEqual([]);
    });

    it("judges the ingress of a DefaultSecurityGroup", () => {
        const open = resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: WORLD }] }, "default");
        expect(violationsOf(SSH, [open])).toEqual(["ingress rule 0 opens SSH (port 22) to 0.0.0.0/0"]);
    });

    it("reads no ingress from an egress rule or another resource", () => {
        const unknowns = { each: () => undefined } as unknown as Parameters<typeof ingressRules>[2];
        const props = { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" };
        expect(ingressRules("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", props, unknowns)).toEqual([]);
        expect(ingressRules("aws:ec2/securityGroupRule:SecurityGroupRule", { ...props, type: "egress" }, unknowns)).toEqual([]);
    });

    it("keeps the port intervals of one protocol apart from the other's rules", () => {
        expect(violationsOf(PORTS, [sg({ protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: WORLD }, { protocol: "udp", fromPort: 53, toPort: 53, cidrBlocks: WORLD })])).toEqual([
            "ingress rule 0 opens TCP 0-79 to 0.0.0.0/0",
            "ingress rule 0 opens TCP 444-65535 to 0.0.0.0/0",
            "ingress rule 0 opens TCP 81-442 to 0.0.0.0/0",
            "ingress rule 1 opens UDP 53 to 0.0.0.0/0",
        ]);
    });

    it("splits overlapping rules written in any order into the intervals each set of rules opens", () => {
        expect(violationsOf(PORTS, [sg({ protocol: "tcp", fromPort: 3000, toPort: 4000, cidrBlocks: WORLD }, { protocol: "tcp", fromPort: 1000, toPort: 5000, cidrBlocks: WORLD })])).toEqual([
            "ingress rule 0, ingress rule 1 opens TCP 3000-4000 to 0.0.0.0/0",
            "ingress rule 1 opens TCP 1000-2999 to 0.0.0.0/0",
            "ingress rule 1 opens TCP 4001-5000 to 0.0.0.0/0",
        ]);
    });

    it("reports the ephemeral range 1024-65535 as one range up to the last port", () => {
        expect(violationsOf(PORTS, [rule({ fromPort: 1024, toPort: 65535 })])).toEqual(["security group ingress rule opens TCP 1024-65535 to 0.0.0.0/0"]);
    });

    it("judges a toPort above 65535 (which AWS refuses) on the real ports only", () => {
        expect(violationsOf(PORTS, [rule({ fromPort: 0, toPort: 70000 })])).toEqual([
            "security group ingress rule opens TCP 0-79 to 0.0.0.0/0",
            "security group ingress rule opens TCP 444-65535 to 0.0.0.0/0",
            "security group ingress rule opens TCP 81-442 to 0.0.0.0/0",
        ]);
    });
});

describe("load balancers as the AWS Load Balancer Controller reads them", () => {
    const POLICY = "k8s-internal-load-balancer";
    const ACM = "arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const web = k8s("core/v1:Namespace", { metadata: { name: "web", labels: { "platform.eks.aws/internet-facing": "allowed" } } }, "web");
    const service = (namespace: string, annotations: Record<string, string>, spec: Props = {}) =>
        k8s("core/v1:Service", { metadata: { name: "s", namespace, annotations }, spec: { type: "LoadBalancer", ports: [{ name: "tls", port: 443 }], ...spec } }, `s-${namespace}`);
    const ingress = (namespace: string, annotations: Record<string, string>, spec: Props = {}) =>
        k8s("networking.k8s.io/v1:Ingress", { metadata: { name: "i", namespace, annotations }, spec }, `i-${namespace}`);
    const ingressClass = (name: string, controller: string, annotations: Record<string, string> = {}, parameters?: Props) =>
        k8s("networking.k8s.io/v1:IngressClass", { metadata: { name, annotations }, spec: { controller, ...(parameters ? { parameters } : {}) } }, name);
    const PUBLIC = { "alb.ingress.kubernetes.io/scheme": "internet-facing", "alb.ingress.kubernetes.io/certificate-arn": ACM };

    it("hands a Service annotated nlb-ip to the controller, whose default scheme is internal", () => {
        expect(violationsOf(POLICY, [service("shop", { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb-ip" })])).toEqual([]);
    });

    it("gives an Ingress without a class the default IngressClass, not the first one declared", () => {
        const classes = [ingressClass("nginx", "k8s.io/ingress-nginx"), ingressClass("alb", "ingress.k8s.aws/alb", { "ingressclass.kubernetes.io/is-default-class": "true" })];
        expect(violationsOf(POLICY, [...classes, ingress("shop", { "alb.ingress.kubernetes.io/scheme": "internet-facing" })])).toEqual([
            "Ingress shop/i is an internet-facing load balancer (annotation alb.ingress.kubernetes.io/scheme: internet-facing) in namespace shop, which may not face the internet",
        ]);
    });

    it("takes an Ingress of a class known only by name (the platform's alb-internet-facing) for internet-facing", () => {
        expect(violationsOf(POLICY, [ingress("shop", {}, { ingressClassName: "alb-internet-facing" })])).toEqual([
            "Ingress shop/i is an internet-facing load balancer (IngressClass alb-internet-facing is internet-facing) in namespace shop, which may not face the internet",
        ]);
    });

    it("takes an Ingress of any one of several internet-facing class names for internet-facing", () => {
        const config = { [POLICY]: { internetFacingIngressClasses: ["alb-internet-facing", "alb-public"] } };
        expect(violationsOf(POLICY, [ingress("shop", {}, { ingressClassName: "alb-public" })], config)).toEqual([
            "Ingress shop/i is an internet-facing load balancer (IngressClass alb-public is internet-facing) in namespace shop, which may not face the internet",
        ]);
    });

    it("takes an Ingress with no scheme for internal, with or without a class name", () => {
        expect(violationsOf(POLICY, [ingress("shop", {})])).toEqual([]);
        expect(violationsOf(POLICY, [ingress("shop", {}, { ingressClassName: "alb" })])).toEqual([]);
    });

    it("requires a certificate of an internet-facing Ingress: its annotation, its class's params or spec.tls for discovery", () => {
        const open = { "alb.ingress.kubernetes.io/scheme": "internet-facing" };
        expect(violationsOf(POLICY, [web, ingress("web", open)])).toEqual([
            "Ingress web/i (internet-facing) has no TLS certificate (annotation alb.ingress.kubernetes.io/certificate-arn with an ACM ARN, or spec.tls hosts for the controller to find one in ACM)",
        ]);
        expect(violationsOf(POLICY, [web, ingress("web", open, { tls: [{ hosts: ["shop.example.com"] }] })])).toEqual([]);
        expect(violationsOf(POLICY, [web, ingress("web", PUBLIC)])).toEqual([]);
        const classWith = (certificateArn: unknown[]) => [
            ingressClass("public", "ingress.k8s.aws/alb", {}, { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: "public" }),
            k8s("elbv2.k8s.aws/v1beta1:IngressClassParams", {
                metadata: { name: "public" },
                spec: { scheme: "internet-facing", certificateArn, namespaceSelector: { matchLabels: { "platform.eks.aws/internet-facing": "allowed" } } },
            }, "public-params"),
        ];
        expect(violationsOf(POLICY, [web, ...classWith([ACM]), ingress("web", {}, { ingressClassName: "public" })])).toEqual([]);
        // An entry that is not a string is no certificate.
        expect(violationsOf(POLICY, [web, ...classWith([42]), ingress("web", {}, { ingressClassName: "public" })])).toEqual([
            "Ingress web/i (internet-facing) has no TLS certificate (annotation alb.ingress.kubernetes.io/certificate-arn with an ACM ARN, or spec.tls hosts for the controller to find one in ACM)",
        ]);
    });

    it("requires HTTPS listeners (or a redirect to HTTPS) and a TLS 1.3 policy of an internet-facing Ingress", () => {
        const messages = (annotations: Record<string, string>) => violationsOf(POLICY, [web, ingress("web", { ...PUBLIC, ...annotations })]);
        expect(messages({ "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS": 443}]' })).toEqual([]);
        expect(messages({ "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]' })).toEqual([
            "Ingress web/i (internet-facing) listens on plain HTTP without alb.ingress.kubernetes.io/ssl-redirect (an internet-facing listener serves HTTPS, or only redirects to it)",
        ]);
        expect(messages({ "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]', "alb.ingress.kubernetes.io/ssl-redirect": "443" })).toEqual([]);
        expect(messages({ "alb.ingress.kubernetes.io/listen-ports": "443" })).toEqual([
            'Ingress web/i (internet-facing) annotation alb.ingress.kubernetes.io/listen-ports is not a JSON list of {"HTTPS": port} entries',
        ]);
        expect(messages({ "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-2016-08" })).toEqual([
            "Ingress web/i (internet-facing) alb.ingress.kubernetes.io/ssl-policy ELBSecurityPolicy-2016-08 is not a TLS 1.3 security policy (ELBSecurityPolicy-TLS13-...)",
        ]);
        expect(messages({ "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06" })).toEqual([]);
    });

    it("requires an ACM certificate and TLS on every port of an internet-facing Service", () => {
        const open = (annotations: Record<string, string>, ports: Props[] = [{ name: "tls", port: 443 }]) =>
            violationsOf(POLICY, [web, service("web", { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing", ...annotations }, { loadBalancerClass: "service.k8s.aws/nlb", ports })]);
        const SSL_CERT = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
        const SSL_PORTS = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports";
        expect(open({ [SSL_CERT]: "arn:aws:iam::111122223333:server-certificate/shop", [SSL_PORTS]: "*" })).toEqual([
            "Service web/s (internet-facing) certificate arn:aws:iam::111122223333:server-certificate/shop is not an ACM certificate ARN",
        ]);
        expect(open({ [SSL_CERT]: ACM, [SSL_PORTS]: "*" }, [{ port: 443 }, { port: 8443 }])).toEqual([]);
        expect(open({ [SSL_CERT]: `${ACM}, ${ACM}`, [SSL_PORTS]: "443, 8443" }, [{ port: 443 }, { port: 8443 }])).toEqual([]);
        expect(open({ [SSL_CERT]: ACM, [SSL_PORTS]: "tls" }, [{ name: "tls", port: 443 }, { name: "http", port: 80 }, { port: 8080 }])).toEqual([
            "Service web/s (internet-facing) port http, 8080 is not in service.beta.kubernetes.io/aws-load-balancer-ssl-ports (every internet-facing listener is TLS)",
        ]);
    });

    it("refuses internet-facing IngressClassParams without a namespaceSelector", () => {
        const params = k8s("elbv2.k8s.aws/v1beta1:IngressClassParams", { metadata: { name: "open" }, spec: { scheme: "internet-facing" } }, "open");
        expect(violationsOf(POLICY, [params])).toEqual([
            "IngressClassParams open (scheme internet-facing) admits every namespace: its namespaceSelector must select only namespaces that may face the internet",
        ]);
    });
});
