// `*` in a rule grants today's and tomorrow's verbs, resources or API groups (including CRDs
// installed later): least privilege needs explicit lists.
import { cisEks, nsaCisa } from "../../lib/frameworks";
import { isKindOrPatch } from "../../lib/kubernetes";
import { defineResourcePolicy } from "../../lib/policy";
import { asArray, asRecord, stringList } from "../../lib/values";

const RULE_FIELDS = ["verbs", "resources", "apiGroups"] as const;

export const rbacNoWildcards = defineResourcePolicy(
    {
        name: "k8s-rbac-no-wildcards",
        description: "Role and ClusterRole rules must not use `*` in verbs, resources or apiGroups.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("4.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
            nsaCisa("Authentication and authorization", "Apply least privilege with RBAC"),
        ],
        appliesTo: "Role, ClusterRole, RolePatch, ClusterRolePatch",
        remediation: "List the verbs, resources and API groups explicitly.",
    },
    {
        appliesTo: (type) => isKindOrPatch(type, "Role") || isKindOrPatch(type, "ClusterRole"),
        check(resource) {
            resource.each(asArray(resource.props.rules), (rule, index) => {
                const record = asRecord(rule);
                for (const field of RULE_FIELDS) {
                    if (stringList(record?.[field]).includes("*")) resource.report(`rule ${index} has * in ${field}`);
                }
            });
        },
    },
);
