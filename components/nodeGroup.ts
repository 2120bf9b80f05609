import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfig } from "../config/nodeGroups";
import { managedPolicyArn, NODE_MANAGED_POLICIES, nodeTrustPolicy } from "./cluster.iam";
import { NODE_ROLE_LABEL, SYSTEM_TAINT } from "./shared/scheduling";

/** The system taint in the EKS API's spelling (the Kubernetes `NoSchedule` is `NO_SCHEDULE` there). */
export const SYSTEM_NODE_GROUP_TAINT = { key: SYSTEM_TAINT.key, value: SYSTEM_TAINT.value, effect: "NO_SCHEDULE" } as const;

/** AL2023's root device; a mapping on any other name would add a second, unused volume. */
export const ROOT_DEVICE_NAME = "/dev/xvda";

/** Graviton families carry a `g` after the generation (m7g, c7gn, r8gd, t4g); GPU `g5` does not. */
export function isArm64InstanceType(instanceType: string): boolean {
    const family = instanceType.split(".")[0];
    return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) && !/^[a-z]+\d+$/.test(family);
}

/** The EKS-optimized AL2023 AMI type for a group; one group cannot mix architectures. */
export function amiTypeFor(group: NodeGroupConfig): string {
    const arm = group.instanceTypes.map(isArm64InstanceType);
    if (arm.some((a) => a !== arm[0])) {
        throw new Error(`node group "${group.name}": instance types ${group.instanceTypes.join(", ")} mix arm64 and x86_64; split them into two groups`);
    }
    return arm[0] ? eks.AmiType.AL2023Arm64Standard : eks.AmiType.AL2023X86_64Standard;
}

export interface NodeGroupArgs {
    cluster: eks.Cluster;
    clusterName: string;
    kubernetesVersion: string;
    group: NodeGroupConfig;
    /** Private subnets in every AZ. */
    subnetIds: pulumi.Input<string[]>;
    /** The node security group (the one Karpenter also selects), so all nodes share one. */
    nodeSecurityGroupId: pulumi.Input<string>;
    tags: Record<string, string>;
    /** What nodes need before they can become Ready: the VPC CNI add-on. */
    dependsOn: pulumi.Resource[];
}

/**
 * One EKS managed node group with its own role and launch template. The launch template is ours
 * because `@pulumi/eks`'s `enableIMDSv2` sets a hop limit of 2 (pods can reach node credentials).
 */
export class NodeGroup extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    readonly launchTemplate: aws.ec2.LaunchTemplate;
    readonly nodeGroup: eks.ManagedNodeGroup;
    readonly nodeGroupName: string;

    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:NodeGroup", name, {}, opts);
        const parent = this;
        const { group, clusterName, tags } = args;
        const system = group.role === "system";
        this.nodeGroupName = group.name;
        const partition = aws.getPartitionOutput({}, { parent });

        this.role = new aws.iam.Role(
            `${name}-node`,
            {
                name: `${clusterName}-${group.name}-node`.slice(0, 64),
                description: `Nodes of ${group.role} node group ${group.name} in EKS cluster ${clusterName}`,
                assumeRolePolicy: JSON.stringify(nodeTrustPolicy()),
                tags,
            },
            { parent },
        );
        const attachments = NODE_MANAGED_POLICIES.map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-${policy}`,
                    { role: this.role.name, policyArn: partition.partition.apply((p) => managedPolicyArn(p, policy)) },
                    { parent },
                ),
        );

        const instanceTags = { ...tags, Name: `${clusterName}-${group.name}`, [NODE_ROLE_LABEL]: group.role };
        this.launchTemplate = new aws.ec2.LaunchTemplate(
            name,
            {
                namePrefix: `${clusterName}-${group.name}-`,
                description: `${group.role} nodes of ${clusterName}: IMDSv2 only, hop limit 1, encrypted gp3 root volume, no SSH key`,
                updateDefaultVersion: true,
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    httpPutResponseHopLimit: 1,
                    instanceMetadataTags: "disabled",
                },
                // Encrypted with the account's AWS-managed EBS key (aws/ebs), not a CMK: the EC2
                // Auto Scaling service-linked role that launches managed-node-group instances needs a
                // grant on a CMK, and naming that role in a key policy fails in accounts where it
                // does not exist yet. Switching to a CMK is a key with that grant plus `kmsKeyId`.
                blockDeviceMappings: [
                    {
                        deviceName: ROOT_DEVICE_NAME,
                        ebs: { volumeSize: group.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
                    },
                ],
                vpcSecurityGroupIds: [args.nodeSecurityGroupId],
                monitoring: { enabled: true },
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: instanceTags })),
                tags,
            },
            { parent },
        );

        this.nodeGroup = new eks.ManagedNodeGroup(
            name,
            {
                cluster: args.cluster,
                nodeGroupName: group.name,
                nodeRole: this.role,
                // With our own launch template (no AMI in it) EKS picks the AMI from amiType and
                // version, and writes the bootstrap user data itself.
                amiType: amiTypeFor(group),
                version: args.kubernetesVersion,
                launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.apply((v) => `${v}`) },
                instanceTypes: group.instanceTypes,
                capacityType: group.capacityType,
                scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
                subnetIds: args.subnetIds,
                labels: { [NODE_ROLE_LABEL]: group.role },
                taints: system ? [{ ...SYSTEM_NODE_GROUP_TAINT }] : [],
                tags,
            },
            { parent, dependsOn: [...args.dependsOn, ...attachments] },
        );

        this.registerOutputs({ roleArn: this.role.arn, launchTemplateId: this.launchTemplate.id, nodeGroupName: this.nodeGroupName });
    }
}
