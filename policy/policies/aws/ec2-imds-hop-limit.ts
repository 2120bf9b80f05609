// With a hop limit above 1, pods (one network hop further) can reach the node's IMDS and its
// role credentials. Only explicit values are judged: the default depends on the AMI.
import { eksBestPractices } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { INSTANCE, LAUNCH_TEMPLATE } from "./types";
import { metadataOptionsToCheck } from "./metadata";

interface Config {
    maximumHopLimit: number;
}

export const ec2ImdsHopLimit = defineResourcePolicy<Config>(
    {
        name: "ec2-imds-hop-limit",
        description: "Launch templates and instances should keep the IMDS response hop limit at 1.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [eksBestPractices("Security: identity and access management", "Restrict access to IMDS from pods (hop limit 1)")],
        appliesTo: `${LAUNCH_TEMPLATE}, ${INSTANCE}`,
        remediation: "Set `metadataOptions.httpPutResponseHopLimit: 1`; give pods credentials through Pod Identity.",
        knobs: {
            maximumHopLimit: { type: "integer", minimum: 1, default: 1, description: "Highest hop limit accepted." },
        },
    },
    {
        appliesTo: ofTypes(LAUNCH_TEMPLATE, INSTANCE),
        check(resource) {
            const hopLimit = metadataOptionsToCheck(resource.type, resource.props)?.options?.httpPutResponseHopLimit;
            if (typeof hopLimit === "number" && hopLimit > resource.config.maximumHopLimit) {
                resource.report(`sets the IMDS hop limit to ${hopLimit}`);
            }
        },
    },
);
