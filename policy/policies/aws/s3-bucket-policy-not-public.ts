// The public access block is the safety net; the bucket policy itself should not try to grant
// the world anything either, so that removing the block does not publish the bucket.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { reportPublicStatements } from "../../lib/iam";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { S3_BUCKET_POLICY, S3_BUCKETS } from "./types";

const TYPES = [...S3_BUCKETS, ...S3_BUCKET_POLICY];

export const s3BucketPolicyNotPublic = defineResourcePolicy(
    {
        name: "s3-bucket-policy-not-public",
        description: "S3 bucket policies must not allow a wildcard principal unless a condition pins the caller (source account/ARN, organisation, VPC endpoint).",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.2", "S3 general purpose buckets should block public read access"),
            awsFsbp("S3.3", "S3 general purpose buckets should block public write access"),
            checkov("CKV_AWS_70", "Ensure S3 bucket does not allow an action with any Principal"),
            prowler("s3_bucket_policy_public_write_access", "S3 bucket policy does not allow public write access"),
            prowler("s3_bucket_public_access", "S3 bucket is not publicly accessible to Everyone or Authenticated Users"),
        ],
        appliesTo: TYPES.join(", "),
        remediation: "Grant named roles or service principals with aws:SourceArn / aws:SourceAccount conditions; never \"*\" alone.",
    },
    {
        appliesTo: ofTypes(...TYPES),
        check: (resource) => reportPublicStatements(resource.type, resource.props, resource),
    },
);
