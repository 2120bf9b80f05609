// The platform passes its own pack in every environment: the access-log bucket S3 server access
// logging needs (with the constraints S3 puts on a log target), and each stack's plan under the
// policy config of its environment.
import { beforeAll, describe, expect, it } from "vitest";
import type { PolicyDocument } from "../components/shared/iamDocuments";
import { planStack, recordedJson, type Recorded } from "./harness";
import { simulate } from "./support/iam";
import type { Plan } from "../plan";

const BUCKET = "aws:s3/bucket:Bucket";
const EVERYTHING: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

const companion = (recorded: Recorded, type: string, name: string) => recorded.one(`aws:s3/${type}`, name).inputs;

describe.each([
    ["dev", "eks-platform-dev", "111122223333"],
    ["prod", "eks-platform-prod", "444455556666"],
])("access-log bucket (%s)", (stack, cluster, account) => {
    let recorded: Recorded;
    let plan: Plan;
    beforeAll(async () => {
        ({ plan, recorded } = await planStack(stack));
    });

    it("is a bucket of its own with the guards S3 allows a log target: SSE-S3, no Object Lock, a year of logs", () => {
        const bucket = recorded.one(BUCKET, "access-logs");
        expect(bucket.inputs.bucket).toBe(`${cluster}-access-logs-${account}`);
        expect(bucket.inputs.objectLockEnabled).toBeUndefined();
        expect(companion(recorded, "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "access-logs").rules).toEqual([
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
        expect(companion(recorded, "bucketVersioning:BucketVersioning", "access-logs").versioningConfiguration).toEqual({ status: "Enabled" });
        expect(companion(recorded, "bucketOwnershipControls:BucketOwnershipControls", "access-logs").rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
        const block = companion(recorded, "bucketPublicAccessBlock:BucketPublicAccessBlock", "access-logs");
        expect([block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets]).toEqual([true, true, true, true]);
        const [rule] = companion(recorded, "bucketLifecycleConfiguration:BucketLifecycleConfiguration", "access-logs").rules as Array<Record<string, any>>;
        expect(rule.expiration).toEqual({ days: 365 });
    });

    it("lets only S3 log delivery for this account's platform buckets write, and only over TLS", async () => {
        const policy = recordedJson(recorded.one("aws:s3/bucketPolicy:BucketPolicy", "access-logs"));
        const bucketArn = `arn:aws:s3:::${cluster}-access-logs-${account}`;
        expect(policy.Statement.find((s) => s.Sid === "S3ServerAccessLogDelivery")).toEqual({
            Sid: "S3ServerAccessLogDelivery",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/*`,
            Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": `arn:aws:s3:::${cluster}-*` } },
        });
        const admin = `arn:aws:iam::${account}:role/platform-admins`;
        const put = (secure: string) =>
            simulate({ principal: admin, action: "s3:PutObject", resource: `${bucketArn}/x`, resourceAccount: account, identityPolicies: [EVERYTHING], resourcePolicy: policy, context: { "aws:SecureTransport": secure } });
        expect(await put("false")).toBe("ExplicitlyDenied");
        expect(await put("true")).toBe("Allowed");
    });

    it("receives the Velero bucket's server access logs, once its policy lets S3 write", () => {
        const logging = recorded.one("aws:s3/bucketLogging:BucketLogging", "velero-backups");
        expect(logging.inputs.targetBucket).toBe(`${cluster}-access-logs-${account}`);
        expect(logging.inputs.bucket).toBe(`${cluster}-backups-${account}`);
        expect(logging.inputs.targetPrefix).toBe("velero-backups/");
        expect(recorded.dependsOn(logging, recorded.one("aws:s3/bucketPolicy:BucketPolicy", "access-logs"))).toBe(true);
    });

    it("turning the backup bucket's access logging off is a guarded change: a platform admin with * on * is denied", async () => {
        const policy = recordedJson(recorded.one("aws:s3/bucketPolicy:BucketPolicy", "velero-backups"));
        const bucketArn = `arn:aws:s3:::${cluster}-backups-${account}`;
        const admin = `arn:aws:iam::${account}:role/platform-admins`;
        expect(await simulate({ principal: admin, action: "s3:PutBucketLogging", resource: bucketArn, resourceAccount: account, identityPolicies: [EVERYTHING], resourcePolicy: policy })).toBe(
            "ExplicitlyDenied",
        );
    });

    it("prod keeps the logs through `pulumi destroy`; elsewhere the bucket empties and goes with the stack", () => {
        const bucket = recorded.one(BUCKET, "access-logs");
        expect([bucket.protect, bucket.retainOnDelete, bucket.inputs.forceDestroy]).toEqual(stack === "prod" ? [true, true, false] : [false, false, true]);
    });

    it("plans with no mandatory violation under its environment's policy config", () => {
        const mandatory = plan.document.policy.violations.filter((v) => v.enforcementLevel === "mandatory");
        expect(mandatory).toEqual([]);
        // What dev is allowed (docs/policies.md, "Levels per environment"), and nothing else of the AWS pack.
        const advisory = plan.document.policy.violations.filter((v) => v.enforcementLevel === "advisory" && !v.policy.startsWith("k8s-")).map((v) => `${v.policy} ${v.urn.split("::").pop()}`);
        expect(advisory.sort()).toEqual(
            stack === "prod"
                ? []
                : [
                      "cloudwatch-log-group-retention cluster-control-plane",
                      "cloudwatch-log-group-retention network-flow-logs",
                      "eks-cluster-deletion-protection cluster",
                      "eks-cluster-endpoint-not-public cluster",
                      "s3-bucket-object-lock velero-backups",
                  ],
        );
    });
});
