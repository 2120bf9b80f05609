// Node credentials are the most exposed in the cluster (every pod that escapes to the host, or
// reaches IMDS, has them). With ECR write rights they let an attacker replace the images every
// node pulls. Nodes need to pull, nothing more.
import type { PolicyResource } from "@pulumi/policy";
import { allowsAction, iamDocuments, isAllow, oneOrMany, wildcardMatches } from "../../lib/iam";
import { cisEks } from "../../lib/frameworks";
import { defineStackPolicy, StackCheck } from "../../lib/policy";
import { referenceMatcher } from "../../lib/references";
import { UnknownCollector } from "../../lib/unknowns";
import { asRecord, asString, Props, stringList } from "../../lib/values";
import { IAM_POLICY_DOCUMENT_TYPES, IAM_ROLE } from "./types";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const CUSTOMER_POLICY = IAM_POLICY_DOCUMENT_TYPES[0];

/** ECR actions of access level Read or List start with these (checked against the IAM catalogue in tests). */
export const ECR_READ_PREFIXES = ["get", "batchget", "batchcheck", "describe", "list", "validate"];

/** AWS-managed policies known to grant ECR writes (their content is not in the stack). */
const ECR_WRITE_MANAGED_POLICIES = [
    "AmazonEC2ContainerRegistryFullAccess",
    "AmazonEC2ContainerRegistryPowerUser",
    "AdministratorAccess",
    "PowerUserAccess",
];

/** Could this action pattern match an ECR action other than a read? */
export function grantsEcrWrite(pattern: string): boolean {
    const [service, name] = pattern.includes(":") ? pattern.split(/:(.*)/s) : [pattern, pattern];
    if (!wildcardMatches(service, "ecr")) return false;
    // Every action a pattern can match starts with its literal part: read-only if that does.
    const literal = name.toLowerCase().split(/[*?]/)[0];
    return !ECR_READ_PREFIXES.some((prefix) => literal.startsWith(prefix));
}

function ecrWrites(statements: readonly Props[]): string[] {
    const found: string[] = [];
    for (const statement of statements) {
        if (!isAllow(statement)) continue;
        if (statement.NotAction !== undefined) {
            if (allowsAction(statement, "ecr:PutImage")) found.push(`NotAction ${oneOrMany(statement.NotAction).join(", ")}`);
            continue;
        }
        found.push(...oneOrMany(statement.Action).filter(grantsEcrWrite));
    }
    return found;
}

/** EC2's service principal: in the China partitions it carries the .cn suffix. */
const EC2_SERVICE_PRINCIPALS = ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"];

/** Roles EC2 instances assume: node roles (managed node groups, Karpenter, self-managed). */
function isNodeRole(role: PolicyResource, unknowns: UnknownCollector): boolean {
    return iamDocuments(role.type, role.props, unknowns, ["trust"]).some((document) =>
        document.statements.some((s) => isAllow(s) && oneOrMany(asRecord(s.Principal)?.Service).some((service) => EC2_SERVICE_PRINCIPALS.includes(service))),
    );
}

/** The write-granting AWS-managed policy `arn` names, in any partition (all of them sit at path /). */
function ecrWriteManagedPolicy(arn: string | undefined): string | undefined {
    return ECR_WRITE_MANAGED_POLICIES.find((name) => arn?.endsWith(`:iam::aws:policy/${name}`));
}

function reportGrants(stack: StackCheck<object>, role: PolicyResource, source: string, grants: string[]): void {
    if (grants.length > 0) stack.report(role, `node role ${role.name} can write to ECR through ${source}: ${[...new Set(grants)].join(", ")}`);
}

export const eksNodeRoleEcrReadOnly = defineStackPolicy(
    {
        name: "eks-node-role-ecr-read-only",
        description: "IAM roles for EC2 nodes may only read from ECR (pull); no push, delete or repository administration.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [cisEks("5.1.3", "Minimize cluster access to read-only for Amazon ECR")],
        appliesTo: `${IAM_ROLE} trusted by ec2.amazonaws.com, with its inline policies and attachments (stack)`,
        remediation: "Attach AmazonEC2ContainerRegistryPullOnly (or ReadOnly) and no ECR write actions; give push rights to CI roles only.",
    },
    {
        check(stack) {
            const roles = stack.ofType(IAM_ROLE).filter((role) => isNodeRole(role, stack));
            const roleMatcher = referenceMatcher(
                roles.map((resource) => ({ resource, identifiers: [resource.name, stack.tolerate(() => asString(resource.props.name)) ?? ""].filter(Boolean) })),
            );
            const policies = stack.ofType(CUSTOMER_POLICY);
            const policyMatcher = referenceMatcher(policies.map((resource) => ({ resource, identifiers: [resource.name] })));

            for (const role of roles) {
                const managed = stringList(stack.tolerate(() => role.props.managedPolicyArns));
                reportGrants(stack, role, "managed policies", managed.flatMap((arn) => ecrWriteManagedPolicy(arn) ?? []));
                for (const document of iamDocuments(role.type, role.props, stack, ["identity"])) {
                    reportGrants(stack, role, document.label, ecrWrites(document.statements));
                }
            }
            for (const inline of stack.ofType(ROLE_POLICY)) {
                for (const owner of roleMatcher.ownersOf(inline, () => inline.props.role).owners) {
                    const statements = iamDocuments(CUSTOMER_POLICY, inline.props, stack, ["identity"]).flatMap((d) => d.statements);
                    reportGrants(stack, owner.resource, `role policy ${inline.name}`, ecrWrites(statements));
                }
            }
            for (const attachment of stack.ofType(ROLE_POLICY_ATTACHMENT)) {
                const owners = roleMatcher.ownersOf(attachment, () => attachment.props.role).owners;
                if (owners.length === 0) continue;
                const managedGrant = ecrWriteManagedPolicy(stack.tolerate(() => asString(attachment.props.policyArn)));
                const grants: string[] = managedGrant ? [managedGrant] : [];
                for (const policy of policyMatcher.ownersOf(attachment, () => attachment.props.policyArn).owners) {
                    grants.push(...ecrWrites(iamDocuments(CUSTOMER_POLICY, policy.resource.props, stack, ["identity"]).flatMap((d) => d.statements)));
                }
                for (const owner of owners) reportGrants(stack, owner.resource, `attachment ${attachment.name}`, grants);
            }
        },
    },
);
