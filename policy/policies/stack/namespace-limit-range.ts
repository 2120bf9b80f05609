// A LimitRange gives containers default requests/limits, so a forgotten one cannot starve nodes.
import { nsaCisa } from "../../lib/frameworks";
import { checkEveryNamespaceHas } from "../../lib/namespaces";
import { defineStackPolicy } from "../../lib/policy";

export const namespaceLimitRange = defineStackPolicy(
    {
        name: "k8s-namespace-limit-range",
        description: "Every Namespace declared in the stack should have a LimitRange.",
        severity: "low",
        enforcementLevel: "advisory",
        frameworks: [nsaCisa("Pod security: resource policies", "Use LimitRanges per namespace")],
        appliesTo: "Namespace with LimitRange (stack)",
        remediation: "Add a LimitRange with default requests and limits to the namespace.",
    },
    { check: (stack) => checkEveryNamespaceHas(stack, "LimitRange", () => true, "has no LimitRange") },
);
