import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogBucketPolicy } from "./accessLogs.iam";

/** How long server access logs are kept: a year of evidence, whatever the environment. */
export const ACCESS_LOG_RETENTION_DAYS = 365;

export interface AccessLogBucketArgs {
    clusterName: string;
    accountId: pulumi.Input<string>;
    partition: pulumi.Input<string>;
    tags: Record<string, string>;
    /** prod: protected and retained on delete; elsewhere `pulumi destroy` empties and deletes it. */
    protectStateful: boolean;
}

/**
 * The bucket that receives the platform's S3 server access logs. S3 constrains a log target
 * (S3 User Guide, "Enabling Amazon S3 server access logging"): default encryption SSE-S3 only
 * (SSE-KMS is not supported for log delivery), no Object Lock, and it should not log itself. So
 * it is the one bucket encrypted with SSE-S3, without Object Lock or access logging (the policy
 * pack knows log targets and judges them by those rules); every other guard applies.
 */
export class AccessLogBucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    /** What a source bucket's logging must wait for: the bucket and the policy that lets S3 write. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:AccessLogBucket", name, {}, opts);
        const { clusterName, tags, protectStateful } = args;
        const stateful: pulumi.CustomResourceOptions = { parent: this, protect: protectStateful, retainOnDelete: protectStateful };

        const bucket = new aws.s3.Bucket(
            name,
            { bucket: pulumi.interpolate`${clusterName}-access-logs-${args.accountId}`, forceDestroy: !protectStateful, tags },
            stateful,
        );
        const companion = { ...stateful, dependsOn: [bucket] };
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            name,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            companion,
        );
        new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, companion);
        const versioning = new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, companion);
        new aws.s3.BucketServerSideEncryptionConfiguration(name, { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, companion);
        new aws.s3.BucketLifecycleConfiguration(
            name,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: ACCESS_LOG_RETENTION_DAYS },
                        noncurrentVersionExpiration: { noncurrentDays: 30 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            { ...companion, dependsOn: [bucket, versioning] },
        );
        const policy = new aws.s3.BucketPolicy(
            name,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify(
                    pulumi
                        .all([args.partition, args.accountId, bucket.arn])
                        .apply(([partition, accountId, bucketArn]) => accessLogBucketPolicy({ partition, accountId, bucketArn, sourceBucketPattern: `${clusterName}-*` })),
                ),
            },
            // After the public-access block, as for every bucket policy here.
            { ...companion, dependsOn: [bucket, publicAccess] },
        );

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.ready = [bucket, policy];
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
