// Server access logs record every request to a bucket (who, what, when, from where): the
// evidence a backup-bucket investigation needs. Level per environment (docs/policies.md). A bucket
// that receives access logs is not asked to log itself: S3 recommends against it (a log of the
// log deliveries, or a loop when it logs to itself).
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { checkBucketCompanions, serverAccessLogTargets } from "../../lib/s3";
import { isNonEmptyString, path } from "../../lib/values";
import { S3_BUCKETS, S3_LOGGING } from "./types";

export const s3BucketAccessLogging = defineStackPolicy(
    {
        name: "s3-bucket-access-logging",
        description: "Every S3 bucket (other than an access-log bucket) must send server access logs to another bucket.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.9", "S3 general purpose buckets should have server access logging enabled"),
            checkov("CKV_AWS_18", "Ensure the S3 bucket has access logging enabled"),
            prowler("s3_bucket_server_access_logging_enabled", "S3 bucket has server access logging enabled"),
        ],
        appliesTo: `${S3_BUCKETS.join(", ")} with ${S3_LOGGING.join(", ")}`,
        remediation: "Add an aws.s3.BucketLogging pointing at the platform's access-log bucket (SSE-S3, no Object Lock, policy for logging.s3.amazonaws.com).",
    },
    {
        check(stack) {
            const logTargets = serverAccessLogTargets(stack, S3_BUCKETS);
            checkBucketCompanions(stack, {
                bucketTypes: S3_BUCKETS,
                companionTypes: S3_LOGGING,
                appliesTo: (bucket) => !logTargets.has(bucket),
                satisfiedInline: (bucket) => isNonEmptyString(path(bucket, "logging", "targetBucket")),
                satisfiedBy: (companion) => isNonEmptyString(companion.targetBucket),
                missing: "has no server access logging",
            });
        },
    },
);
