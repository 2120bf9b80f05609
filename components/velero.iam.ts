/**
 * Velero's IAM documents as plain data: the role's permissions, the bucket policy that keeps
 * everyone else out of the backups, and the key policy of the bucket's CMK.
 * Pure functions of plain strings, so tests read them (and simulate them) without a cloud.
 */
import { clusterOwnershipTag, denyInsecureTransport, KEY_ADMIN_ACTIONS, policyDocument, type PolicyDocument, type PolicyStatement } from "./shared/iamDocuments";

export interface VeleroIamFacts {
    partition: string;
    region: string;
    accountId: string;
    clusterName: string;
    bucketArn: string;
    keyArn: string;
}

/** The AWS plugin's actions (velero-plugin-for-aws README), each scoped to this bucket, key and cluster. */
export function veleroRolePolicy(f: VeleroIamFacts): PolicyDocument {
    const ec2 = `arn:${f.partition}:ec2:${f.region}`;
    const volumes = `${ec2}:${f.accountId}:volume/*`;
    // Snapshot ARNs carry no account id.
    const snapshots = `${ec2}::snapshot/*`;
    const owned = { [`aws:ResourceTag/${clusterOwnershipTag(f.clusterName)}`]: "owned" };
    const requestOwned = { [`aws:RequestTag/${clusterOwnershipTag(f.clusterName)}`]: "owned" };
    return policyDocument(
        {
            Sid: "ListTheBackupBucket",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: f.bucketArn,
        },
        {
            Sid: "ReadWriteBackupObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: `${f.bucketArn}/*`,
        },
        {
            Sid: "UseTheBucketKeyThroughS3",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: f.keyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${f.region}.amazonaws.com` } },
        },
        {
            Sid: "DescribeVolumesAndSnapshotsInThisRegion",
            Effect: "Allow",
            Action: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"],
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": f.region } },
        },
        {
            Sid: "SnapshotOnlyThisClustersVolumes",
            Effect: "Allow",
            Action: "ec2:CreateSnapshot",
            Resource: volumes,
            Condition: { StringEquals: owned },
        },
        {
            Sid: "CreateSnapshotsTaggedForThisCluster",
            Effect: "Allow",
            Action: "ec2:CreateSnapshot",
            Resource: snapshots,
            Condition: { StringEquals: requestOwned },
        },
        {
            Sid: "RestoreOnlyFromThisClustersSnapshots",
            Effect: "Allow",
            Action: "ec2:CreateVolume",
            Resource: snapshots,
            Condition: { StringEquals: owned },
        },
        {
            Sid: "RestoreVolumesTaggedForThisCluster",
            Effect: "Allow",
            Action: "ec2:CreateVolume",
            Resource: volumes,
            Condition: { StringEquals: requestOwned },
        },
        {
            Sid: "TagOnlyWhileCreating",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: [volumes, snapshots],
            Condition: { StringEquals: { "ec2:CreateAction": ["CreateSnapshot", "CreateVolume"] } },
        },
        {
            Sid: "DeleteOnlyThisClustersSnapshots",
            Effect: "Allow",
            Action: "ec2:DeleteSnapshot",
            Resource: snapshots,
            Condition: { StringEquals: owned },
        },
    );
}

export interface BucketPolicyFacts {
    bucketArn: string;
    veleroRoleArn: string;
    breakGlassRoleArn: string;
    /** The roles that run `pulumi up` (IAM role ARNs, as `aws:PrincipalArn` reports them). */
    deployerRoleArns: string[];
    /**
     * Outside production, `pulumi destroy` must be able to empty the bucket (`forceDestroy`
     * deletes every object version): the deployers may then delete backups, still never read them.
     */
    deployersMayEmpty?: boolean;
}

/**
 * What emptying a versioned bucket takes: deleting every object version and delete marker, and
 * bypassing Object Lock in GOVERNANCE mode (COMPLIANCE cannot be bypassed by anyone; the config
 * refuses it outside production).
 */
export const BUCKET_EMPTYING_ACTIONS = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"];

/** Data-plane actions on the bucket itself (listing what is in it). */
export const BUCKET_LISTING_ACTIONS = ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"];

/** Changes that would weaken the bucket's protection or remove it. */
export const BUCKET_GUARD_ACTIONS = [
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketLogging",
    "s3:DeleteBucket",
];

/**
 * Explicit denies beat any Allow, so an `s3:*` on `*` in someone's identity policy (a
 * developer, a platform admin) does not reach the backups:
 *  - every object action is denied to every principal except the Velero role and the
 *    break-glass role (`aws:PrincipalArn` is the role ARN for assumed roles); listing the
 *    bucket also to the deployer, whose provider reads the bucket with HeadBucket (ListBucket);
 *  - changing the policy or the bucket's protection is denied to every principal except the
 *    deployer role and break-glass. Bucket *configuration reads* stay governed by IAM, so
 *    `pulumi up`/`refresh` keeps working.
 * Outside production the deployers may also delete object versions (never read them), so that
 * `pulumi destroy` empties the bucket even while this policy is in place.
 * Trade-offs: the deployers may still rewrite this policy (they must, to manage it), and list
 * key names. Anyone else running `pulumi up` (a human admin) cannot read the bucket (HeadBucket
 * is ListBucket) nor change its guards: deploy from the deployer roles, or as break-glass.
 * Adding a deployer role needs one run as an existing deployer or break-glass. The account
 * root can always delete a bucket policy, so nobody is permanently locked out.
 */
export function veleroBucketPolicy(f: BucketPolicyFacts): PolicyDocument {
    const readers = [f.veleroRoleArn, f.breakGlassRoleArn];
    const managers = [...f.deployerRoleArns, f.breakGlassRoleArn];
    const objectAccess: PolicyStatement[] = f.deployersMayEmpty
        ? [
              {
                  Sid: "DenyObjectAccessExceptVeleroAndBreakGlass",
                  Effect: "Deny",
                  Principal: "*",
                  NotAction: BUCKET_EMPTYING_ACTIONS,
                  Resource: `${f.bucketArn}/*`,
                  Condition: { StringNotLike: { "aws:PrincipalArn": readers } },
              },
              {
                  Sid: "DenyDeletingBackupsExceptVeleroBreakGlassAndDeployer",
                  Effect: "Deny",
                  Principal: "*",
                  Action: BUCKET_EMPTYING_ACTIONS,
                  Resource: `${f.bucketArn}/*`,
                  Condition: { StringNotLike: { "aws:PrincipalArn": [...readers, ...f.deployerRoleArns] } },
              },
          ]
        : [
              {
                  Sid: "DenyObjectAccessExceptVeleroAndBreakGlass",
                  Effect: "Deny",
                  Principal: "*",
                  Action: "s3:*",
                  Resource: `${f.bucketArn}/*`,
                  Condition: { StringNotLike: { "aws:PrincipalArn": readers } },
              },
          ];
    return policyDocument(
        { ...denyInsecureTransport([f.bucketArn, `${f.bucketArn}/*`]), Action: "s3:*" },
        ...objectAccess,
        {
            // The deployer may list keys (names, not contents): the provider reads the bucket with
            // HeadBucket, which needs s3:ListBucket; denying it would break `pulumi up`/refresh.
            Sid: "DenyListingExceptVeleroBreakGlassAndDeployer",
            Effect: "Deny",
            Principal: "*",
            Action: BUCKET_LISTING_ACTIONS,
            Resource: f.bucketArn,
            Condition: { StringNotLike: { "aws:PrincipalArn": [...readers, ...f.deployerRoleArns] } },
        },
        {
            Sid: "DenyGuardChangesExceptDeployerAndBreakGlass",
            Effect: "Deny",
            Principal: "*",
            Action: BUCKET_GUARD_ACTIONS,
            Resource: f.bucketArn,
            Condition: { StringNotLike: { "aws:PrincipalArn": managers } },
        },
    );
}

export interface KeyPolicyFacts {
    partition: string;
    region: string;
    accountId: string;
    veleroRoleArn: string;
    breakGlassRoleArn: string;
}

/**
 * The account (through IAM) may administer the key but not use it: no Decrypt for anyone
 * except Velero (only through S3) and break-glass.
 */
export function veleroKeyPolicy(f: KeyPolicyFacts): PolicyDocument {
    const use = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];
    return policyDocument(
        {
            Sid: "AccountAdministersTheKey",
            Effect: "Allow",
            Principal: { AWS: `arn:${f.partition}:iam::${f.accountId}:root` },
            Action: [...KEY_ADMIN_ACTIONS],
            Resource: "*",
        },
        {
            Sid: "VeleroUsesTheKeyThroughS3",
            Effect: "Allow",
            Principal: { AWS: f.veleroRoleArn },
            Action: use,
            Resource: "*",
            Condition: { StringEquals: { "kms:ViaService": `s3.${f.region}.amazonaws.com`, "kms:CallerAccount": f.accountId } },
        },
        {
            Sid: "BreakGlassUsesTheKey",
            Effect: "Allow",
            Principal: { AWS: f.breakGlassRoleArn },
            Action: use,
            Resource: "*",
        },
    );
}
