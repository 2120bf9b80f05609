// The VPC CNI enforces NetworkPolicies only when its network policy agent is switched on with
// the configuration value enableNetworkPolicy "true" (a string). Without it every NetworkPolicy
// the pack demands (default-deny, allow lists) is accepted by the API server and silently inert.
import type { PolicyResource } from "@pulumi/policy";
import { cisEks } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { ownersWithChild } from "../../lib/references";
import { asRecord, asString, path } from "../../lib/values";
import { EKS_CLUSTER_TYPES, isComponentChild } from "./eks";
import { EKS_ADDON, EKS_VPC_CNI_ADDON } from "./types";

function configurationValues(addon: PolicyResource): Record<string, unknown> {
    const raw = addon.props.configurationValues;
    if (typeof raw !== "string") return asRecord(raw) ?? {};
    try {
        return asRecord(JSON.parse(raw)) ?? {};
    } catch {
        return {};
    }
}

function isVpcCni(resource: PolicyResource): boolean {
    return resource.type === EKS_VPC_CNI_ADDON || (resource.type === EKS_ADDON && asString(resource.props.addonName) === "vpc-cni");
}

function enforcesNetworkPolicy(addon: PolicyResource): boolean {
    if (addon.type === EKS_VPC_CNI_ADDON) return addon.props.enableNetworkPolicy === true;
    return configurationValues(addon).enableNetworkPolicy === "true";
}

/**
 * @pulumi/eks manages vpc-cni itself unless useDefaultVpcCni is set; vpcCniOptions then carry the
 * switch (an aws.eks.Cluster has neither input, so it never passes).
 */
function componentEnforces(cluster: PolicyResource): boolean {
    return cluster.props.useDefaultVpcCni !== true && path(cluster.props, "vpcCniOptions", "enableNetworkPolicy") === true;
}

export const eksVpcCniNetworkPolicy = defineStackPolicy(
    {
        name: "eks-vpc-cni-network-policy",
        description: "Every EKS cluster must run the vpc-cni add-on with network policy enforcement on (enableNetworkPolicy \"true\").",
        severity: "critical",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("4.3.1", "Ensure CNI plugin supports network policies"),
            cisEks("5.4.4", "Ensure Network Policy is Enabled and set as appropriate"),
        ],
        appliesTo: `${EKS_CLUSTER_TYPES.join(", ")} with ${EKS_ADDON} vpc-cni / ${EKS_VPC_CNI_ADDON} (stack)`,
        remediation: "Create the vpc-cni aws.eks.Addon with `configurationValues: JSON.stringify({ enableNetworkPolicy: \"true\" })`.",
    },
    {
        check(stack) {
            const addons = stack.resources.filter((r) => stack.tolerate(() => isVpcCni(r)) === true);
            for (const addon of addons) {
                if (stack.tolerate(() => enforcesNetworkPolicy(addon)) === false) {
                    stack.report(addon, `vpc-cni add-on ${addon.name} does not set enableNetworkPolicy "true": NetworkPolicies are not enforced`);
                }
            }
            const clusters = stack.ofType(...EKS_CLUSTER_TYPES).filter((cluster) => !isComponentChild(cluster));
            const { covered, undecided } = ownersWithChild(
                stack,
                clusters.map((resource) => ({ resource, identifiers: [resource.name, stack.tolerate(() => asString(resource.props.name)) ?? ""].filter(Boolean) })),
                addons,
                (addon) => addon.props.clusterName,
                enforcesNetworkPolicy,
            );
            if (undecided) return;
            for (const cluster of clusters) {
                if (covered.has(cluster) || stack.tolerate(() => componentEnforces(cluster)) === true) continue;
                stack.report(cluster, `EKS cluster ${cluster.name} has no vpc-cni add-on with enableNetworkPolicy "true": NetworkPolicies are not enforced`);
            }
        },
    },
);
