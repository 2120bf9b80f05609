// All four switches are needed: each closes a different path (ACLs, policies, existing grants).
import { awsFsbp } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { checkBucketCompanions } from "../../lib/s3";
import { S3_BUCKETS, S3_PUBLIC_ACCESS_BLOCK } from "./types";

const SWITCHES = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3BucketPublicAccessBlock = defineStackPolicy(
    {
        name: "s3-bucket-public-access-block",
        description: "Every S3 bucket must have a public access block with all four settings true.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.8", "S3 general purpose buckets should block public access"),
            awsFsbp("S3.1", "S3 general purpose buckets should have block public access settings enabled"),
        ],
        appliesTo: `${S3_BUCKETS.join(", ")} with ${S3_PUBLIC_ACCESS_BLOCK.join(", ")}`,
        remediation: "Add an aws.s3.BucketPublicAccessBlock with all four settings true.",
    },
    {
        check: (stack) =>
            checkBucketCompanions(stack, {
                bucketTypes: S3_BUCKETS,
                companionTypes: S3_PUBLIC_ACCESS_BLOCK,
                satisfiedBy: (companion) => SWITCHES.every((name) => companion[name] === true),
                missing: "has no public access block with all four settings true",
            }),
    },
);
