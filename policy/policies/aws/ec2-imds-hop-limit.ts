// With a hop limit above 1, pods (one network hop further) can reach the node's IMDS and its
// role credentials. Only explicit values are judged: the default depends on the AMI.
import { checkov, eksBestPractices } from "../../lib/frameworks";
import { defineResourcePolicy } from "../../lib/policy";
import { carriesMetadataOptions, METADATA_TYPES, metadataOptionsToCheck } from "./metadata";

interface Config {
    maximumHopLimit: number;
}

export const ec2ImdsHopLimit = defineResourcePolicy<Config>(
    {
        name: "ec2-imds-hop-limit",
        description: "Launch templates, instances and Karpenter EC2NodeClasses should keep the IMDS response hop limit at 1.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            eksBestPractices("Security: identity and access management", "Restrict access to IMDS from pods (hop limit 1)"),
            checkov("CKV_AWS_341", "Ensure Launch template should not have a metadata response hop limit greater than 1"),
        ],
        appliesTo: METADATA_TYPES,
        remediation: "Set `metadataOptions.httpPutResponseHopLimit: 1`; give pods credentials through Pod Identity.",
        knobs: {
            maximumHopLimit: { type: "integer", minimum: 1, default: 1, description: "Highest hop limit accepted." },
        },
    },
    {
        appliesTo: carriesMetadataOptions,
        check(resource) {
            const hopLimit = metadataOptionsToCheck(resource.type, resource.props)?.options?.httpPutResponseHopLimit;
            if (typeof hopLimit === "number" && hopLimit > resource.config.maximumHopLimit) {
                resource.report(`sets the IMDS hop limit to ${hopLimit}`);
            }
        },
    },
);
