import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "./types";

export interface ChartSource {
    /** Chart name in `repository`, or a full `oci://` reference. */
    chart: string;
    version: string;
    /** HTTP chart repository; absent for OCI charts. */
    repository?: string;
}

/** Every chart the platform installs, pinned; `../shared/upstream` holds the same versions' defaults. */
export const CHARTS = {
    karpenterCrd: { chart: "oci://public.ecr.aws/karpenter/karpenter-crd", version: "1.14.1" },
    karpenter: { chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.14.1" },
    externalSecrets: { chart: "external-secrets", version: "2.9.0", repository: "https://charts.external-secrets.io" },
    velero: { chart: "velero", version: "12.1.0", repository: "https://vmware-tanzu.github.io/helm-charts" },
    trivyOperator: { chart: "trivy-operator", version: "0.34.0", repository: "https://aquasecurity.github.io/helm-charts/" },
    kubePrometheusStack: { chart: "kube-prometheus-stack", version: "88.5.3", repository: "https://prometheus-community.github.io/helm-charts" },
    // The CRDs of prometheus-operator v0.93.1 (the operator kube-prometheus-stack 88.5.3 deploys),
    // templated, so `helm upgrade` upgrades them: chart 31.0.1 is the release whose appVersion is
    // v0.93.1 (prometheus-community/helm-charts, commit 4529d7bb, 2026-08-10).
    prometheusOperatorCrds: { chart: "prometheus-operator-crds", version: "31.0.1", repository: "https://prometheus-community.github.io/helm-charts" },
    awsLoadBalancerController: { chart: "aws-load-balancer-controller", version: "3.5.0", repository: "https://aws.github.io/eks-charts" },
} as const satisfies Record<string, ChartSource>;

export interface HelmInstallArgs {
    cluster: ClusterContext;
    source: ChartSource;
    namespace: pulumi.Input<string>;
    values: pulumi.Input<Record<string, unknown>>;
    /** What the release really needs first: its namespace, CRDs, the nodes it runs on. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Charts whose CRDs are managed elsewhere (a CRD chart or server-side apply). */
    skipCrds?: boolean;
    /** The chart installs CustomResourceDefinitions only, no pods: it needs the API server, not nodes. */
    crdsOnly?: boolean;
    /** Its pods mount persistent volumes: it also waits for the EBS CSI driver and the StorageClass. */
    mountsVolumes?: boolean;
    timeoutSeconds?: number;
    /**
     * For releases whose loss would take cluster state with them (CRD charts: deleting a CRD
     * deletes every object of its kind): `pulumi destroy` and replacements refuse to delete it.
     */
    protect?: boolean;
    /** Removing the release from the program (or stack) leaves it installed: no `helm uninstall`. */
    retainOnDelete?: boolean;
    /** Where the release stood in stacks deployed by an earlier version of the program. */
    aliases?: pulumi.Input<string | pulumi.Alias>[];
}

/**
 * A Helm release (not a client-side template): hooks run, `helm upgrade` semantics apply, and
 * a failed install rolls back instead of leaving half a release.
 */
export function helmRelease(parent: pulumi.Resource | undefined, name: string, args: HelmInstallArgs): k8s.helm.v3.Release {
    const { cluster, source } = args;
    return new k8s.helm.v3.Release(
        name,
        {
            name,
            chart: source.chart,
            version: source.version,
            repositoryOpts: source.repository ? { repo: source.repository } : undefined,
            namespace: args.namespace,
            createNamespace: false,
            values: args.values,
            skipCrds: args.skipCrds ?? false,
            atomic: true,
            cleanupOnFail: true,
            maxHistory: 10,
            timeout: args.timeoutSeconds ?? 600,
        },
        {
            parent,
            provider: cluster.provider,
            // Only what the release really needs, so that releases and the node groups overlap.
            dependsOn: [...(args.dependsOn ?? []), ...(args.crdsOnly ? [] : cluster.systemNodesReady), ...(args.mountsVolumes ? cluster.volumesReady : [])],
            protect: args.protect,
            retainOnDelete: args.retainOnDelete,
            aliases: args.aliases,
        },
    );
}
