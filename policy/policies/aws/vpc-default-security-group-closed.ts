// Every VPC comes with a default security group that lets its members talk to each other and
// to anywhere. Anything launched without an explicit group lands in it. Managing it with
// aws.ec2.DefaultSecurityGroup and no rules empties it (the provider removes existing rules).
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { ownersWithChild } from "../../lib/references";
import { asArray } from "../../lib/values";
import { DEFAULT_SECURITY_GROUP, VPC } from "./types";

export const vpcDefaultSecurityGroupClosed = defineStackPolicy(
    {
        name: "vpc-default-security-group-closed",
        description: "Every VPC the stack creates must manage its default security group with no ingress and no egress rules.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.2", "VPC default security groups should not allow inbound or outbound traffic"),
            checkov("CKV2_AWS_12", "Ensure the default security group of every VPC restricts all traffic"),
            prowler("ec2_securitygroup_default_restrict_traffic", "VPC default security group has no inbound or outbound rules"),
        ],
        appliesTo: `${VPC} with ${DEFAULT_SECURITY_GROUP} (stack)`,
        remediation: "Add `new aws.ec2.DefaultSecurityGroup(name, { vpcId })` with no `ingress` or `egress`.",
    },
    {
        check(stack) {
            const groups = stack.ofType(DEFAULT_SECURITY_GROUP);
            for (const group of groups) {
                const open = ["ingress", "egress"].filter((direction) => stack.tolerate(() => asArray(group.props[direction]).length > 0) === true);
                if (open.length > 0) stack.report(group, `default security group ${group.name} keeps ${open.join(" and ")} rules`);
            }
            const vpcs = stack.ofType(VPC);
            const { covered, undecided } = ownersWithChild(
                stack,
                // Children name their VPC by its AWS id (vpc-…), which the VPC's inputs do not carry: the
                // dependency on the VPC ties them; an unknown vpcId only tells us not to guess.
                vpcs.map((resource) => ({ resource, identifiers: [] })),
                groups,
                (group) => group.props.vpcId,
                () => true,
            );
            if (undecided) return;
            for (const vpc of vpcs) {
                if (!covered.has(vpc)) stack.report(vpc, `VPC ${vpc.name} does not manage its default security group, which allows all traffic between its members and all egress`);
            }
        },
    },
);
