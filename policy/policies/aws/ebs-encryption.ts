// Unencrypted volumes leak data through snapshots and decommissioned disks.
import { awsFsbp } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes, ResourceCheck } from "../../lib/policy";
import { asArray, asRecord, asString, isTrue } from "../../lib/values";
import { EBS_VOLUME, EKS_COMPONENT_CLUSTER, INSTANCE, LAUNCH_TEMPLATE } from "./types";

interface Config {
    requireLaunchTemplateBlockDevices: boolean;
}

function checkLaunchTemplate(resource: ResourceCheck<Config>): void {
    const mappings = asArray(resource.props.blockDeviceMappings);
    if (mappings.length === 0 && resource.config.requireLaunchTemplateBlockDevices) {
        resource.report("launch template declares no block devices (the AMI's unencrypted defaults apply)");
    }
    resource.each(mappings, (mapping, i) => {
        const record = asRecord(mapping);
        const ebs = asRecord(record?.ebs);
        if (ebs && !isTrue(ebs.encrypted)) {
            resource.report(`launch template block device ${asString(record?.deviceName) ?? i} is not encrypted`);
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
    // The component's default (self-managed) node group only exists unless skipped.
    if (resource.props.skipDefaultNodeGroup === true || resource.props.fargate !== undefined) return;
    if (resource.props.nodeRootVolumeEncrypted === false) resource.report("default node group root volumes are not encrypted");
}

export const ebsEncryption = defineResourcePolicy<Config>(
    {
        name: "ebs-encryption",
        description: "EBS volumes, launch-template block devices and instance volumes must be encrypted.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.3", "Attached Amazon EBS volumes should be encrypted at-rest"),
            awsFsbp("EC2.7", "EBS default encryption should be enabled"),
        ],
        appliesTo: `${EBS_VOLUME}, ${LAUNCH_TEMPLATE}, ${INSTANCE}, ${EKS_COMPONENT_CLUSTER}`,
        remediation: "Set `encrypted: true` (launch templates: `ebs.encrypted: \"true\"`), ideally with a KMS key.",
        knobs: {
            requireLaunchTemplateBlockDevices: {
                type: "boolean",
                default: false,
                description: "Also flag launch templates that declare no block device (root volume from the AMI).",
            },
        },
    },
    {
        appliesTo: ofTypes(EBS_VOLUME, LAUNCH_TEMPLATE, INSTANCE, EKS_COMPONENT_CLUSTER),
        check(resource) {
            switch (resource.type) {
                case EBS_VOLUME:
                    if (!isTrue(resource.props.encrypted)) resource.report("EBS volume is not encrypted");
                    return;
                case LAUNCH_TEMPLATE:
                    return checkLaunchTemplate(resource);
                case INSTANCE:
                    return checkInstance(resource);
                default:
                    return checkEksDefaultNodeGroup(resource);
            }
        },
    },
);
