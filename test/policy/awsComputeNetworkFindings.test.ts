// What the compute and network policies say, literally, about the resources a real account would
// get: EBS volumes and the eks.Cluster default node group, public IPs, SSH and internet-facing
// ports, VPC default security groups and flow logs, log-group keys, ECR tags.
import { describe, expect, it } from "vitest";
import { eksComponentCluster, notEvaluatedOf, resource, UNKNOWN, violationsOf } from "./helpers";

type Props = Record<string, unknown>;

const launchTemplate = (props: Props) => resource("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: { httpTokens: "required" }, ...props }, "lt");
const nodeClass = (spec: Props) =>
    resource("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", { apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass", metadata: { name: "application" }, spec: { role: "nodes", ...spec } }, "nodeclass");
const worldSg = (ingress: Props[]) => resource("aws:ec2/securityGroup:SecurityGroup", { ingress }, "sg");

describe("EBS encryption", () => {
    it("flags an aws.ebs.Volume that is not encrypted, an unset flag included (AWS's default is unencrypted)", () => {
        expect(violationsOf("ebs-encryption", [resource("aws:ebs/volume:Volume", { availabilityZone: "eu-west-1a", size: 20, encrypted: false }, "data")])).toEqual([
            "EBS volume is not encrypted",
        ]);
        expect(violationsOf("ebs-encryption", [resource("aws:ebs/volume:Volume", { availabilityZone: "eu-west-1a", size: 20 }, "data")])).toEqual(["EBS volume is not encrypted"]);
        expect(violationsOf("ebs-encryption", [resource("aws:ebs/volume:Volume", { availabilityZone: "eu-west-1a", size: 20, encrypted: true }, "data")])).toEqual([]);
    });

    it("names every unencrypted extra volume of an instance by its device, or by its position when it has none", () => {
        const instance = resource(
            "aws:ec2/instance:Instance",
            {
                rootBlockDevice: { encrypted: true },
                ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: false }, { encrypted: "false" }, { deviceName: "/dev/sdh", encrypted: true }],
            },
            "vm",
        );
        expect(violationsOf("ebs-encryption", [instance])).toEqual(["instance EBS volume /dev/sdf is not encrypted", "instance EBS volume 1 is not encrypted"]);
    });

    it("with requireLaunchTemplateBlockDevices, flags launch templates and EC2NodeClasses that leave the root volume to the AMI", () => {
        const strict = { "ebs-encryption": { requireLaunchTemplateBlockDevices: true } };
        expect(violationsOf("ebs-encryption", [launchTemplate({})], strict)).toEqual(["launch template declares no block devices (the AMI's defaults apply)"]);
        expect(violationsOf("ebs-encryption", [nodeClass({ amiSelectorTerms: [{ alias: "al2023@latest" }] })], strict)).toEqual([
            "EC2NodeClass declares no block devices (the AMI's defaults apply)",
        ]);
        const declared = launchTemplate({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] });
        expect(violationsOf("ebs-encryption", [declared], strict)).toEqual([]);
        // Off by default: the AMI's root volume is then the account default's (ebs-default-encryption) concern.
        expect(violationsOf("ebs-encryption", [launchTemplate({})])).toEqual([]);
    });

    it("flags the eks.Cluster default node group's unencrypted root volumes, unless the group is skipped or Fargate replaces it", () => {
        expect(violationsOf("ebs-encryption", [eksComponentCluster({ skipDefaultNodeGroup: false, nodeRootVolumeEncrypted: false, nodeAssociatePublicIpAddress: false })])).toEqual([
            "default node group root volumes are not encrypted (nodeRootVolumeEncrypted is not true)",
        ]);
        expect(violationsOf("ebs-encryption", [eksComponentCluster({ skipDefaultNodeGroup: false, nodeRootVolumeEncrypted: true, nodeAssociatePublicIpAddress: false })])).toEqual([]);
        expect(violationsOf("ebs-encryption", [eksComponentCluster({ skipDefaultNodeGroup: true, nodeRootVolumeEncrypted: false })])).toEqual([]);
        const fargate = { selectors: [{ namespace: "default" }] };
        expect(violationsOf("ebs-encryption", [eksComponentCluster({ skipDefaultNodeGroup: undefined, fargate, nodeRootVolumeEncrypted: false })])).toEqual([]);
    });
});

describe("the eks.Cluster default node group exists unless @pulumi/eks skips it", () => {
    // @pulumi/eks: `skipDefaultNodeGroup || fargate`; its AL2023 and Bottlerocket node groups pass an
    // unset nodeRootVolumeEncrypted through, so the volume is what the AMI's unencrypted snapshot gives.
    it("flags root volumes left unset, not only an explicit false", () => {
        expect(violationsOf("ebs-encryption", [eksComponentCluster({ skipDefaultNodeGroup: false, nodeAssociatePublicIpAddress: false })])).toEqual([
            "default node group root volumes are not encrypted (nodeRootVolumeEncrypted is not true)",
        ]);
    });

    it("still judges the default node group when fargate is false", () => {
        const cluster = eksComponentCluster({ skipDefaultNodeGroup: undefined, fargate: false, nodeRootVolumeEncrypted: false });
        expect(violationsOf("ebs-encryption", [cluster])).toEqual(["default node group root volumes are not encrypted (nodeRootVolumeEncrypted is not true)"]);
        expect(violationsOf("ec2-no-public-ip", [cluster])).toEqual(["default node group nodes get public IP addresses (nodeAssociatePublicIpAddress is not false)"]);
    });
});

describe("public IPs", () => {
    it("names the launch-template network interface that associates a public IP, and only that one", () => {
        const template = launchTemplate({ networkInterfaces: [{ associatePublicIpAddress: "false" }, { deviceIndex: 1 }, { associatePublicIpAddress: true }] });
        expect(violationsOf("ec2-no-public-ip", [template])).toEqual(["launch template network interface 2 associates a public IP address"]);
    });

    it("does not ask a Fargate-only eks.Cluster (no default node group) to turn off public IPs", () => {
        expect(violationsOf("ec2-no-public-ip", [eksComponentCluster({ skipDefaultNodeGroup: undefined, fargate: true })])).toEqual([]);
    });
});

describe("SSH and internet-facing ports", () => {
    it.each(["aws:eks/nodeGroup:NodeGroup", "eks:index:ManagedNodeGroup"])("flags a %s with an SSH key and no source security groups", (type) => {
        const group = resource(type, { remoteAccess: { ec2SshKey: "ops" } }, "ng");
        expect(violationsOf("ssh-not-open-to-world", [group])).toEqual(["node group allows SSH with a key but no source security groups (open to 0.0.0.0/0)"]);
    });

    it("reports a port another rule opens besides an all-traffic rule: removing the all-traffic rule leaves it open", () => {
        const group = worldSg([
            { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
            { protocol: "tcp", fromPort: 8080, toPort: 8080, cidrBlocks: ["0.0.0.0/0"] },
        ]);
        expect(violationsOf("security-group-authorized-ports", [group])).toEqual([
            "ingress rule 0 opens all traffic (every protocol and port) to 0.0.0.0/0",
            "ingress rule 0, ingress rule 1 opens TCP 8080 to 0.0.0.0/0",
        ]);
    });

    it("judges UDP against the authorized UDP ports, not the TCP ones", () => {
        const quic = worldSg([{ protocol: "udp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]);
        expect(violationsOf("security-group-authorized-ports", [quic])).toEqual(["ingress rule 0 opens UDP 443 to 0.0.0.0/0"]);
        expect(violationsOf("security-group-authorized-ports", [quic], { "security-group-authorized-ports": { authorizedUdpPorts: [443] } })).toEqual([]);
    });
});

describe("VPC default security group and flow logs", () => {
    const vpc = (name: string) => resource("aws:ec2/vpc:Vpc", { cidrBlock: "10.0.0.0/16" }, name);
    const defaultSg = (props: Props, dependencies: string[]) => resource("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", props, "default-sg", { dependencies });
    const anyWhere = { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] };

    it("names the directions a managed default security group still allows", () => {
        const network = vpc("vpc");
        expect(violationsOf("vpc-default-security-group-closed", [network, defaultSg({ vpcId: "vpc-123", egress: [anyWhere] }, [network.urn])])).toEqual([
            "default security group default-sg keeps egress rules",
        ]);
        expect(violationsOf("vpc-default-security-group-closed", [network, defaultSg({ vpcId: "vpc-123", ingress: [anyWhere], egress: [anyWhere] }, [network.urn])])).toEqual([
            "default security group default-sg keeps ingress and egress rules",
        ]);
    });

    it("does not guess which VPC a default security group with an unknown vpcId closes", () => {
        const [a, b] = [vpc("a"), vpc("b")];
        const stack = [a, b, defaultSg({ vpcId: UNKNOWN }, [a.urn, b.urn])];
        expect(violationsOf("vpc-default-security-group-closed", stack)).toEqual([]);
        expect(notEvaluatedOf("vpc-default-security-group-closed", stack)).toHaveLength(1);
    });

    it("does not guess which VPC a flow log with an unknown vpcId covers", () => {
        const [a, b] = [vpc("a"), vpc("b")];
        const stack = [a, b, resource("aws:ec2/flowLog:FlowLog", { vpcId: UNKNOWN, trafficType: "ALL" }, "flow-log", { dependencies: [a.urn, b.urn] })];
        expect(violationsOf("vpc-flow-logs-enabled", stack)).toEqual([]);
        expect(notEvaluatedOf("vpc-flow-logs-enabled", stack)).toHaveLength(1);
    });

    it("counts a flow log of rejected traffic only: the least the control accepts", () => {
        const network = vpc("vpc");
        const flowLog = resource("aws:ec2/flowLog:FlowLog", { vpcId: "vpc-123", trafficType: "REJECT" }, "flow-log", { dependencies: [network.urn] });
        expect(violationsOf("vpc-flow-logs-enabled", [network, flowLog])).toEqual([]);
    });

    it("does not count a flow log of accepted traffic only, or one that names no traffic type", () => {
        for (const trafficType of ["ACCEPT", undefined]) {
            const network = vpc("vpc");
            const flowLog = resource("aws:ec2/flowLog:FlowLog", { vpcId: "vpc-123", trafficType }, "flow-log", { dependencies: [network.urn] });
            expect(violationsOf("vpc-flow-logs-enabled", [network, flowLog]), String(trafficType)).toEqual(["VPC vpc has no flow log capturing ALL or REJECT traffic"]);
        }
    });
});

describe("log-group keys and ECR tags", () => {
    it("counts a KMS key ARN that is unknown until deployment as a key", () => {
        const logGroup = resource("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 365, kmsKeyId: UNKNOWN }, "logs");
        expect(violationsOf("cloudwatch-log-group-encryption", [logGroup])).toEqual([]);
        expect(violationsOf("cloudwatch-log-group-encryption", [resource("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 365 }, "logs")])).toEqual([
            "log group is not encrypted with a KMS key",
        ]);
    });

    it("reads an unset imageTagMutability as AWS's default, MUTABLE", () => {
        expect(violationsOf("ecr-tag-immutability", [resource("aws:ecr/repository:Repository", { imageScanningConfiguration: { scanOnPush: true } }, "repo")])).toEqual([
            "ECR repository tags are MUTABLE",
        ]);
        expect(violationsOf("ecr-tag-immutability", [resource("aws:ecr/repository:Repository", { imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }, "repo")])).toEqual([]);
    });
});
