// A key policy statement for Principal "*" lets any AWS account use (or administer) the key
// unless a condition pins the caller: one typo away from every account on AWS.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { reportPublicStatements } from "../../lib/iam";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { KMS_KEY, KMS_KEY_POLICY } from "./types";

export const kmsKeyPolicyNotPublic = defineResourcePolicy(
    {
        name: "kms-key-policy-not-public",
        description: "KMS key policies must not allow a wildcard principal unless a condition pins the caller (account, organisation, ARN, VPC).",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("KMS.5", "KMS keys should not be publicly accessible"),
            checkov("CKV_AWS_33", "Ensure KMS key policy does not contain wildcard (*) principal"),
            prowler("kms_key_not_publicly_accessible", "Cloud KMS key does not grant access to allUsers or allAuthenticatedUsers"),
        ],
        appliesTo: `${KMS_KEY}, ${KMS_KEY_POLICY}`,
        remediation: "Name the account root or the roles that use the key, or add a condition such as kms:CallerAccount or aws:PrincipalOrgID.",
    },
    {
        appliesTo: ofTypes(KMS_KEY, KMS_KEY_POLICY),
        check: (resource) => reportPublicStatements(resource.type, resource.props, resource),
    },
);
