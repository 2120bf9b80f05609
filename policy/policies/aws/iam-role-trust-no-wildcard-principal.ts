// A trust policy for Principal "*" lets any AWS principal in any account assume the role unless
// a condition pins who: the role's permissions become everyone's.
import { eachStatement, isPublicStatement } from "../../lib/iam";
import { checkov } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { IAM_ROLE } from "./types";

export const iamRoleTrustNoWildcardPrincipal = defineResourcePolicy(
    {
        name: "iam-role-trust-no-wildcard-principal",
        description: "IAM role trust policies must not let a wildcard principal assume the role unless a condition pins the caller.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [checkov("CKV_AWS_60", "Ensure IAM role allows only specific services or principals to assume it")],
        appliesTo: IAM_ROLE,
        remediation: "Name the service, account root or role ARNs that may assume the role (with aws:SourceArn / sts:ExternalId where relevant).",
    },
    {
        appliesTo: ofTypes(IAM_ROLE),
        check: (resource) =>
            eachStatement(resource, resource.type, resource.props, "trust", (statement, where) => {
                if (isPublicStatement(statement)) resource.report(`${where} lets any principal assume the role`);
            }),
    },
);
