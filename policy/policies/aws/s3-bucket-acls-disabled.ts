// With ACLs enabled, any principal with s3:PutObjectAcl or s3:PutBucketAcl can grant access that
// no bucket policy shows. Object Ownership "BucketOwnerEnforced" switches ACLs off.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { checkBucketCompanions } from "../../lib/s3";
import { path } from "../../lib/values";
import { S3_BUCKETS, S3_OWNERSHIP_CONTROLS } from "./types";

export const s3BucketAclsDisabled = defineStackPolicy(
    {
        name: "s3-bucket-acls-disabled",
        description: "Every S3 bucket must disable ACLs with Object Ownership BucketOwnerEnforced.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.12", "ACLs should not be used to manage user access to S3 general purpose buckets"),
            checkov("CKV2_AWS_65", "Ensure access control lists for S3 buckets are disabled"),
            prowler("s3_bucket_acl_prohibited", "S3 bucket has bucket ACLs disabled"),
        ],
        appliesTo: `${S3_BUCKETS.join(", ")} with ${S3_OWNERSHIP_CONTROLS.join(", ")}`,
        remediation: "Add an aws.s3.BucketOwnershipControls with `rule.objectOwnership: \"BucketOwnerEnforced\"`.",
    },
    {
        check: (stack) =>
            checkBucketCompanions(stack, {
                bucketTypes: S3_BUCKETS,
                companionTypes: S3_OWNERSHIP_CONTROLS,
                satisfiedBy: (companion) => path(companion, "rule", "objectOwnership") === "BucketOwnerEnforced",
                missing: "does not disable ACLs (no BucketOwnershipControls with BucketOwnerEnforced)",
            }),
    },
);
