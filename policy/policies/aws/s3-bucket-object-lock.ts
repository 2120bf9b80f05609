// Versioning makes a delete recoverable only until someone with the rights deletes the versions
// too; Object Lock with a default retention makes backups immutable for that period, even to the
// account's own administrators (COMPLIANCE) or to all but a privileged bypass (GOVERNANCE).
// Level per environment (docs/policies.md). Access-log buckets are left out: S3 does not deliver
// server access logs to a bucket with Object Lock.
import type { PolicyResource } from "@pulumi/policy";
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { checkBucketCompanions, serverAccessLogTargets } from "../../lib/s3";
import { readOrUnknown } from "../../lib/unknowns";
import { path } from "../../lib/values";
import { S3_BUCKETS, S3_OBJECT_LOCK } from "./types";

function hasDefaultRetention(configuration: unknown): boolean {
    const retention = path(configuration, "rule", "defaultRetention");
    return path(retention, "days") !== undefined || path(retention, "years") !== undefined;
}

function lockEnabled(bucket: PolicyResource): boolean {
    return bucket.props.objectLockEnabled === true || path(bucket.props, "objectLockConfiguration", "objectLockEnabled") === "Enabled";
}

export const s3BucketObjectLock = defineStackPolicy(
    {
        name: "s3-bucket-object-lock",
        description: "Every S3 bucket (other than an access-log bucket) must have Object Lock enabled with a default retention.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.15", "S3 general purpose buckets should have Object Lock enabled"),
            checkov("CKV_AWS_143", "Ensure that S3 bucket has lock configuration enabled by default"),
            prowler("s3_bucket_object_lock", "S3 bucket has Object Lock enabled"),
        ],
        appliesTo: `${S3_BUCKETS.join(", ")} with ${S3_OBJECT_LOCK.join(", ")}`,
        remediation: "Create the bucket with `objectLockEnabled: true` and add an aws.s3.BucketObjectLockConfiguration with `rule.defaultRetention`.",
    },
    {
        check(stack) {
            const logTargets = serverAccessLogTargets(stack, S3_BUCKETS);
            checkBucketCompanions(stack, {
                bucketTypes: S3_BUCKETS,
                companionTypes: S3_OBJECT_LOCK,
                appliesTo: (bucket) => !logTargets.has(bucket),
                satisfiedInline: (bucket, resource) => lockEnabled(resource) && hasDefaultRetention(path(bucket, "objectLockConfiguration")),
                satisfiedBy: (companion, bucket) => lockEnabled(bucket) && hasDefaultRetention(companion),
                missing: (bucket) =>
                    readOrUnknown(() => lockEnabled(bucket)) === true ? "has Object Lock without a default retention" : "does not have Object Lock enabled with a default retention",
            });
        },
    },
);
