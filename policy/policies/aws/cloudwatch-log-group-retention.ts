// Investigations start weeks after the fact: logs kept for less than a year are gone when they
// are needed. Level per environment (docs/policies.md). 0 or unset means "never expire".
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { LOG_GROUP } from "./types";

interface Config {
    minimumRetentionDays: number;
}

export const cloudwatchLogGroupRetention = defineResourcePolicy<Config>(
    {
        name: "cloudwatch-log-group-retention",
        description: "CloudWatch log groups must keep logs for at least a year (or never expire them).",
        severity: "low",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("CloudWatch.16", "CloudWatch log groups should be retained for a specified time period"),
            checkov("CKV_AWS_338", "Ensure CloudWatch log groups retains logs for at least 1 year"),
            prowler("cloudwatch_log_group_retention_policy_specific_days_enabled", "CloudWatch log group has a retention policy of at least the configured minimum days or never expires"),
        ],
        appliesTo: LOG_GROUP,
        remediation: "Set `retentionInDays` to 365 or more.",
        knobs: {
            minimumRetentionDays: { type: "integer", minimum: 1, default: 365, description: "Shortest acceptable retention in days." },
        },
    },
    {
        appliesTo: ofTypes(LOG_GROUP),
        check(resource) {
            const days = resource.props.retentionInDays;
            if (typeof days === "number" && days > 0 && days < resource.config.minimumRetentionDays) {
                resource.report(`log group keeps logs for ${days} days (minimum ${resource.config.minimumRetentionDays})`);
            }
        },
    },
);
