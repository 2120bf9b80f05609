// Flow logs are the only record of who talked to what inside a VPC: without them a breach
// cannot be scoped.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { ownersWithChild } from "../../lib/references";
import { FLOW_LOG, VPC } from "./types";

const CAPTURED: readonly unknown[] = ["ALL", "REJECT"];

export const vpcFlowLogsEnabled = defineStackPolicy(
    {
        name: "vpc-flow-logs-enabled",
        description: "Every VPC the stack creates must have a flow log capturing ALL (or at least REJECT) traffic.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.6", "VPC flow logging should be enabled in all VPCs"),
            checkov("CKV2_AWS_11", "Ensure VPC flow logging is enabled in all VPCs"),
            prowler("vpc_flow_logs_enabled", "VPC flow logs are enabled"),
        ],
        appliesTo: `${VPC} with ${FLOW_LOG} (stack)`,
        remediation: "Add an aws.ec2.FlowLog with `vpcId` and `trafficType: \"ALL\"` to an encrypted log group.",
    },
    {
        check(stack) {
            const vpcs = stack.ofType(VPC);
            const { covered, undecided } = ownersWithChild(
                stack,
                // Children name their VPC by its AWS id (vpc-…), which the VPC's inputs do not carry: the
                // dependency on the VPC ties them; an unknown vpcId only tells us not to guess.
                vpcs.map((resource) => ({ resource, identifiers: [] })),
                stack.ofType(FLOW_LOG),
                (flowLog) => flowLog.props.vpcId,
                (flowLog) => CAPTURED.includes(flowLog.props.trafficType),
            );
            if (undecided) return;
            for (const vpc of vpcs) if (!covered.has(vpc)) stack.report(vpc, `VPC ${vpc.name} has no flow log capturing ALL or REJECT traffic`);
        },
    },
);
