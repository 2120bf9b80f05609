// Databases, remote desktops, file shares and Kubernetes' own node ports are what scanners try
// first. None of them belongs on the internet. The list is EC2.19's plus the ports a cluster adds
// (kubelet, etcd) and common data stores; a team can extend it with the `ports` knob.
import { describeInternet } from "../../lib/cidr";
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { describeRules, exposureOf, ingressRules, internetExposures } from "../../lib/securityGroups";
import { SECURITY_GROUP_TYPES } from "./types";

interface Config {
    ports: number[];
}

/** AWS Security Hub EC2.19's 24 high-risk ports. */
const EC2_19_PORTS = [20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300];
/** kubelet (10250, read-only 10255), etcd (2379-2380), Redis, Memcached, MongoDB. */
const CLUSTER_AND_DATA_STORE_PORTS = [10250, 10255, 2379, 2380, 6379, 11211, 27017];

export const securityGroupHighRiskPorts = defineResourcePolicy<Config>(
    {
        name: "security-group-high-risk-ports",
        description: "Security groups must not open high-risk ports (RDP, databases, kubelet, etcd, Redis...) to the internet over TCP or UDP.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.19", "Security groups should not allow unrestricted access to ports with high risk"),
            awsFsbp("EC2.14", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389"),
            checkov("CKV_AWS_25", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389"),
            prowler("ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports", "Security group does not allow ingress from 0.0.0.0/0 or ::/0 to high-risk TCP ports"),
            prowler("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389", "Security group does not allow ingress from the Internet to TCP port 3389 (RDP)"),
            prowler("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_redis_6379", "Security group does not allow ingress from 0.0.0.0/0 or ::/0 to Redis TCP port 6379"),
        ],
        appliesTo: SECURITY_GROUP_TYPES.join(", "),
        remediation: "Restrict the source to known CIDRs or security groups; reach admin ports through SSM or a VPN.",
        knobs: {
            ports: {
                type: "array",
                items: { type: "integer", minimum: 0, maximum: 65535 },
                default: [...EC2_19_PORTS, ...CLUSTER_AND_DATA_STORE_PORTS],
                description: "Ports that may never be open to the internet (default: EC2.19's list plus kubelet, etcd, Redis, Memcached, MongoDB).",
            },
        },
    },
    {
        appliesTo: ofTypes(...SECURITY_GROUP_TYPES),
        check(resource) {
            const exposures = internetExposures(ingressRules(resource.type, resource.props, resource));
            for (const port of resource.config.ports) {
                for (const protocol of ["tcp", "udp"] as const) {
                    const exposure = exposureOf(exposures, protocol, port);
                    if (!exposure) continue;
                    const { labels, cidrs } = describeRules(exposure.rules);
                    resource.report(`${labels} opens high-risk port ${protocol.toUpperCase()} ${port} to ${describeInternet(cidrs)}`);
                }
            }
        },
    },
);
