// Control-plane, flow and application logs carry tokens, IPs and object names. A KMS key puts
// reading them behind a key policy; CloudWatch's default encryption does not.
import { checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { readOrUnknown, UNKNOWN } from "../../lib/unknowns";
import { isNonEmptyString } from "../../lib/values";
import { LOG_GROUP } from "./types";

export const cloudwatchLogGroupEncryption = defineResourcePolicy(
    {
        name: "cloudwatch-log-group-encryption",
        description: "CloudWatch log groups must be encrypted with a KMS key (kmsKeyId).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            checkov("CKV_AWS_158", "Ensure that CloudWatch Log Group is encrypted by KMS"),
            prowler("cloudwatch_log_group_kms_encryption_enabled", "CloudWatch log group is encrypted with an AWS KMS key"),
        ],
        appliesTo: LOG_GROUP,
        remediation: "Set `kmsKeyId` to a key whose policy allows logs.<region>.amazonaws.com for this log group.",
    },
    {
        appliesTo: ofTypes(LOG_GROUP),
        check(resource) {
            // A key ARN unknown until deployment is still a key.
            const key = readOrUnknown(() => resource.props.kmsKeyId);
            if (key !== UNKNOWN && !isNonEmptyString(key)) resource.report("log group is not encrypted with a KMS key");
        },
    },
);
