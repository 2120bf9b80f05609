// What the S3, IAM and KMS rules of the AWS pack decide on the faults that matter on a real
// account. Where a rule claims an IAM meaning (a bucket policy denies plain HTTP, a statement
// names every key or every action of a service), the simulator decides the same request.
import { describe, expect, it } from "vitest";
import type { PolicyDocument, PolicyStatement } from "../../components/shared/iamDocuments";
import { simulate } from "../support/iam";
import { denyInsecureTransport, notEvaluatedOf, resource, s3Bucket, s3Companions, UNKNOWN, violationsOf } from "./helpers";

type Props = Record<string, unknown>;

const ACCOUNT = "123456789012";
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/platform-admins`;
const EVERYTHING: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const documentOf = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });

describe("s3-bucket-require-tls: the bucket policy must deny every plain-HTTP request to the bucket and its objects", () => {
    const BUCKET_ARN = "arn:aws:s3:::data-1";
    const MISSING = "S3 bucket data has no bucket policy denying requests without TLS (aws:SecureTransport false)";
    const withPolicy = (policy: unknown) =>
        [s3Bucket("data", "data-1"), ...s3Companions("data-1", "data")].map((r) => (r.name === "data-policy" ? { ...r, props: { ...r.props, policy } } : r));
    const verdict = (statement: PolicyStatement) => violationsOf("s3-bucket-require-tls", withPolicy(JSON.stringify(documentOf(statement))));
    /** A principal that may do anything by its identity policy, asking over plain HTTP. */
    const overHttp = (statement: PolicyStatement, action: string, target: string, context: Record<string, string> = {}) =>
        simulate({ principal: ADMIN, action, resource: target, resourceAccount: ACCOUNT, identityPolicies: [EVERYTHING], resourcePolicy: documentOf(statement), context: { "aws:SecureTransport": "false", ...context } });
    const standard = denyInsecureTransport("data-1") as PolicyStatement;

    it.each<[string, PolicyStatement]>([
        ["the standard deny", standard],
        ["Action listing s3:* among others", { ...standard, Action: ["s3:PutObject", "s3:*"] }],
        ['Resource "*"', { ...standard, Resource: "*" }],
        ["BoolIfExists", { ...standard, Condition: { BoolIfExists: { "aws:SecureTransport": "false" } } }],
        ["ForAnyValue:Bool", { ...standard, Condition: { "ForAnyValue:Bool": { "aws:SecureTransport": "false" } } }],
        ["ForAllValues:Bool", { ...standard, Condition: { "ForAllValues:Bool": { "aws:SecureTransport": "false" } } }],
    ])("accepts %s, which denies plain HTTP on the bucket and on its objects", async (_, statement) => {
        expect(verdict(statement)).toEqual([]);
        expect(await overHttp(statement, "s3:ListBucket", BUCKET_ARN)).toBe("ExplicitlyDenied");
        expect(await overHttp(statement, "s3:GetObject", `${BUCKET_ARN}/backup.tar`)).toBe("ExplicitlyDenied");
    });

    it.each<[string, PolicyStatement, [string, string, Record<string, string>?]]>([
        ["Allow instead of Deny", { ...standard, Effect: "Allow" }, ["s3:GetObject", `${BUCKET_ARN}/backup.tar`]],
        ["a Deny for one role only", { ...standard, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` } }, ["s3:GetObject", `${BUCKET_ARN}/backup.tar`]],
        ["aws:SecureTransport true (the deny the wrong way round)", { ...standard, Condition: { Bool: { "aws:SecureTransport": "true" } } }, ["s3:GetObject", `${BUCKET_ARN}/backup.tar`]],
        ["another Bool key false", { ...standard, Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } }, ["s3:GetObject", `${BUCKET_ARN}/backup.tar`, { "aws:MultiFactorAuthPresent": "true" }]],
        ["an operator IAM does not know (Boolean)", { ...standard, Condition: { Boolean: { "aws:SecureTransport": "false" } } }, ["s3:GetObject", `${BUCKET_ARN}/backup.tar`]],
        ["an operator IAM does not know (NotBool)", { ...standard, Condition: { NotBool: { "aws:SecureTransport": "false" } } }, ["s3:GetObject", `${BUCKET_ARN}/backup.tar`]],
        ["the bucket ARN only", { ...standard, Resource: BUCKET_ARN }, ["s3:GetObject", `${BUCKET_ARN}/backup.tar`]],
        ["the objects only", { ...standard, Resource: `${BUCKET_ARN}/*` }, ["s3:PutBucketPolicy", BUCKET_ARN]],
    ])("reports a deny with %s: some plain-HTTP request gets through", async (_, statement, [action, target, context]) => {
        expect(verdict(statement)).toEqual([MISSING]);
        expect(await overHttp(statement, action, target, context)).toBe("Allowed");
    });

    // Condition keys are ANDed: any key besides aws:SecureTransport narrows the deny to part of the plain-HTTP requests.
    it.each<[string, PolicyStatement["Condition"], Record<string, string>]>([
        ["a second Bool key in the same block", { Bool: { "aws:SecureTransport": "false", "aws:MultiFactorAuthPresent": "false" } }, { "aws:MultiFactorAuthPresent": "true" }],
        ["an exemption for one principal", { Bool: { "aws:SecureTransport": "false" }, StringNotEquals: { "aws:PrincipalArn": ADMIN } }, {}],
    ])("reports a TLS deny narrowed by %s", async (_, Condition, context) => {
        const statement = { ...standard, Condition };
        expect(verdict(statement)).toEqual([MISSING]);
        expect(await overHttp(statement, "s3:GetObject", `${BUCKET_ARN}/backup.tar`, context)).toBe("Allowed");
    });

    it("accepts a Deny of everything without condition: plain HTTP is denied with the rest", async () => {
        const { Condition: _, ...statement } = standard;
        expect(verdict(statement)).toEqual([]);
        expect(await overHttp(statement, "s3:GetObject", `${BUCKET_ARN}/backup.tar`)).toBe("ExplicitlyDenied");
    });

    it("reports a bucket policy resource without a policy, and waits for a policy unknown at preview", () => {
        expect(violationsOf("s3-bucket-require-tls", withPolicy(undefined))).toEqual([MISSING]);
        expect(violationsOf("s3-bucket-require-tls", withPolicy(UNKNOWN))).toEqual([]);
        expect(notEvaluatedOf("s3-bucket-require-tls", withPolicy(UNKNOWN))).toHaveLength(1);
    });

    it("reads the bucket's own inline policy", () => {
        const inline = (statement: PolicyStatement) => [
            resource("aws:s3/bucket:Bucket", { bucket: "data-1", objectLockEnabled: true, policy: JSON.stringify(documentOf(statement)) }, "data"),
            ...s3Companions("data-1", "data").filter((r) => r.name !== "data-policy"),
        ];
        expect(violationsOf("s3-bucket-require-tls", inline(standard))).toEqual([]);
        expect(violationsOf("s3-bucket-require-tls", inline({ Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: BUCKET_ARN }))).toEqual([MISSING]);
    });
});

describe("s3-bucket-object-lock", () => {
    const lockCompanion = (defaultRetention: Props) => (r: { name: string; props: Props }) => (r.name === "data-lock" ? { ...r, props: { ...r.props, rule: { defaultRetention } } } : r);
    const withRetention = (defaultRetention: Props) => [s3Bucket("data", "data-1"), ...s3Companions("data-1", "data").map(lockCompanion(defaultRetention))] as ReturnType<typeof s3Companions>;

    it("accepts a default retention in days or in years, not a mode alone", () => {
        expect(violationsOf("s3-bucket-object-lock", withRetention({ mode: "GOVERNANCE", days: 30 }))).toEqual([]);
        expect(violationsOf("s3-bucket-object-lock", withRetention({ mode: "COMPLIANCE", years: 1 }))).toEqual([]);
        expect(violationsOf("s3-bucket-object-lock", withRetention({ mode: "COMPLIANCE" }))).toEqual(["S3 bucket data has Object Lock without a default retention"]);
    });

    it("accepts the deprecated inline objectLockConfiguration of a bucket with Object Lock enabled", () => {
        const inline = (objectLockConfiguration: Props) => [
            resource("aws:s3/bucket:Bucket", { bucket: "data-1", objectLockConfiguration }, "data"),
            ...s3Companions("data-1", "data").filter((r) => r.name !== "data-lock"),
        ];
        const retention = { defaultRetention: { mode: "GOVERNANCE", days: 30 } };
        expect(violationsOf("s3-bucket-object-lock", inline({ objectLockEnabled: "Enabled", rule: retention }))).toEqual([]);
        expect(violationsOf("s3-bucket-object-lock", inline({ rule: retention }))).toEqual(["S3 bucket data does not have Object Lock enabled with a default retention"]);
        expect(violationsOf("s3-bucket-object-lock", inline({ objectLockEnabled: "Enabled" }))).toEqual(["S3 bucket data has Object Lock without a default retention"]);
    });
});

describe("s3-bucket-encryption, s3-bucket-access-logging, s3-account-public-access-block", () => {
    it("an encryption configuration without a rule does not encrypt", () => {
        const stack = [s3Bucket("data", "data-1"), ...s3Companions("data-1", "data").map((r) => (r.name === "data-sse" ? { ...r, props: { ...r.props, rules: [] } } : r))];
        expect(violationsOf("s3-bucket-encryption", stack)).toEqual(["S3 bucket data has no SSE-KMS default encryption (aws:kms or aws:kms:dsse)"]);
    });

    it("accepts the deprecated inline logging of the bucket", () => {
        const stack = [
            resource("aws:s3/bucket:Bucket", { bucket: "data-1", objectLockEnabled: true, logging: { targetBucket: "access-logs-123", targetPrefix: "data/" } }, "data"),
            ...s3Companions("data-1", "data").filter((r) => r.name !== "data-logging"),
        ];
        expect(violationsOf("s3-bucket-access-logging", stack)).toEqual([]);
        expect(violationsOf("s3-bucket-access-logging", stack.filter((r) => r.name !== "data").concat(s3Bucket("data", "data-1")))).toEqual(["S3 bucket data has no server access logging"]);
    });

    it("names every account-level switch left off", () => {
        const block = resource("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", { blockPublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: true }, "account-pab");
        expect(violationsOf("s3-account-public-access-block", [block])).toEqual(["account public access block leaves blockPublicAcls, ignorePublicAcls off"]);
    });
});

describe("iam-no-kms-decrypt-on-all-keys", () => {
    const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const OTHER_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;
    const statementOn = (Resource: string | string[]): PolicyStatement => ({ Effect: "Allow", Action: "kms:Decrypt", Resource });
    const verdict = (statement: PolicyStatement) => violationsOf("iam-no-kms-decrypt-on-all-keys", [resource("aws:iam/policy:Policy", { policy: JSON.stringify(documentOf(statement)) }, "p")]);
    /** The default key policy: the account's IAM policies decide who uses the key. */
    const keyPolicy = documentOf({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" });
    const decrypt = (statement: PolicyStatement, key: string) =>
        simulate({ principal: ADMIN, action: "kms:Decrypt", resource: key, resourceAccount: ACCOUNT, identityPolicies: [documentOf(statement)], resourcePolicy: keyPolicy });

    it.each([
        `arn:aws:kms:eu-west-1:${ACCOUNT}:key/*`,
        `arn:aws:kms:eu-west-1:${ACCOUNT}:*`,
        [KEY, "*"],
        // IAM wildcards span the ARN's colons and slashes, and "?" is one more wildcard.
        "arn:aws:kms:*",
        "arn:*",
        `arn:aws:kms:eu-west-1:${ACCOUNT}:key*`,
        `arn:aws:kms:eu-west-?:${ACCOUNT}:key/????????-*`,
    ])("reports %j: it decrypts with every key of the account", async (resources) => {
        const statement = statementOn(resources);
        expect(verdict(statement)).toEqual(["policy statement 0 allows kms:Decrypt on every KMS key"]);
        expect(await decrypt(statement, KEY)).toBe("Allowed");
        expect(await decrypt(statement, OTHER_KEY)).toBe("Allowed");
    });

    it.each([
        [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/*90ab`, OTHER_KEY],
        [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/0*`, KEY],
        // IAM matches ARNs case-sensitively: this names no key at all.
        [`arn:aws:kms:eu-west-1:${ACCOUNT}:KEY/*`, KEY],
        [`arn:aws:s3:::exports/arn:aws:kms:eu-west-1:${ACCOUNT}:*`, KEY],
    ])("does not report %s: not every key (%s is out)", async (pattern, outside) => {
        const statement = statementOn(pattern);
        expect(verdict(statement)).toEqual([]);
        expect(await decrypt(statement, outside)).toBe("ImplicitlyDenied");
    });
});

describe("iam-no-service-wildcard-actions", () => {
    const verdict = (...statements: PolicyStatement[]) => violationsOf("iam-no-service-wildcard-actions", [resource("aws:iam/policy:Policy", { policy: JSON.stringify(documentOf(...statements)) }, "p")]);

    it("names every wildcard of a statement, and every exception of a NotAction", () => {
        expect(verdict({ Sid: "Ops", Effect: "Allow", Action: ["s3:*", "ec2:DescribeInstances", "iam:*"], Resource: "*" })).toEqual(["policy statement Ops allows s3:*, iam:*"]);
        expect(verdict({ Sid: "Ops", Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" })).toEqual([
            "policy statement Ops allows every action except iam:*, organizations:* (NotAction)",
        ]);
    });

    it("reports an action part made of wildcards only: it names every action of the service", async () => {
        for (const action of ["s3:?*", "s3:*?", "iam:???*"]) {
            expect(verdict({ Effect: "Allow", Action: action, Resource: "*" }), action).toEqual([`policy statement 0 allows ${action}`]);
        }
        const everyS3Action = documentOf({ Effect: "Allow", Action: "s3:?*", Resource: "*" });
        const ask = (action: string, target: string) => simulate({ principal: ADMIN, action, resource: target, resourceAccount: ACCOUNT, identityPolicies: [everyS3Action] });
        expect(await ask("s3:DeleteBucket", "arn:aws:s3:::data-1")).toBe("Allowed");
        expect(await ask("s3:PutBucketPolicy", "arn:aws:s3:::data-1")).toBe("Allowed");
        expect(await ask("s3:GetObject", "arn:aws:s3:::data-1/x")).toBe("Allowed");
    });

    it("does not report a Deny of a whole service, nor a wildcard inside an action name", async () => {
        expect(verdict({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Effect: "Deny", Action: "iam:*", Resource: "*" })).toEqual([]);
        const objects: PolicyStatement = { Effect: "Allow", Action: "s3:*Object", Resource: "arn:aws:s3:::data-1/*" };
        expect(verdict(objects)).toEqual([]);
        const ask = (action: string) => simulate({ principal: ADMIN, action, resource: "arn:aws:s3:::data-1/x", resourceAccount: ACCOUNT, identityPolicies: [documentOf(objects)] });
        expect(await ask("s3:GetObject")).toBe("Allowed");
        expect(await ask("s3:PutObjectAcl")).toBe("ImplicitlyDenied");
    });
});

describe("kms-key-rotation", () => {
    it("leaves asymmetric encryption keys alone: KMS rotates symmetric keys only", () => {
        expect(violationsOf("kms-key-rotation", [resource("aws:kms/key:Key", { customerMasterKeySpec: "RSA_2048", keyUsage: "ENCRYPT_DECRYPT" }, "rsa")])).toEqual([]);
        expect(violationsOf("kms-key-rotation", [resource("aws:kms/key:Key", { customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT" }, "aes")])).toEqual([
            "symmetric KMS key does not rotate",
        ]);
    });
});
