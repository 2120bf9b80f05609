// Pulumi type tokens of the AWS resources and @pulumi/eks components our policies read.
export const AWS_EKS_CLUSTER = "aws:eks/cluster:Cluster";
export const EKS_COMPONENT_CLUSTER = "eks:index:Cluster";
export const AWS_EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const EKS_MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup";
export const EKS_SELF_MANAGED_NODE_GROUPS = ["eks:index:NodeGroup", "eks:index:NodeGroupV2"];
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const INSTANCE = "aws:ec2/instance:Instance";
export const EBS_VOLUME = "aws:ebs/volume:Volume";
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const KMS_KEY = "aws:kms/key:Key";
export const ECR_REPOSITORY = "aws:ecr/repository:Repository";
export const S3_BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const S3_ENCRYPTION = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
export const S3_VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
export const S3_PUBLIC_ACCESS_BLOCK = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
export const IAM_POLICY_DOCUMENT_TYPES = [
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
];
export const IAM_ATTACHMENT_TYPES = [
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
];
export const IAM_ROLE = "aws:iam/role:Role";
