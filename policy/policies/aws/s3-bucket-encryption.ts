// Explicit default encryption (ideally SSE-KMS) documents intent and lets us pick the key.
import { awsFsbp } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { checkBucketCompanions } from "../../lib/s3";
import { asArray, isNonEmptyString, path } from "../../lib/values";
import { S3_BUCKETS, S3_ENCRYPTION } from "./types";

function ruleEncrypts(rule: unknown): boolean {
    return isNonEmptyString(path(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
}

export const s3BucketEncryption = defineStackPolicy(
    {
        name: "s3-bucket-encryption",
        description: "Every S3 bucket must have its own server-side encryption configuration.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [awsFsbp("S3.17", "S3 general purpose buckets should be encrypted at rest with AWS KMS keys")],
        appliesTo: `${S3_BUCKETS.join(", ")} with ${S3_ENCRYPTION.join(", ")}`,
        remediation: "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket.",
    },
    {
        check: (stack) =>
            checkBucketCompanions(stack, {
                bucketTypes: S3_BUCKETS,
                companionTypes: S3_ENCRYPTION,
                // Deprecated inline form: one `rule` object on the bucket.
                satisfiedInline: (bucket) => ruleEncrypts(path(bucket, "serverSideEncryptionConfiguration", "rule")),
                satisfiedBy: (companion) => asArray(companion.rules).some(ruleEncrypts),
                missing: "has no server-side encryption configuration",
            }),
    },
);
