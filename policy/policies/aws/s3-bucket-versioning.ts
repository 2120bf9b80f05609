// Versioning is what makes an overwrite or a delete recoverable (and ransomware survivable).
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { checkBucketCompanions } from "../../lib/s3";
import { path } from "../../lib/values";
import { S3_BUCKETS, S3_VERSIONING } from "./types";

export const s3BucketVersioning = defineStackPolicy(
    {
        name: "s3-bucket-versioning",
        description: "Every S3 bucket must have versioning enabled.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.14", "S3 general purpose buckets should have versioning enabled"),
            checkov("CKV_AWS_21", "Ensure all data stored in the S3 bucket have versioning enabled"),
            prowler("s3_bucket_object_versioning", "S3 bucket has object versioning enabled"),
        ],
        appliesTo: `${S3_BUCKETS.join(", ")} with ${S3_VERSIONING.join(", ")}`,
        remediation: "Add an aws.s3.BucketVersioning with `versioningConfiguration.status: \"Enabled\"`.",
    },
    {
        check: (stack) =>
            checkBucketCompanions(stack, {
                bucketTypes: S3_BUCKETS,
                companionTypes: S3_VERSIONING,
                satisfiedInline: (bucket) => path(bucket, "versioning", "enabled") === true,
                satisfiedBy: (companion) => path(companion, "versioningConfiguration", "status") === "Enabled",
                missing: "does not have versioning enabled",
            }),
    },
);
