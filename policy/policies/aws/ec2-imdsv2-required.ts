// IMDSv1 answers any GET, so an SSRF in a pod can read the node role's credentials. IMDSv2
// needs a session token. Unset httpTokens means "optional", i.e. IMDSv1 allowed.
import { awsFsbp, eksBestPractices } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { INSTANCE, LAUNCH_TEMPLATE } from "./types";
import { metadataOptionsToCheck } from "./metadata";

export const ec2Imdsv2Required = defineResourcePolicy(
    {
        name: "ec2-imdsv2-required",
        description: "Launch templates and instances must require IMDSv2 (httpTokens: required) or disable the endpoint.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.8", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)"),
            awsFsbp("EC2.170", "EC2 launch templates should use Instance Metadata Service Version 2 (IMDSv2)"),
            eksBestPractices("Security: identity and access management", "Restrict access to the instance profile assigned to the worker node"),
        ],
        appliesTo: `${LAUNCH_TEMPLATE}, ${INSTANCE}`,
        remediation: "Set `metadataOptions: { httpTokens: \"required\", httpPutResponseHopLimit: 1 }`.",
    },
    {
        appliesTo: ofTypes(LAUNCH_TEMPLATE, INSTANCE),
        check(resource) {
            const target = metadataOptionsToCheck(resource.type, resource.props);
            if (!target) return;
            const options = target.options;
            if (options?.httpEndpoint === "disabled" || options?.httpTokens === "required") return;
            resource.report(`allows IMDSv1 (httpTokens is ${String(options?.httpTokens ?? "unset")})`);
        },
    },
);
