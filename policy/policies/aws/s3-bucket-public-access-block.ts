// All four switches are needed: each closes a different path (ACLs, policies, existing grants).
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { checkBucketCompanions, PUBLIC_ACCESS_BLOCK_SWITCHES } from "../../lib/s3";
import { S3_BUCKETS, S3_PUBLIC_ACCESS_BLOCK } from "./types";

export const s3BucketPublicAccessBlock = defineStackPolicy(
    {
        name: "s3-bucket-public-access-block",
        description: "Every S3 bucket must have a public access block with all four settings true.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.8", "S3 general purpose buckets should block public access"),
            checkov("CKV2_AWS_6", "Ensure that S3 bucket has a Public Access block"),
            checkov("CKV_AWS_53", "Ensure S3 bucket has block public ACLS enabled"),
            checkov("CKV_AWS_54", "Ensure S3 bucket has block public policy enabled"),
            checkov("CKV_AWS_55", "Ensure S3 bucket has ignore public ACLs enabled"),
            checkov("CKV_AWS_56", "Ensure S3 bucket has 'restrict_public_buckets' enabled"),
            prowler("s3_bucket_level_public_access_block", "S3 bucket has Block Public Access with IgnorePublicAcls and RestrictPublicBuckets enabled at bucket or account level"),
        ],
        appliesTo: `${S3_BUCKETS.join(", ")} with ${S3_PUBLIC_ACCESS_BLOCK.join(", ")}`,
        remediation: "Add an aws.s3.BucketPublicAccessBlock with all four settings true.",
    },
    {
        check: (stack) =>
            checkBucketCompanions(stack, {
                bucketTypes: S3_BUCKETS,
                companionTypes: S3_PUBLIC_ACCESS_BLOCK,
                satisfiedBy: (companion) => PUBLIC_ACCESS_BLOCK_SWITCHES.every((name) => companion[name] === true),
                missing: "has no public access block with all four settings true",
            }),
    },
);
