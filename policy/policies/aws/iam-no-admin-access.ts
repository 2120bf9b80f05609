// `*` on `*` (or the AdministratorAccess managed policy) makes a role a full account admin:
// one leaked credential is the whole account.
import { grantsEverything, isAdministratorAccessArn, policyStatements } from "../../lib/aws";
import { awsFsbp, eksBestPractices } from "../../lib/frameworks";
import { defineResourcePolicy, ResourceCheck } from "../../lib/policy";
import { asArray, asRecord, asString, stringList } from "../../lib/values";
import { IAM_ATTACHMENT_TYPES, IAM_POLICY_DOCUMENT_TYPES, IAM_ROLE } from "./types";

function checkDocument(resource: ResourceCheck<object>, document: unknown, label: string): void {
    resource.each(policyStatements(document), (statement) => {
        if (grantsEverything(statement)) resource.report(`${label} allows * on *`);
    });
}

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
        ],
        appliesTo: [...IAM_POLICY_DOCUMENT_TYPES, ...IAM_ATTACHMENT_TYPES, IAM_ROLE].join(", "),
        remediation: "Grant the specific actions and resources the workload needs.",
    },
    {
        appliesTo: (type) => IAM_POLICY_DOCUMENT_TYPES.includes(type) || IAM_ATTACHMENT_TYPES.includes(type) || type === IAM_ROLE,
        check(resource) {
            if (IAM_POLICY_DOCUMENT_TYPES.includes(resource.type)) return checkDocument(resource, resource.props.policy, "policy");
            if (IAM_ATTACHMENT_TYPES.includes(resource.type)) return checkArn(resource, resource.props.policyArn);
            resource.each(stringList(resource.props.managedPolicyArns), (arn) => checkArn(resource, arn));
            resource.each(asArray(resource.props.inlinePolicies), (inline) => {
                const record = asRecord(inline);
                checkDocument(resource, record?.policy, `inline policy ${asString(record?.name) ?? ""}`.trim());
            });
        },
    },
);
