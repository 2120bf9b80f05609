// `s3:*` or `iam:*` grants every action a service has today and every one it adds tomorrow
// (iam:* alone is account takeover); `*` on a "scoped" resource is still every action on it.
// Identity policies only: key policies legitimately give the account root kms:* on "this key".
import { eachStatement, IDENTITY_DOCUMENT_TYPES, isAllow, oneOrMany } from "../../lib/iam";
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";

/** "*", "*:*", "service:*" and "service:?*": every action of a service (or of all of them). */
export function isServiceWildcard(action: string): boolean {
    return action === "*" || /^[a-z0-9-*]+:[*?]*\*[*?]*$/i.test(action);
}

export const iamNoServiceWildcardActions = defineResourcePolicy(
    {
        name: "iam-no-service-wildcard-actions",
        description: "Identity policies must not allow `*`, a whole service (`s3:*`, `iam:*`) or NotAction, on any resource.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("IAM.21", "IAM customer managed policies that you create should not allow wildcard actions for services"),
            checkov("CKV_AWS_63", "Ensure no IAM policies documents allow \"*\" as a statement's actions"),
            checkov("CKV2_AWS_40", "Ensure AWS IAM policy does not allow full IAM privileges"),
            prowler("iam_policy_no_full_access_to_kms", "Custom IAM policy does not allow 'kms:*' privileges"),
            prowler("iam_inline_policy_no_full_access_to_kms", "Inline IAM policy does not allow kms:* privileges"),
        ],
        appliesTo: IDENTITY_DOCUMENT_TYPES.join(", "),
        remediation: "List the actions the workload calls (the IAM action catalogue names them); scope them to resources and conditions.",
    },
    {
        appliesTo: ofTypes(...IDENTITY_DOCUMENT_TYPES),
        check: (resource) =>
            eachStatement(resource, resource.type, resource.props, "identity", (statement, where) => {
                if (!isAllow(statement)) return;
                if (statement.NotAction !== undefined) resource.report(`${where} allows every action except ${oneOrMany(statement.NotAction).join(", ")} (NotAction)`);
                const wildcards = oneOrMany(statement.Action).filter(isServiceWildcard);
                if (wildcards.length > 0) resource.report(`${where} allows ${wildcards.join(", ")}`);
            }),
    },
);
