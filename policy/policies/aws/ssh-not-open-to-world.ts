// Port 22 reachable from anywhere invites brute force against the nodes. A managed node group
// with an SSH key but no source security groups gets exactly that from AWS.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes, ResourceCheck } from "../../lib/policy";
import { describeInternet } from "../../lib/cidr";
import { describeRules, exposureOf, ingressRules, internetExposures } from "../../lib/securityGroups";
import { asRecord, isNonEmptyString, stringList } from "../../lib/values";
import { AWS_EKS_NODE_GROUP, EKS_MANAGED_NODE_GROUP, SECURITY_GROUP_TYPES } from "./types";

const SSH_PORT = 22;

function checkNodeGroup(resource: ResourceCheck<object>): void {
    const remoteAccess = asRecord(resource.props.remoteAccess);
    if (!remoteAccess || !isNonEmptyString(remoteAccess.ec2SshKey)) return;
    if (stringList(remoteAccess.sourceSecurityGroupIds).length === 0) {
        resource.report("node group allows SSH with a key but no source security groups (open to 0.0.0.0/0)");
    }
}

export const sshNotOpenToWorld = defineResourcePolicy(
    {
        name: "ssh-not-open-to-world",
        description: "Node groups and security groups must not allow SSH from the internet (0.0.0.0/0, ::/0, or CIDRs that add up to it).",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.13", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22"),
            checkov("CKV_AWS_24", "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22"),
            checkov("CKV_AWS_100", "Ensure AWS EKS node group does not have implicit SSH access from 0.0.0.0/0"),
            prowler("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "Security group does not allow ingress from 0.0.0.0/0 or ::/0 to TCP port 22 (SSH)"),
        ],
        appliesTo: `${AWS_EKS_NODE_GROUP}, ${EKS_MANAGED_NODE_GROUP}, ${SECURITY_GROUP_TYPES.join(", ")}`,
        remediation: "Use SSM Session Manager instead of SSH, or restrict `sourceSecurityGroupIds` / CIDRs.",
    },
    {
        appliesTo: ofTypes(AWS_EKS_NODE_GROUP, EKS_MANAGED_NODE_GROUP, ...SECURITY_GROUP_TYPES),
        check(resource) {
            if (resource.type === AWS_EKS_NODE_GROUP || resource.type === EKS_MANAGED_NODE_GROUP) return checkNodeGroup(resource);
            const exposure = exposureOf(internetExposures(ingressRules(resource.type, resource.props, resource)), "tcp", SSH_PORT);
            if (!exposure) return;
            const { labels, cidrs } = describeRules(exposure.rules);
            resource.report(`${labels} opens SSH (port 22) to ${describeInternet(cidrs)}`);
        },
    },
);
