// Port 22 reachable from anywhere invites brute force against the nodes. A managed node group
// with an SSH key but no source security groups gets exactly that from AWS.
import { opensToWorld } from "../../lib/aws";
import { awsFsbp, cisEks } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes, ResourceCheck } from "../../lib/policy";
import { asArray, asRecord, asString, isNonEmptyString, Props, stringList } from "../../lib/values";
import {
    AWS_EKS_NODE_GROUP,
    EKS_MANAGED_NODE_GROUP,
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
} from "./types";

const SSH_PORT = 22;

function coversSsh(protocol: unknown, fromPort: unknown, toPort: unknown): boolean {
    const proto = String(protocol ?? "").toLowerCase();
    if (proto === "-1" || proto === "all") return true;
    if (proto !== "tcp" && proto !== "6") return false;
    const from = Number(fromPort ?? 0);
    const to = Number(toPort ?? 65535);
    return from <= SSH_PORT && SSH_PORT <= to;
}

function checkNodeGroup(resource: ResourceCheck<object>): void {
    const remoteAccess = asRecord(resource.props.remoteAccess);
    if (!remoteAccess || !isNonEmptyString(remoteAccess.ec2SshKey)) return;
    if (stringList(remoteAccess.sourceSecurityGroupIds).length === 0) {
        resource.report("node group allows SSH with a key but no source security groups (open to 0.0.0.0/0)");
    }
}

function checkRule(resource: ResourceCheck<object>, rule: Props, label: string): void {
    const cidrs = [...stringList(rule.cidrBlocks), ...stringList(rule.ipv6CidrBlocks)];
    for (const key of ["cidrIpv4", "cidrIpv6"]) {
        const cidr = asString(rule[key]);
        if (cidr) cidrs.push(cidr);
    }
    const protocol = rule.protocol ?? rule.ipProtocol;
    if (opensToWorld(cidrs) && coversSsh(protocol, rule.fromPort, rule.toPort)) {
        resource.report(`${label} opens SSH (port 22) to ${cidrs.filter((c) => c.endsWith("/0")).join(", ")}`);
    }
}

export const sshNotOpenToWorld = defineResourcePolicy(
    {
        name: "ssh-not-open-to-world",
        description: "Node groups and security groups must not allow SSH from 0.0.0.0/0 or ::/0.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.13", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22"),
            cisEks("5.4.3", "Ensure clusters are created with Private Nodes"),
        ],
        appliesTo: `${AWS_EKS_NODE_GROUP}, ${EKS_MANAGED_NODE_GROUP}, ${SECURITY_GROUP}, ${SECURITY_GROUP_RULE}, ${SECURITY_GROUP_INGRESS_RULE}`,
        remediation: "Use SSM Session Manager instead of SSH, or restrict `sourceSecurityGroupIds` / CIDRs.",
    },
    {
        appliesTo: ofTypes(AWS_EKS_NODE_GROUP, EKS_MANAGED_NODE_GROUP, SECURITY_GROUP, SECURITY_GROUP_RULE, SECURITY_GROUP_INGRESS_RULE),
        check(resource) {
            switch (resource.type) {
                case AWS_EKS_NODE_GROUP:
                case EKS_MANAGED_NODE_GROUP:
                    return checkNodeGroup(resource);
                case SECURITY_GROUP:
                    return resource.each(asArray(resource.props.ingress), (rule, i) => {
                        const record = asRecord(rule);
                        if (record) checkRule(resource, record, `security group ingress rule ${i}`);
                    });
                case SECURITY_GROUP_RULE:
                    if (resource.props.type !== "ingress") return;
                    return checkRule(resource, resource.props, "security group rule");
                default:
                    return checkRule(resource, resource.props, "security group ingress rule");
            }
        },
    },
);
