// Without the audit log there is no record of who did what through the Kubernetes API.
import { awsFsbp, cisEks, nsaCisa } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { stringList } from "../../lib/values";
import { AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER } from "./types";

interface Config {
    requiredLogTypes: string[];
}

export const eksClusterAuditLogging = defineResourcePolicy<Config>(
    {
        name: "eks-cluster-audit-logging",
        description: "EKS clusters must enable the `audit` control-plane log type.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("2.1.1", "Enable audit Logs"),
            awsFsbp("EKS.8", "EKS clusters should have audit logging enabled"),
            nsaCisa("Audit logging and threat detection", "Enable Kubernetes audit logging"),
        ],
        appliesTo: `${AWS_EKS_CLUSTER}, ${EKS_COMPONENT_CLUSTER}`,
        remediation: "Add `audit` (and ideally `authenticator`) to `enabledClusterLogTypes`.",
        knobs: {
            requiredLogTypes: {
                type: "array",
                items: { type: "string", enum: ["api", "audit", "authenticator", "controllerManager", "scheduler"] },
                default: ["audit"],
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
