// Without the audit log there is no record of who did what through the Kubernetes API; the other
// four types (api, authenticator, controllerManager, scheduler) are what an incident review needs
// to tell a misbehaving controller from an attacker. All five are required by default.
import { awsFsbp, checkov, cisEks, nsaCisa, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { stringList } from "../../lib/values";
import { AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER } from "./types";

const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

interface Config {
    requiredLogTypes: string[];
}

export const eksClusterAuditLogging = defineResourcePolicy<Config>(
    {
        name: "eks-cluster-audit-logging",
        description: "EKS clusters must enable every control-plane log type (api, audit, authenticator, controllerManager, scheduler).",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("2.1.1", "Enable audit Logs"),
            awsFsbp("EKS.8", "EKS clusters should have audit logging enabled"),
            nsaCisa("Audit logging and threat detection", "Enable Kubernetes audit logging"),
            checkov("CKV_AWS_37", "Ensure Amazon EKS control plane logging is enabled for all log types"),
            prowler("eks_control_plane_logging_all_types_enabled", "EKS cluster has control plane logging enabled for api, audit, authenticator, controllerManager, and scheduler"),
        ],
        appliesTo: `${AWS_EKS_CLUSTER}, ${EKS_COMPONENT_CLUSTER}`,
        remediation: "Set `enabledClusterLogTypes` to all five types, into a KMS-encrypted log group created beforehand.",
        knobs: {
            requiredLogTypes: {
                type: "array",
                items: { type: "string", enum: [...LOG_TYPES] },
                default: [...LOG_TYPES],
                description: "Control-plane log types that must be enabled.",
            },
        },
    },
    {
        appliesTo: ofTypes(AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER),
        check(resource) {
            const enabled = stringList(resource.props.enabledClusterLogTypes);
            const missing = resource.config.requiredLogTypes.filter((type) => !enabled.includes(type));
            if (missing.length > 0) resource.report(`EKS cluster does not enable log types ${missing.join(", ")}`);
        },
    },
);
