// Nodes with public addresses are reachable from the internet whatever the security groups say
// tomorrow: nodes belong in private subnets without public IPs. An explicit `true` is the fault
// here; what a subnet assigns by default is subnet-no-auto-public-ip's.
import { awsFsbp, checkov, cisEks, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ResourceCheck } from "../../lib/policy";
import { asArray, asRecord, isTrue, path } from "../../lib/values";
import { EKS_COMPONENT_CLUSTER, INSTANCE, KARPENTER_EC2_NODE_CLASS, LAUNCH_TEMPLATE } from "./types";

function checkLaunchTemplate(resource: ResourceCheck<object>): void {
    resource.each(asArray(resource.props.networkInterfaces), (nic, i) => {
        if (isTrue(asRecord(nic)?.associatePublicIpAddress)) resource.report(`launch template network interface ${i} associates a public IP address`);
    });
}

function checkEksDefaultNodeGroup(resource: ResourceCheck<object>): void {
    // @pulumi/eks gives its default (self-managed) node group public IPs unless told otherwise.
    // @pulumi/eks skips it when `skipDefaultNodeGroup || fargate` (so `fargate: false` still gets one).
    if (resource.props.skipDefaultNodeGroup || resource.props.fargate) return;
    if (resource.props.nodeAssociatePublicIpAddress !== false) resource.report("default node group nodes get public IP addresses (nodeAssociatePublicIpAddress is not false)");
}

export const ec2NoPublicIp = defineResourcePolicy(
    {
        name: "ec2-no-public-ip",
        description: "Instances, launch templates, Karpenter EC2NodeClasses and the eks.Cluster default node group must not assign public IP addresses.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("5.4.3", "Ensure clusters are created with Private Nodes"),
            awsFsbp("EC2.9", "EC2 instances should not have a public IPv4 address"),
            awsFsbp("EC2.25", "Amazon EC2 launch templates should not assign public IPs to network interfaces"),
            checkov("CKV_AWS_88", "EC2 instance should not have public IP."),
            prowler("ec2_instance_public_ip", "EC2 instance does not have a public IP address"),
            prowler("ec2_launch_template_no_public_ip", "Amazon EC2 launch template has no public IP addresses configured on network interfaces"),
        ],
        appliesTo: `${INSTANCE}, ${LAUNCH_TEMPLATE}, kubernetes:karpenter.k8s.aws/*:EC2NodeClass, ${EKS_COMPONENT_CLUSTER}`,
        remediation: "Set `associatePublicIpAddress: false` (EC2NodeClass: `associatePublicIPAddress: false`) and launch nodes in private subnets.",
    },
    {
        appliesTo: (type) => [INSTANCE, LAUNCH_TEMPLATE, EKS_COMPONENT_CLUSTER].includes(type) || KARPENTER_EC2_NODE_CLASS.test(type),
        check(resource) {
            if (KARPENTER_EC2_NODE_CLASS.test(resource.type)) {
                if (path(resource.props, "spec", "associatePublicIPAddress") === true) resource.report("EC2NodeClass associates public IP addresses with its nodes");
                return;
            }
            switch (resource.type) {
                case INSTANCE:
                    if (isTrue(resource.props.associatePublicIpAddress)) resource.report("instance associates a public IP address");
                    return;
                case LAUNCH_TEMPLATE:
                    return checkLaunchTemplate(resource);
                default:
                    return checkEksDefaultNodeGroup(resource);
            }
        },
    },
);
