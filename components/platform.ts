import type * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";

/**
 * Builds every component from the validated config and returns the stack outputs.
 * Data flows one way: config -> cluster -> (add-ons, baseline in parallel) -> outputs.
 * Each region below is owned by one concern; add-ons depend only on the cluster context.
 */
export function buildPlatform(config: PlatformConfig): Record<string, pulumi.Input<unknown>> {
    const outputs: Record<string, pulumi.Input<unknown>> = {};

    // region CLUSTER (network, control plane, node groups, managed add-ons)
    outputs.clusterName = config.clusterName;
    // endregion CLUSTER

    // region ADDONS-I (Karpenter, External Secrets Operator)
    // endregion ADDONS-I

    // region ADDONS-II (Velero, Trivy Operator, kube-prometheus-stack)
    // endregion ADDONS-II

    // region BASELINE (tenant namespaces, RBAC, disruption budgets)
    // endregion BASELINE

    return outputs;
}
