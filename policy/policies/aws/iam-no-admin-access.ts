// `*` on `*` (or the AdministratorAccess managed policy) makes a role a full account admin:
// one leaked credential is the whole account.
import { eachStatement, grantsEverything, isAdministratorAccessArn } from "../../lib/iam";
import { awsFsbp, checkov, eksBestPractices, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ResourceCheck } from "../../lib/policy";
import { asString, stringList } from "../../lib/values";
import { IAM_ATTACHMENT_TYPES, IAM_POLICY_DOCUMENT_TYPES, IAM_ROLE } from "./types";

function checkArn(resource: ResourceCheck<object>, arn: unknown): void {
    const value = asString(arn);
    if (value && isAdministratorAccessArn(value)) resource.report("attaches AdministratorAccess");
}

export const iamNoAdminAccess = defineResourcePolicy(
    {
        name: "iam-no-admin-access",
        description: "IAM policies, inline policies and attachments must not grant `*` on `*` or AdministratorAccess.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("IAM.1", "IAM policies should not allow full \"*\" administrative privileges"),
            eksBestPractices("Security: identity and access management", "Least-privileged IAM roles for workloads and nodes"),
            checkov("CKV_AWS_62", "Ensure IAM policies that allow full \"*-*\" administrative privileges are not created"),
            checkov("CKV_AWS_274", "Disallow IAM roles, users, and groups from using the AWS AdministratorAccess policy"),
            prowler("iam_inline_policy_no_administrative_privileges", "Inline IAM policy does not allow '*:*' administrative privileges"),
            prowler("iam_customer_attached_policy_no_administrative_privileges", "Attached IAM customer-managed policy does not allow '*:*' administrative privileges"),
        ],
        appliesTo: [...IAM_POLICY_DOCUMENT_TYPES, ...IAM_ATTACHMENT_TYPES, IAM_ROLE].join(", "),
        remediation: "Grant the specific actions and resources the workload needs.",
    },
    {
        appliesTo: (type) => IAM_POLICY_DOCUMENT_TYPES.includes(type) || IAM_ATTACHMENT_TYPES.includes(type) || type === IAM_ROLE,
        check(resource) {
            if (IAM_ATTACHMENT_TYPES.includes(resource.type)) return checkArn(resource, resource.props.policyArn);
            if (resource.type === IAM_ROLE) resource.each(stringList(resource.props.managedPolicyArns), (arn) => checkArn(resource, arn));
            eachStatement(resource, resource.type, resource.props, "identity", (statement, where) => {
                if (grantsEverything(statement)) resource.report(`${where} allows * on *`);
            });
        },
    },
);
