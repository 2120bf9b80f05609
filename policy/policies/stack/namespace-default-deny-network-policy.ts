// Without a default-deny policy every pod accepts traffic from every other pod in the cluster;
// explicit allow rules only mean something on top of a deny.
import { cisEks, nsaCisa } from "../../lib/frameworks";
import { isEmptySelector } from "../../lib/kubernetes";
import { checkEveryNamespaceHas } from "../../lib/namespaces";
import { defineStackPolicy } from "../../lib/policy";
import { asArray, asRecord, Props, stringList } from "../../lib/values";

interface Config {
    requireEgressDeny: boolean;
}

/** Does this NetworkPolicy select every pod and deny the given direction? */
function deniesAll(spec: Props, direction: "Ingress" | "Egress"): boolean {
    const declared = stringList(spec.policyTypes);
    // An absent policyTypes defaults to Ingress, plus Egress only when egress rules exist (the API
    // server's defaulting: an empty egress list adds nothing); a direction with rules denies nothing,
    // so only Ingress can be denied by default.
    const types = declared.length > 0 ? declared : ["Ingress"];
    const rules = asArray(direction === "Ingress" ? spec.ingress : spec.egress);
    return types.includes(direction) && rules.length === 0;
}

export function isDefaultDeny(networkPolicy: Props, requireEgress: boolean): boolean {
    const spec = asRecord(networkPolicy.spec) ?? {};
    // The API server decodes `podSelector: null` into the empty selector, like a missing one.
    const selectsAllPods = spec.podSelector == null || isEmptySelector(asRecord(spec.podSelector));
    return selectsAllPods && deniesAll(spec, "Ingress") && (!requireEgress || deniesAll(spec, "Egress"));
}

export const namespaceDefaultDenyNetworkPolicy = defineStackPolicy<Config>(
    {
        name: "k8s-namespace-default-deny-network-policy",
        description: "Every Namespace declared in the stack should have a default-deny NetworkPolicy (empty podSelector, no ingress rules).",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [
            cisEks("4.3.2", "Ensure that all Namespaces have Network Policies defined"),
            nsaCisa("Network separation and hardening", "Use a default-deny network policy"),
        ],
        appliesTo: "Namespace with NetworkPolicy (stack)",
        remediation: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress]` (and Egress) to the namespace.",
        knobs: {
            requireEgressDeny: {
                type: "boolean",
                default: false,
                description: "Also require the default-deny policy to cover Egress.",
            },
        },
    },
    {
        check: (stack) =>
            checkEveryNamespaceHas(
                stack,
                "NetworkPolicy",
                (policy) => isDefaultDeny(policy, stack.config.requireEgressDeny),
                "has no default-deny NetworkPolicy",
            ),
    },
);
