// A queue policy open to Principal "*" lets anyone send (or read) messages: for Karpenter's
// interruption queue that is anyone telling the controller to drain nodes.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { reportPublicStatements } from "../../lib/iam";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { SQS_QUEUE, SQS_QUEUE_POLICY } from "./types";

export const sqsQueuePolicyNotPublic = defineResourcePolicy(
    {
        name: "sqs-queue-policy-not-public",
        description: "SQS queue policies must not allow a wildcard principal unless a condition pins the caller (source ARN or account, organisation).",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("SQS.3", "SQS queue access policies should not allow public access"),
            checkov("CKV_AWS_168", "Ensure SQS queue policy is not public by only allowing specific services or principals to access it"),
            prowler("sqs_queues_not_publicly_accessible", "SQS queue policy does not allow public access"),
        ],
        appliesTo: `${SQS_QUEUE}, ${SQS_QUEUE_POLICY}`,
        remediation: "Grant the sending service principal (e.g. events.amazonaws.com) with an aws:SourceArn condition instead of \"*\".",
    },
    {
        appliesTo: ofTypes(SQS_QUEUE, SQS_QUEUE_POLICY),
        check: (resource) => reportPublicStatements(resource.type, resource.props, resource),
    },
);
