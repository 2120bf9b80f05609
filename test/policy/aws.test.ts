// AWS and @pulumi/eks inputs: per-bucket S3 companions, IAM documents in both encodings,
// endpoint CIDRs, SSH, IMDS and EBS details.
import { describe, expect, it } from "vitest";
import { awsCluster, eksComponentCluster, notEvaluatedOf, resource, s3Bucket, s3Companions, UNKNOWN, violationsOf } from "./helpers";

const S3_POLICIES = ["s3-bucket-encryption", "s3-bucket-versioning", "s3-bucket-public-access-block"];
const s3Violations = (stack: Parameters<typeof violationsOf>[1]) => S3_POLICIES.flatMap((p) => violationsOf(p, stack));

describe("S3 companions are matched per bucket", () => {
    it("flags only the bucket without companions when two buckets share a stack", () => {
        const stack = [s3Bucket("good", "good-bucket"), ...s3Companions("good-bucket", "good"), s3Bucket("bad", "bad-bucket")];
        expect(s3Violations(stack)).toEqual([
            "S3 bucket bad has no SSE-KMS default encryption (aws:kms or aws:kms:dsse)",
            "S3 bucket bad does not have versioning enabled",
            "S3 bucket bad has no public access block with all four settings true",
        ]);
    });

    it("matches by the bucket's registered name when it has no bucket input", () => {
        expect(s3Violations([s3Bucket("logs", undefined), ...s3Companions("logs", "logs")])).toEqual([]);
    });

    it("falls back to the dependency on the bucket when the reference is unknown", () => {
        const good = s3Bucket("good", UNKNOWN);
        const stack = [good, ...s3Companions(UNKNOWN, "good", good.urn), s3Bucket("bad", UNKNOWN)];
        expect(s3Violations(stack)).toEqual([
            "S3 bucket bad has no SSE-KMS default encryption (aws:kms or aws:kms:dsse)",
            "S3 bucket bad does not have versioning enabled",
            "S3 bucket bad has no public access block with all four settings true",
        ]);
    });

    it("does not guess when an unknown reference cannot be attributed", () => {
        const stack = [s3Bucket("a", UNKNOWN), s3Bucket("b", UNKNOWN), ...s3Companions(UNKNOWN, "x")];
        expect(s3Violations(stack)).toEqual([]);
        expect(notEvaluatedOf("s3-bucket-versioning", stack)).toHaveLength(1);
    });

    it("does not credit a bucket with a companion that does not satisfy the check", () => {
        const stack = [
            s3Bucket("a"),
            ...s3Companions("a", "a").filter((r) => !r.type.includes("Versioning")),
            resource("aws:s3/bucketVersioning:BucketVersioning", { bucket: "a", versioningConfiguration: { status: "Suspended" } }),
            resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "a", blockPublicAcls: true }),
        ];
        expect(violationsOf("s3-bucket-versioning", stack)).toEqual(["S3 bucket a does not have versioning enabled"]);
        expect(violationsOf("s3-bucket-public-access-block", stack)).toEqual([]); // the complete block from s3Companions counts
    });

    it("accepts the deprecated inline settings on the bucket", () => {
        const bucket = resource("aws:s3/bucket:Bucket", {
            bucket: "inline",
            versioning: { enabled: true },
            serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } },
        });
        expect(violationsOf("s3-bucket-versioning", [bucket])).toEqual([]);
        expect(violationsOf("s3-bucket-encryption", [bucket])).toEqual([]);
    });
});

describe("IAM", () => {
    const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

    it("denies * on * as a JSON string and as an object", () => {
        expect(violationsOf("iam-no-admin-access", [resource("aws:iam/policy:Policy", { policy: JSON.stringify(everything) })])).toEqual(["policy statement 0 allows * on *"]);
        expect(violationsOf("iam-no-admin-access", [resource("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: everything })])).toEqual(["policy statement 0 allows * on *"]);
    });

    it("denies list forms, inline role policies and managed AdministratorAccess", () => {
        const listForm = { Statement: { Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: ["*"] } };
        expect(violationsOf("iam-no-admin-access", [resource("aws:iam/policy:Policy", { policy: listForm })])).toHaveLength(1);
        const role = resource("aws:iam/role:Role", {
            inlinePolicies: [{ name: "god", policy: JSON.stringify(everything) }],
            managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        });
        expect(violationsOf("iam-no-admin-access", [role]).sort()).toEqual(["attaches AdministratorAccess", "inline policy god statement 0 allows * on *"]);
    });

    it("allows Deny statements, scoped actions and unparsable documents", () => {
        const deny = { Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] };
        const scoped = { Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
        const stack = [
            resource("aws:iam/policy:Policy", { policy: deny }),
            resource("aws:iam/policy:Policy", { policy: scoped }),
            resource("aws:iam/policy:Policy", { policy: "not json" }),
            resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
        ];
        expect(violationsOf("iam-no-admin-access", stack)).toEqual([]);
    });
});

describe("EKS cluster", () => {
    it.each(["0.0.0.0/0", "::/0"])("denies a public endpoint open to %s", (cidr) => {
        expect(violationsOf("eks-cluster-endpoint-restricted", [eksComponentCluster({ endpointPublicAccess: true, publicAccessCidrs: ["10.0.0.0/8", cidr] })])).toEqual([
            `EKS cluster public endpoint is open to ${cidr}`,
        ]);
        const raw = awsCluster({ vpcConfig: { subnetIds: [], endpointPublicAccess: true, publicAccessCidrs: [cidr] } });
        expect(violationsOf("eks-cluster-endpoint-restricted", [raw])).toHaveLength(1);
    });

    it("treats an unset public access flag as public and unset CIDRs as open", () => {
        expect(violationsOf("eks-cluster-endpoint-restricted", [awsCluster({ vpcConfig: { subnetIds: [] } })])).toEqual([
            "EKS cluster has a public endpoint without publicAccessCidrs",
        ]);
        expect(violationsOf("eks-cluster-endpoint-restricted", [eksComponentCluster({ endpointPublicAccess: false, publicAccessCidrs: undefined })])).toEqual([]);
    });

    it("counts a KMS key ARN that is unknown at preview as configured", () => {
        expect(violationsOf("eks-cluster-secrets-encryption", [eksComponentCluster({ encryptionConfigKeyArn: UNKNOWN })])).toEqual([]);
        expect(notEvaluatedOf("eks-cluster-secrets-encryption", [eksComponentCluster({ encryptionConfigKeyArn: UNKNOWN })])).toEqual([]);
        const wrongResources = awsCluster({ encryptionConfig: { provider: { keyArn: "arn:k" }, resources: [] } });
        expect(violationsOf("eks-cluster-secrets-encryption", [wrongResources])).toHaveLength(1);
    });

    it("requires authentication mode API, unset meaning CONFIG_MAP", () => {
        expect(violationsOf("eks-cluster-authentication-mode-api", [eksComponentCluster({ authenticationMode: undefined })])).toEqual([
            "EKS cluster authentication mode is unset (CONFIG_MAP)",
        ]);
    });
});

describe("SSH, IMDS, EBS, KMS", () => {
    it("denies SSH open to the world through any security-group form", () => {
        const stack = [
            resource("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ protocol: "tcp", fromPort: 0, toPort: 65535, ipv6CidrBlocks: ["::/0"] }] }, "sg"),
            resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }, "rule"),
            resource("aws:ec2/securityGroupRule:SecurityGroupRule", { type: "ingress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }, "all"),
            resource("eks:index:ManagedNodeGroup", { remoteAccess: { ec2SshKey: "ops", sourceSecurityGroupIds: [] } }, "ng"),
        ];
        expect(violationsOf("ssh-not-open-to-world", stack)).toHaveLength(4);
    });

    it("allows HTTPS from the world, SSH from a private range and node groups with source groups", () => {
        const stack = [
            resource("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }),
            resource("aws:ec2/securityGroupRule:SecurityGroupRule", { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }),
            resource("aws:eks/nodeGroup:NodeGroup", { remoteAccess: { ec2SshKey: "ops", sourceSecurityGroupIds: ["sg-1"] } }),
        ];
        expect(violationsOf("ssh-not-open-to-world", stack)).toEqual([]);
    });

    it("denies IMDSv1 by default and lets an instance inherit from its launch template", () => {
        expect(violationsOf("ec2-imdsv2-required", [resource("aws:ec2/instance:Instance", {})])).toEqual(["allows IMDSv1 (httpTokens is unset)"]);
        expect(violationsOf("ec2-imdsv2-required", [resource("aws:ec2/instance:Instance", { launchTemplate: { id: "lt-1" } })])).toEqual([]);
        expect(violationsOf("ec2-imdsv2-required", [resource("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: { httpEndpoint: "disabled" } })])).toEqual([]);
    });

    it("denies unencrypted launch-template devices (string booleans) and instance volumes", () => {
        const lt = resource("aws:ec2/launchTemplate:LaunchTemplate", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] });
        expect(violationsOf("ebs-encryption", [lt])).toEqual(["launch template block device /dev/xvda is not encrypted"]);
        const instance = resource("aws:ec2/instance:Instance", { rootBlockDevice: {}, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }] });
        expect(violationsOf("ebs-encryption", [instance])).toEqual(["instance root volume is not encrypted"]);
    });

    it("only asks symmetric keys to rotate", () => {
        expect(violationsOf("kms-key-rotation", [resource("aws:kms/key:Key", { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" })])).toEqual([]);
        expect(violationsOf("kms-key-rotation", [resource("aws:kms/key:Key", { enableKeyRotation: false })])).toHaveLength(1);
    });
});
