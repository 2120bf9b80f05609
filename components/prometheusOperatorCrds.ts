import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, helmRelease } from "./shared/helm";
import type { ServiceMonitorSupport } from "./shared/addon";
import type { ClusterContext } from "./shared/types";

/** Helm keeps the CRD release's record here: it holds no namespaced object, and the namespace always exists. */
export const PROMETHEUS_CRDS_RELEASE_NAMESPACE = "kube-system";
/** The Helm release name, as first installed: renaming it would make Helm install the CRDs a second time. */
export const PROMETHEUS_CRDS_RELEASE = "monitoring-prometheus-crds";

export interface PrometheusOperatorCrdsArgs {
    cluster: ClusterContext;
}

/**
 * The Prometheus Operator CRDs (ServiceMonitor, PodMonitor, PrometheusRule, ...) from the pinned
 * `prometheus-operator-crds` chart: shared by every add-on whose chart renders a ServiceMonitor,
 * and by the monitoring stack, which all wait for these and never for one another. The chart
 * templates them, so a chart bump upgrades them; Helm patches and keeps no last-applied
 * annotation, which these CRDs would overflow. prod: deleting the release would delete every
 * ServiceMonitor, PodMonitor and PrometheusRule with it, so it is protected and retained.
 */
export class PrometheusOperatorCrds extends pulumi.ComponentResource implements ServiceMonitorSupport {
    readonly release: k8s.helm.v3.Release;
    readonly crds: pulumi.Resource[];

    constructor(name: string, args: PrometheusOperatorCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:PrometheusOperatorCrds", name, {}, opts);
        const { cluster } = args;
        this.release = helmRelease(this, PROMETHEUS_CRDS_RELEASE, {
            cluster,
            source: CHARTS.prometheusOperatorCrds,
            namespace: PROMETHEUS_CRDS_RELEASE_NAMESPACE,
            values: {},
            crdsOnly: true,
            protect: cluster.protectStateful,
            retainOnDelete: cluster.protectStateful,
            // Stacks deployed before this component existed hold the release at the stack's root:
            // the alias moves it here instead of replacing it (which prod's protect would refuse).
            aliases: [pulumi.createUrn(PROMETHEUS_CRDS_RELEASE, "kubernetes:helm.sh/v3:Release")],
        });
        this.crds = [this.release];
        this.registerOutputs({ release: this.release.status });
    }
}
