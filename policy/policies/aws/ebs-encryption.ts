// Unencrypted volumes leak data through snapshots and decommissioned disks.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes, ResourceCheck } from "../../lib/policy";
import { asArray, asRecord, asString, isTrue, path } from "../../lib/values";
import { EBS_VOLUME, EKS_COMPONENT_CLUSTER, INSTANCE, KARPENTER_EC2_NODE_CLASS, LAUNCH_TEMPLATE } from "./types";

interface Config {
    requireLaunchTemplateBlockDevices: boolean;
}

/** Launch templates and Karpenter EC2NodeClasses share the EC2 block-device-mapping shape. */
function checkBlockDeviceMappings(resource: ResourceCheck<Config>, mappingsValue: unknown, kind: string): void {
    const mappings = asArray(mappingsValue);
    if (mappings.length === 0 && resource.config.requireLaunchTemplateBlockDevices) {
        resource.report(`${kind} declares no block devices (the AMI's defaults apply)`);
    }
    resource.each(mappings, (mapping, i) => {
        const record = asRecord(mapping);
        const ebs = asRecord(record?.ebs);
        if (ebs && !isTrue(ebs.encrypted)) {
            resource.report(`${kind} block device ${asString(record?.deviceName) ?? i} is not encrypted`);
        }
    });
}

function checkInstance(resource: ResourceCheck<Config>): void {
    if (!isTrue(asRecord(resource.props.rootBlockDevice)?.encrypted)) resource.report("instance root volume is not encrypted");
    resource.each(asArray(resource.props.ebsBlockDevices), (device, i) => {
        const record = asRecord(device);
        if (!isTrue(record?.encrypted)) resource.report(`instance EBS volume ${asString(record?.deviceName) ?? i} is not encrypted`);
    });
}

function checkEksDefaultNodeGroup(resource: ResourceCheck<Config>): void {
    // @pulumi/eks skips it when `skipDefaultNodeGroup || fargate` (so `fargate: false` still gets one).
    if (resource.props.skipDefaultNodeGroup || resource.props.fargate) return;
    // Unset is not encrypted: @pulumi/eks then leaves the root volume to the AMI's unencrypted snapshot (AL2: false).
    if (!isTrue(resource.props.nodeRootVolumeEncrypted)) resource.report("default node group root volumes are not encrypted (nodeRootVolumeEncrypted is not true)");
}

export const ebsEncryption = defineResourcePolicy<Config>(
    {
        name: "ebs-encryption",
        description: "EBS volumes, launch-template block devices, instance volumes and the eks.Cluster default node group's root volumes must be encrypted.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.3", "Attached Amazon EBS volumes should be encrypted at-rest"),
            checkov("CKV_AWS_3", "Ensure all data stored in the EBS is securely encrypted"),
            checkov("CKV_AWS_8", "Ensure all data stored in the Launch configuration or instance Elastic Blocks Store is securely encrypted"),
            prowler("ec2_ebs_volume_encryption", "EBS volume is encrypted"),
        ],
        appliesTo: `${EBS_VOLUME}, ${LAUNCH_TEMPLATE}, ${INSTANCE}, ${EKS_COMPONENT_CLUSTER}, kubernetes:karpenter.k8s.aws/*:EC2NodeClass`,
        remediation: "Set `encrypted: true` (launch templates: `ebs.encrypted: \"true\"`; eks.Cluster: `nodeRootVolumeEncrypted: true` or `skipDefaultNodeGroup: true`), ideally with a KMS key.",
        knobs: {
            requireLaunchTemplateBlockDevices: {
                type: "boolean",
                default: false,
                description: "Also flag launch templates and Karpenter EC2NodeClasses that declare no block device (root volume from the AMI).",
            },
        },
    },
    {
        appliesTo: (type) => ofTypes(EBS_VOLUME, LAUNCH_TEMPLATE, INSTANCE, EKS_COMPONENT_CLUSTER)(type) || KARPENTER_EC2_NODE_CLASS.test(type),
        check(resource) {
            if (KARPENTER_EC2_NODE_CLASS.test(resource.type)) {
                return checkBlockDeviceMappings(resource, path(resource.props, "spec", "blockDeviceMappings"), "EC2NodeClass");
            }
            switch (resource.type) {
                case EBS_VOLUME:
                    if (!isTrue(resource.props.encrypted)) resource.report("EBS volume is not encrypted");
                    return;
                case LAUNCH_TEMPLATE:
                    return checkBlockDeviceMappings(resource, resource.props.blockDeviceMappings, "launch template");
                case INSTANCE:
                    return checkInstance(resource);
                default:
                    return checkEksDefaultNodeGroup(resource);
            }
        },
    },
);
