// Anything reachable from the internet should be a deliberate, short list (a load balancer's 80
// and 443). Wide port ranges and "all traffic" rules are how a forgotten service gets exposed.
import { describeInternet } from "../../lib/cidr";
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { allTrafficFromInternet, describePorts, describeRules, Exposure, ingressRules, internetExposures } from "../../lib/securityGroups";
import { SECURITY_GROUP_TYPES } from "./types";

interface Config {
    authorizedTcpPorts: number[];
    authorizedUdpPorts: number[];
}

/** The parts of an exposed range that are not authorized, as ranges. */
function unauthorized(exposure: Exposure, authorized: readonly number[]): Exposure[] {
    const allowed = new Set(authorized);
    const parts: Exposure[] = [];
    let start: number | undefined;
    for (let port = exposure.fromPort; port <= exposure.toPort + 1; port++) {
        const open = port <= exposure.toPort && !allowed.has(port);
        if (open && start === undefined) start = port;
        if (!open && start !== undefined) {
            parts.push({ ...exposure, fromPort: start, toPort: port - 1 });
            start = undefined;
        }
    }
    return parts;
}

export const securityGroupAuthorizedPorts = defineResourcePolicy<Config>(
    {
        name: "security-group-authorized-ports",
        description: "Security groups may open only authorized ports to the internet (default TCP 80 and 443): no all-traffic rules, no wide ranges.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.18", "Security groups should only allow unrestricted incoming traffic for authorized ports"),
            checkov("CKV_AWS_277", "Ensure no security groups allow ingress from 0.0.0.0:0 to port -1"),
            prowler("ec2_securitygroup_allow_ingress_from_internet_to_all_ports", "Security group does not have all ports open to the Internet"),
            prowler("ec2_securitygroup_allow_ingress_from_internet_to_any_port", "Security group has no 0.0.0.0/0 or ::/0 ingress to any port, or is attached only to allowed interface types or instance owners"),
        ],
        appliesTo: SECURITY_GROUP_TYPES.join(", "),
        remediation: "Open only the listener ports of an internet-facing load balancer; everything else from known CIDRs or security groups.",
        knobs: {
            authorizedTcpPorts: {
                type: "array",
                items: { type: "integer", minimum: 0, maximum: 65535 },
                default: [80, 443],
                description: "TCP ports that may be open to the internet.",
            },
            authorizedUdpPorts: {
                type: "array",
                items: { type: "integer", minimum: 0, maximum: 65535 },
                default: [],
                description: "UDP ports that may be open to the internet.",
            },
        },
    },
    {
        appliesTo: ofTypes(...SECURITY_GROUP_TYPES),
        check(resource) {
            const rules = ingressRules(resource.type, resource.props, resource);
            const allTraffic = allTrafficFromInternet(rules);
            if (allTraffic) {
                const { labels, cidrs } = describeRules(allTraffic);
                resource.report(`${labels} opens all traffic (every protocol and port) to ${describeInternet(cidrs)}`);
            }
            for (const exposure of internetExposures(rules)) {
                // Already reported as "all traffic" above.
                if (allTraffic && exposure.rules.every((r) => r.protocol === "all")) continue;
                const authorized = exposure.protocol === "tcp" ? resource.config.authorizedTcpPorts : resource.config.authorizedUdpPorts;
                for (const part of unauthorized(exposure, authorized)) {
                    const { labels, cidrs } = describeRules(part.rules);
                    resource.report(`${labels} opens ${describePorts(part)} to ${describeInternet(cidrs)}`);
                }
            }
        },
    },
);
