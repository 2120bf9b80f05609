import { denyInsecureTransport, policyDocument, type PolicyDocument } from "./shared/iamDocuments";

export interface AccessLogBucketPolicyFacts {
    partition: string;
    accountId: string;
    bucketArn: string;
    /** Source buckets allowed to deliver here, as an S3 bucket-name pattern (`<cluster>-*`). */
    sourceBucketPattern: string;
}

/**
 * S3 server access log delivery writes as the logging service principal; it may only write
 * objects, only for this account's buckets of this platform (aws:SourceAccount, aws:SourceArn,
 * as the S3 User Guide's log-delivery policy does). Everything else goes through IAM, over TLS.
 */
export function accessLogBucketPolicy(f: AccessLogBucketPolicyFacts): PolicyDocument {
    return policyDocument(
        { ...denyInsecureTransport([f.bucketArn, `${f.bucketArn}/*`]), Action: "s3:*" },
        {
            Sid: "S3ServerAccessLogDelivery",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${f.bucketArn}/*`,
            Condition: {
                StringEquals: { "aws:SourceAccount": f.accountId },
                ArnLike: { "aws:SourceArn": `arn:${f.partition}:s3:::${f.sourceBucketPattern}` },
            },
        },
    );
}
