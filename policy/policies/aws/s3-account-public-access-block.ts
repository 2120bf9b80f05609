// The account-level block overrides every bucket's settings: one switch that stops any bucket,
// including ones created outside this program, from being made public.
import { awsFsbp, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { PUBLIC_ACCESS_BLOCK_SWITCHES } from "../../lib/s3";
import { S3_ACCOUNT_PUBLIC_ACCESS_BLOCK } from "./types";

export const s3AccountPublicAccessBlock = defineResourcePolicy(
    {
        name: "s3-account-public-access-block",
        description: "A managed account-level S3 public access block must set all four settings true.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.1", "S3 general purpose buckets should have block public access settings enabled"),
            prowler("s3_account_level_public_access_blocks", "S3 account-level Block Public Access ignores public ACLs and restricts public buckets"),
        ],
        appliesTo: S3_ACCOUNT_PUBLIC_ACCESS_BLOCK,
        remediation: "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
    },
    {
        appliesTo: ofTypes(S3_ACCOUNT_PUBLIC_ACCESS_BLOCK),
        check(resource) {
            const off = PUBLIC_ACCESS_BLOCK_SWITCHES.filter((name) => resource.props[name] !== true);
            if (off.length > 0) resource.report(`account public access block leaves ${off.join(", ")} off`);
        },
    },
);
