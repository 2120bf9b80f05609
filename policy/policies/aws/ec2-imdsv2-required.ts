// IMDSv1 answers any GET, so an SSRF in a pod can read the node role's credentials. IMDSv2
// needs a session token. Unset httpTokens means "optional", i.e. IMDSv1 allowed.
import { awsFsbp, checkov, eksBestPractices, prowler } from "../../lib/frameworks";
import { defineResourcePolicy } from "../../lib/policy";
import { carriesMetadataOptions, METADATA_TYPES, metadataOptionsToCheck } from "./metadata";

export const ec2Imdsv2Required = defineResourcePolicy(
    {
        name: "ec2-imdsv2-required",
        description: "Launch templates, instances and Karpenter EC2NodeClasses must require IMDSv2 (httpTokens: required) or disable the endpoint.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.8", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)"),
            awsFsbp("EC2.170", "EC2 launch templates should use Instance Metadata Service Version 2 (IMDSv2)"),
            eksBestPractices("Security: identity and access management", "Restrict access to the instance profile assigned to the worker node"),
            checkov("CKV_AWS_79", "Ensure Instance Metadata Service Version 1 is not enabled"),
            prowler("ec2_instance_imdsv2_enabled", "EC2 instance requires IMDSv2 or has the instance metadata service disabled"),
            prowler("ec2_launch_template_imdsv2_required", "EC2 launch template has IMDSv2 enabled and required or instance metadata service disabled"),
        ],
        appliesTo: METADATA_TYPES,
        remediation: "Set `metadataOptions: { httpTokens: \"required\", httpPutResponseHopLimit: 1 }`.",
    },
    {
        appliesTo: carriesMetadataOptions,
        check(resource) {
            const target = metadataOptionsToCheck(resource.type, resource.props);
            if (!target) return;
            const options = target.options;
            if (options?.httpEndpoint === "disabled" || options?.httpTokens === "required") return;
            resource.report(`allows IMDSv1 (httpTokens is ${String(options?.httpTokens ?? "unset")})`);
        },
    },
);
