// The account-wide switch: every new EBS volume in the region is encrypted, including ones a
// tool or a person creates outside this program. Judged where a stack manages the setting.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { EBS_ENCRYPTION_BY_DEFAULT } from "./types";

export const ebsDefaultEncryption = defineResourcePolicy(
    {
        name: "ebs-default-encryption",
        description: "A managed account-level EBS encryption-by-default setting must be enabled.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.7", "EBS default encryption should be enabled"),
            checkov("CKV_AWS_106", "Ensure EBS default encryption is enabled"),
            prowler("ec2_ebs_default_encryption", "EBS default encryption is enabled"),
        ],
        appliesTo: EBS_ENCRYPTION_BY_DEFAULT,
        remediation: "Set `enabled: true` on aws.ebs.EncryptionByDefault (its default).",
    },
    {
        appliesTo: ofTypes(EBS_ENCRYPTION_BY_DEFAULT),
        check(resource) {
            if (resource.props.enabled === false) resource.report("EBS encryption by default is disabled for the account and region");
        },
    },
);
