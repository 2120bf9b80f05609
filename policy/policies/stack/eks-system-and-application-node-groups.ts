// Cluster-critical add-ons (CoreDNS, controllers) need nodes applications cannot crowd out:
// a tainted system node group, plus untainted application capacity.
import type { PolicyResource } from "@pulumi/policy";
import { repelsPods } from "../../lib/aws";
import { eksBestPractices } from "../../lib/frameworks";
import { defineStackPolicy } from "../../lib/policy";
import { asArray, asRecord } from "../../lib/values";
import {
    AWS_EKS_CLUSTER,
    AWS_EKS_NODE_GROUP,
    EKS_COMPONENT_CLUSTER,
    EKS_MANAGED_NODE_GROUP,
    EKS_SELF_MANAGED_NODE_GROUPS,
} from "../aws/types";

interface Config {
    countKarpenterNodePoolsAsApplication: boolean;
}

/** Managed node groups list taints; self-managed @pulumi/eks node groups use a key → {value, effect} map. */
function isTainted(nodeGroup: PolicyResource): boolean {
    const taints = nodeGroup.props.taints;
    const effects = Array.isArray(taints)
        ? asArray(taints).map((taint) => asRecord(taint)?.effect)
        : Object.values(asRecord(taints) ?? {}).map((taint) => asRecord(taint)?.effect);
    return effects.some(repelsPods);
}

export const eksSystemAndApplicationNodeGroups = defineStackPolicy<Config>(
    {
        name: "eks-system-and-application-node-groups",
        description: "A stack with an EKS cluster should have a tainted system node group and a separate untainted application node group.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [eksBestPractices("Reliability: data plane", "Run cluster-critical add-ons on dedicated, tainted nodes")],
        appliesTo: `${AWS_EKS_CLUSTER} / ${EKS_COMPONENT_CLUSTER} with node groups (stack)`,
        remediation: "Create a system node group tainted `CriticalAddonsOnly=true:NoSchedule` and a separate application node group.",
        knobs: {
            countKarpenterNodePoolsAsApplication: {
                type: "boolean",
                default: false,
                description: "Count a Karpenter NodePool (kubernetes:karpenter.sh/*:NodePool) as application capacity.",
            },
        },
    },
    {
        check(stack) {
            // A real preview also shows the eks.Cluster component's own aws.eks.Cluster child:
            // report the logical cluster once.
            const clusters = stack
                .ofType(AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER)
                .filter((cluster) => cluster.parent?.type !== EKS_COMPONENT_CLUSTER);
            if (clusters.length === 0) return;
            const nodeGroups = stack.ofType(AWS_EKS_NODE_GROUP, EKS_MANAGED_NODE_GROUP, ...EKS_SELF_MANAGED_NODE_GROUPS);
            let system = false;
            let application =
                stack.config.countKarpenterNodePoolsAsApplication &&
                stack.resources.some((r) => /^kubernetes:karpenter\.sh\/[^:]+:NodePool$/.test(r.type));
            let undecided = false;
            for (const nodeGroup of nodeGroups) {
                const tainted = stack.tolerate(() => isTainted(nodeGroup));
                if (tainted === undefined) undecided = true;
                else if (tainted) system = true;
                else application = true;
            }
            if ((system && application) || undecided) return;
            const missing = [!system && "a tainted system node group", !application && "an untainted application node group"]
                .filter(Boolean)
                .join(" and ");
            for (const cluster of clusters) stack.report(cluster, `EKS cluster ${cluster.name} lacks ${missing}`);
        },
    },
);
