// A ResourceQuota caps what one team's namespace can take from the shared cluster.
import { nsaCisa } from "../../lib/frameworks";
import { checkEveryNamespaceHas } from "../../lib/namespaces";
import { defineStackPolicy } from "../../lib/policy";

export const namespaceResourceQuota = defineStackPolicy(
    {
        name: "k8s-namespace-resource-quota",
        description: "Every Namespace declared in the stack should have a ResourceQuota.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [nsaCisa("Pod security: resource policies", "Use ResourceQuotas per namespace")],
        appliesTo: "Namespace with ResourceQuota (stack)",
        remediation: "Add a ResourceQuota to the namespace.",
    },
    { check: (stack) => checkEveryNamespaceHas(stack, "ResourceQuota", () => true, "has no ResourceQuota") },
);
