// IAM documents wherever a resource carries one, read once: identity policies (what a principal
// may do), trust policies (who may assume a role) and resource policies (who may touch a key,
// bucket, queue...). Policies pick the kind they judge and reason over statements.
import { opensToInternet } from "./cidr";
import { UnknownCollector } from "./unknowns";
import { asArray, asRecord, asString, Props } from "./values";

export type DocumentKind = "identity" | "trust" | "resource";

export interface IamDocument {
    kind: DocumentKind;
    /** "policy", "inline policy deploy", "assume-role policy", "key policy"... for messages. */
    label: string;
    statements: Props[];
}

export const IAM_ROLE = "aws:iam/role:Role";
export const IDENTITY_POLICY_TYPES = ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];

/** Resource types whose `policy` input is a resource policy, with how messages name it. */
export const RESOURCE_POLICY_TYPES: Record<string, string> = {
    "aws:kms/key:Key": "key policy",
    "aws:kms/keyPolicy:KeyPolicy": "key policy",
    "aws:s3/bucket:Bucket": "bucket policy",
    "aws:s3/bucketV2:BucketV2": "bucket policy",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket policy",
    "aws:sqs/queue:Queue": "queue policy",
    "aws:sqs/queuePolicy:QueuePolicy": "queue policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "repository policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "secret policy",
};

/** Resource types that carry identity policies: policy resources, and roles' inline policies. */
export const IDENTITY_DOCUMENT_TYPES = [...IDENTITY_POLICY_TYPES, IAM_ROLE];

/**
 * The IAM documents of the given kinds a resource carries; an unknown document (or inline policy)
 * is skipped and remembered. Only the kinds asked for are read, so an unknown trust policy does
 * not stop a check of identity policies.
 */
export function iamDocuments(type: string, props: Props, unknowns: UnknownCollector, kinds: readonly DocumentKind[]): IamDocument[] {
    const documents: IamDocument[] = [];
    const add = (kind: DocumentKind, label: string, read: () => unknown) =>
        kinds.includes(kind) &&
        unknowns.tolerate(() => {
            const document = read();
            if (document !== undefined && document !== null) documents.push({ kind, label, statements: policyStatements(document) });
        });
    if (IDENTITY_POLICY_TYPES.includes(type)) add("identity", "policy", () => props.policy);
    if (type === IAM_ROLE) {
        add("trust", "assume-role policy", () => props.assumeRolePolicy);
        if (kinds.includes("identity")) unknowns.each(asArray(props.inlinePolicies), (inline) => {
            const record = asRecord(inline);
            add("identity", `inline policy ${asString(record?.name) ?? ""}`.trim(), () => record?.policy);
        });
    }
    const resourceLabel = RESOURCE_POLICY_TYPES[type];
    if (resourceLabel) add("resource", resourceLabel, () => props.policy);
    return documents;
}

/** IAM documents may be JSON strings or objects; anything unparsable is treated as no statements. */
export function policyStatements(document: unknown): Props[] {
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch {
            return [];
        }
    }
    const statement = asRecord(parsed)?.Statement;
    const list = Array.isArray(statement) ? statement : [statement];
    return list.map(asRecord).filter((s): s is Props => s !== undefined);
}

/** IAM lets most elements be a string or a list of strings. */
export function oneOrMany(value: unknown): string[] {
    if (typeof value === "string") return [value];
    return asArray(value).filter((v): v is string => typeof v === "string");
}

export function isAllow(statement: Props): boolean {
    return asString(statement.Effect) === "Allow";
}

/** IAM action and resource matching: case-insensitive for actions, `*` and `?` wildcards. */
export function wildcardMatches(pattern: string, value: string, caseInsensitive = true): boolean {
    const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`, caseInsensitive ? "i" : "").test(value);
}

/** Does the statement allow `action` (directly, by wildcard, or through NotAction)? */
export function allowsAction(statement: Props, action: string): boolean {
    if (!isAllow(statement)) return false;
    if (statement.NotAction !== undefined) return !oneOrMany(statement.NotAction).some((p) => wildcardMatches(p, action));
    return oneOrMany(statement.Action).some((p) => wildcardMatches(p, action));
}

/** The wildcard principal in any of its spellings: "*", {"AWS": "*"}, {"AWS": ["*"]}. */
function namesEveryone(principal: unknown): boolean {
    if (principal === "*") return true;
    const record = asRecord(principal);
    return record !== undefined && oneOrMany(record.AWS).includes("*");
}

/**
 * Condition keys that pin a wildcard principal to known callers when given fixed values: S3's
 * and KMS's notion of a non-public policy (source account/ARN/VPC, principal account/org/ARN).
 */
const RESTRICTING_KEYS = new Set(
    [
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:userid",
        "kms:CallerAccount",
    ].map((k) => k.toLowerCase()),
);

const NEGATED_OPERATOR = /not|ifexists/i;

function restrictsCallers(condition: unknown): boolean {
    for (const [operator, clauses] of Object.entries(asRecord(condition) ?? {})) {
        if (NEGATED_OPERATOR.test(operator)) continue;
        for (const [key, value] of Object.entries(asRecord(clauses) ?? {})) {
            const values = oneOrMany(value);
            if (values.length === 0 || values.some((v) => v.includes("*"))) continue;
            if (RESTRICTING_KEYS.has(key.toLowerCase())) return true;
            if (key.toLowerCase() === "aws:sourceip" && !opensToInternet(values)) return true;
        }
    }
    return false;
}

/**
 * An Allow statement anyone can use: a wildcard principal (or NotPrincipal) with no condition
 * that pins callers to fixed accounts, organisations, ARNs, VPCs or a CIDR short of the internet.
 */
export function isPublicStatement(statement: Props): boolean {
    if (!isAllow(statement)) return false;
    const wildcard = statement.NotPrincipal !== undefined || namesEveryone(statement.Principal);
    return wildcard && !restrictsCallers(statement.Condition);
}

/** An Allow statement granting every action on every resource. */
export function grantsEverything(statement: Props): boolean {
    if (!isAllow(statement)) return false;
    const actions = oneOrMany(statement.Action);
    const resources = oneOrMany(statement.Resource);
    return actions.some((a) => a === "*" || a === "*:*") && resources.includes("*");
}

export function isAdministratorAccessArn(arn: string): boolean {
    return /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/.test(arn.trim());
}

/**
 * Visits every statement of the documents of one kind a resource carries; `where` names the
 * statement for messages ("inline policy deploy statement AllowPull"). An unknown statement is skipped.
 */
export function eachStatement(
    check: UnknownCollector,
    type: string,
    props: Props,
    kind: DocumentKind,
    visit: (statement: Props, where: string) => void,
): void {
    for (const document of iamDocuments(type, props, check, [kind])) {
        check.each(document.statements, (statement, i) => visit(statement, `${document.label} statement ${asString(statement.Sid) ?? i}`));
    }
}

/** Reports every statement of the resource's resource policies that anyone may use. */
export function reportPublicStatements(type: string, props: Props, check: UnknownCollector & { report(message: string): void }): void {
    eachStatement(check, type, props, "resource", (statement, where) => {
        if (isPublicStatement(statement)) check.report(`${where} allows ${oneOrMany(statement.Action).join(", ") || "NotAction"} to any principal without a condition pinning the caller`);
    });
}
