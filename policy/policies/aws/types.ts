// Pulumi type tokens of the AWS resources and @pulumi/eks components our policies read.
export const AWS_EKS_CLUSTER = "aws:eks/cluster:Cluster";
export const EKS_COMPONENT_CLUSTER = "eks:index:Cluster";
export const AWS_EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const EKS_MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup";
export const EKS_SELF_MANAGED_NODE_GROUPS = ["eks:index:NodeGroup", "eks:index:NodeGroupV2"];
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const INSTANCE = "aws:ec2/instance:Instance";
export const EBS_VOLUME = "aws:ebs/volume:Volume";
export {
    DEFAULT_SECURITY_GROUP,
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    SECURITY_GROUP_TYPES,
} from "../../lib/securityGroups";
export { IAM_ROLE, IDENTITY_POLICY_TYPES as IAM_POLICY_DOCUMENT_TYPES } from "../../lib/iam";
export { S3_LOGGING } from "../../lib/s3";
export const KARPENTER_EC2_NODE_CLASS = /^kubernetes:karpenter\.k8s\.aws\/[^:]+:EC2NodeClass$/;
export const VPC = "aws:ec2/vpc:Vpc";
export const SUBNET = "aws:ec2/subnet:Subnet";
export const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
export const EBS_ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault";
export const EKS_ADDON = "aws:eks/addon:Addon";
export const EKS_VPC_CNI_ADDON = "eks:index:VpcCniAddon";
export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const SQS_QUEUE = "aws:sqs/queue:Queue";
export const SQS_QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
export const KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
export const KMS_KEY = "aws:kms/key:Key";
export const ECR_REPOSITORY = "aws:ecr/repository:Repository";
export const S3_BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const S3_ENCRYPTION = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
export const S3_VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
export const S3_PUBLIC_ACCESS_BLOCK = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
export const S3_ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
export const S3_BUCKET_POLICY = ["aws:s3/bucketPolicy:BucketPolicy"];
export const S3_OWNERSHIP_CONTROLS = ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"];
export const S3_ACL = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"];
export const S3_OBJECT_LOCK = [
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
];
export const IAM_ATTACHMENT_TYPES = [
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
];
