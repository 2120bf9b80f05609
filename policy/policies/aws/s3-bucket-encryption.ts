// Default encryption with a KMS key puts every read of the data behind a key policy and in
// CloudTrail; SSE-S3 (AES256) encrypts too, but anyone with s3:GetObject reads the plaintext.
// One exception comes from S3 itself: a bucket that receives server access logs may only use
// SSE-S3 default encryption (S3 User Guide, "Enabling Amazon S3 server access logging"), so for
// such a bucket SSE-S3 is required and SSE-KMS is the fault (S3 would not deliver the logs).
import type { PolicyResource } from "@pulumi/policy";
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { checkBucketCompanions, serverAccessLogTargets } from "../../lib/s3";
import { asArray, asString, path } from "../../lib/values";
import { S3_BUCKETS, S3_ENCRYPTION } from "./types";

const KMS_ALGORITHMS: ReadonlySet<string | undefined> = new Set(["aws:kms", "aws:kms:dsse"]);

function algorithm(rule: unknown): string | undefined {
    return asString(path(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
}

export const s3BucketEncryption = defineStackPolicy(
    {
        name: "s3-bucket-encryption",
        description: "Every S3 bucket must default to SSE-KMS encryption; a bucket receiving server access logs must default to SSE-S3 (AES256), the only encryption S3 log delivery supports.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.17", "S3 general purpose buckets should be encrypted at rest with AWS KMS keys"),
            checkov("CKV_AWS_145", "Ensure that S3 buckets are encrypted with KMS by default"),
            checkov("CKV_AWS_19", "Ensure all data stored in the S3 bucket is securely encrypted at rest"),
            prowler("s3_bucket_kms_encryption", "S3 bucket has server-side encryption with AWS KMS"),
        ],
        appliesTo: `${S3_BUCKETS.join(", ")} with ${S3_ENCRYPTION.join(", ")}`,
        remediation: "Add an aws.s3.BucketServerSideEncryptionConfiguration with `sseAlgorithm: \"aws:kms\"` and a key (`AES256` for an access-log bucket).",
    },
    {
        check(stack) {
            const logTargets = serverAccessLogTargets(stack, S3_BUCKETS);
            const acceptable = (rule: unknown, bucket: PolicyResource) => {
                const chosen = algorithm(rule);
                return logTargets.has(bucket) ? chosen === "AES256" : KMS_ALGORITHMS.has(chosen);
            };
            checkBucketCompanions(stack, {
                bucketTypes: S3_BUCKETS,
                companionTypes: S3_ENCRYPTION,
                // Deprecated inline form: one `rule` object on the bucket.
                satisfiedInline: (bucket, resource) => acceptable(path(bucket, "serverSideEncryptionConfiguration", "rule"), resource),
                satisfiedBy: (companion, bucket) => asArray(companion.rules).some((rule) => acceptable(rule, bucket)),
                missing: (bucket) =>
                    logTargets.has(bucket)
                        ? "receives server access logs but does not default to SSE-S3 (AES256): S3 delivers access logs only to SSE-S3 buckets"
                        : "has no SSE-KMS default encryption (aws:kms or aws:kms:dsse)",
            });
        },
    },
);
