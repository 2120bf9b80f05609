// Queue messages (interruption notices, events) rest on AWS storage: encrypt them, and say so
// explicitly rather than relying on a service default that an API call can turn off.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { readOrUnknown, UNKNOWN } from "../../lib/unknowns";
import { isNonEmptyString } from "../../lib/values";
import { SQS_QUEUE } from "./types";

export const sqsQueueEncryption = defineResourcePolicy(
    {
        name: "sqs-queue-encryption",
        description: "SQS queues must be encrypted at rest: sqsManagedSseEnabled true or a KMS key.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("SQS.1", "Amazon SQS queues should be encrypted at rest"),
            checkov("CKV_AWS_27", "Ensure all data stored in the SQS queue is encrypted"),
            prowler("sqs_queues_server_side_encryption_enabled", "SQS queue has server-side encryption enabled"),
        ],
        appliesTo: SQS_QUEUE,
        remediation: "Set `sqsManagedSseEnabled: true`, or `kmsMasterKeyId` with a key policy that lets the senders use it.",
    },
    {
        appliesTo: ofTypes(SQS_QUEUE),
        check(resource) {
            const key = readOrUnknown(() => resource.props.kmsMasterKeyId);
            if (key === UNKNOWN || isNonEmptyString(key) || resource.props.sqsManagedSseEnabled === true) return;
            resource.report("SQS queue is not encrypted at rest (no sqsManagedSseEnabled: true, no kmsMasterKeyId)");
        },
    },
);
