// cluster-admin is full control of the cluster; nothing the platform deploys should need it.
import { cisEks } from "../../lib/frameworks";
import { isKindOrPatch } from "../../lib/kubernetes";
import { defineResourcePolicy } from "../../lib/policy";
import { asRecord } from "../../lib/values";

export const noClusterAdminBinding = defineResourcePolicy(
    {
        name: "k8s-no-cluster-admin-binding",
        description: "No RoleBinding or ClusterRoleBinding may reference the cluster-admin ClusterRole.",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [cisEks("4.1.1", "Ensure that the cluster-admin role is only used where required")],
        appliesTo: "RoleBinding, ClusterRoleBinding, RoleBindingPatch, ClusterRoleBindingPatch",
        remediation: "Bind a purpose-built Role/ClusterRole; for break-glass access use an EKS access entry.",
    },
    {
        appliesTo: (type) => isKindOrPatch(type, "RoleBinding") || isKindOrPatch(type, "ClusterRoleBinding"),
        check(resource) {
            if (asRecord(resource.props.roleRef)?.name === "cluster-admin") resource.report("binds the cluster-admin role");
        },
    },
);
