// Without an explicit deny, S3 answers plain-HTTP requests: credentials' signatures and object
// data travel in clear text. The standard guard is a Deny for everyone when aws:SecureTransport
// is false, on the bucket and on its objects.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { iamDocuments, oneOrMany } from "../../lib/iam";
import { defineStackPolicy } from "../../lib/policy";
import { checkBucketCompanions } from "../../lib/s3";
import { UnknownCollector } from "../../lib/unknowns";
import { asRecord, asString, Props } from "../../lib/values";
import { S3_BUCKET_POLICY, S3_BUCKETS } from "./types";

/**
 * The keys of a Condition are ANDed: a deny applies to every request without TLS only when
 * aws:SecureTransport false is all it asks (any other key would let some plain-HTTP requests in).
 * On this single-valued key the set operators ForAnyValue:/ForAllValues: decide as plain Bool.
 */
function onlyWithoutTls(condition: unknown): boolean {
    return Object.entries(asRecord(condition) ?? {})
        .flatMap(([operator, clauses]) => Object.entries(asRecord(clauses) ?? {}).map(([key, value]) => ({ operator, key, value })))
        .every(({ operator, key, value }) => /^(ForAnyValue:|ForAllValues:)?Bool(IfExists)?$/i.test(operator) && key.toLowerCase() === "aws:securetransport" && String(value).toLowerCase() === "false");
}

function deniesInsecureTransport(statement: Props): boolean {
    if (asString(statement.Effect) !== "Deny") return false;
    const principal = statement.Principal;
    if (principal !== "*" && !oneOrMany(asRecord(principal)?.AWS).includes("*")) return false;
    if (!oneOrMany(statement.Action).some((a) => a === "*" || a.toLowerCase() === "s3:*")) return false;
    const secureTransport = onlyWithoutTls(statement.Condition);
    const resources = oneOrMany(statement.Resource);
    // No partition has a "/": a resource without one is a bucket ARN (or "*"), not an object path.
    const coversBucket = resources.some((r) => !r.includes("/"));
    const coversObjects = resources.some((r) => r === "*" || r.endsWith("/*"));
    return secureTransport && coversBucket && coversObjects;
}

function policyDeniesInsecureTransport(type: string, props: Props): boolean {
    // Unknown documents throw from the read below, so the bucket counts as uncertain, not missing.
    const unknowns = new UnknownCollector();
    const documents = iamDocuments(type, props, unknowns, ["resource"]);
    if (unknowns.firstUnknown) throw unknowns.firstUnknown;
    return documents.some((document) => document.statements.some(deniesInsecureTransport));
}

export const s3BucketRequireTls = defineStackPolicy(
    {
        name: "s3-bucket-require-tls",
        description: "Every S3 bucket policy must deny requests that do not use TLS (aws:SecureTransport false) on the bucket and its objects.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("S3.5", "S3 general purpose buckets should require requests to use SSL"),
            checkov("CKV_AWS_379", "Ensure AWS S3 bucket is configured with secure data transport policy"),
            prowler("s3_bucket_secure_transport_policy", "S3 bucket policy denies requests over insecure transport"),
        ],
        appliesTo: `${S3_BUCKETS.join(", ")} with ${S3_BUCKET_POLICY.join(", ")}`,
        remediation: "Add a bucket policy statement: Deny, Principal \"*\", Action \"s3:*\", Resource [bucket ARN, bucket ARN/*], Condition Bool aws:SecureTransport \"false\".",
    },
    {
        check: (stack) =>
            checkBucketCompanions(stack, {
                bucketTypes: S3_BUCKETS,
                companionTypes: S3_BUCKET_POLICY,
                satisfiedInline: (bucket, resource) => policyDeniesInsecureTransport(resource.type, bucket),
                satisfiedBy: (companion) => policyDeniesInsecureTransport(S3_BUCKET_POLICY[0], companion),
                missing: "has no bucket policy denying requests without TLS (aws:SecureTransport false)",
            }),
    },
);
