import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import type { TenantConfig } from "../config/tenants";
import { loadBalancerControllerPolicy } from "./awsLoadBalancerController.iam";
import { addonNamespaceLimits, LockedNamespace, POD_IDENTITY_AGENT, scrapedByMonitoring, type TrafficRule } from "./lockedNamespace";
import type { MetricsEndpoint, PlatformAddon, ServiceMonitorSupport } from "./shared/addon";
import { CHARTS, helmRelease } from "./shared/helm";
import { workloadIdentity } from "./shared/identity";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext, resources, systemPlacement } from "./shared/scheduling";
import type { ClusterContext } from "./shared/types";
import { INTERNET_FACING_ALLOWED, INTERNET_FACING_LABEL, TENANT_LABEL } from "./shared/labels";

/** The release, its service account and Deployment (the chart's fullname is the release name, which contains the chart's). */
export const LOAD_BALANCER_CONTROLLER_RELEASE = "aws-load-balancer-controller";
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";
/** The port the API server calls the controller's webhooks on (the chart's default, set explicitly). */
export const LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT = 9443;
export const LOAD_BALANCER_CONTROLLER_METRICS_PORT = 8080;
/** The chart's selector labels (`aws-load-balancer-controller.selectorLabels`). */
export const LOAD_BALANCER_CONTROLLER_POD_LABELS = { "app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": LOAD_BALANCER_CONTROLLER_RELEASE };

/** The default IngressClass: internal Application Load Balancers, for every namespace. */
export const INTERNAL_INGRESS_CLASS = "alb";
/** Internet-facing Application Load Balancers, only for the namespaces config allows. */
export const INTERNET_FACING_INGRESS_CLASS = "alb-internet-facing";
/** The `spec.loadBalancerClass` of Services the controller provisions Network Load Balancers for. */
export const NLB_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";
/** The controller of the IngressClasses (what `spec.controller` must say). */
export const ALB_INGRESS_CONTROLLER = "ingress.k8s.aws/alb";
/**
 * TLS policy of every HTTPS (ALB) and TLS (NLB) listener that names none: AWS's recommended one
 * of the TLS 1.3 set (TLS 1.3 and 1.2, hybrid post-quantum key exchange; "Security policies for
 * your Application Load Balancer", Elastic Load Balancing User Guide, 2026).
 */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

export type IngressClassManifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown> };

export interface AwsLoadBalancerControllerArgs {
    cluster: ClusterContext;
    /** With monitoring on: the chart renders its ServiceMonitor and waits for the Prometheus CRDs (never the monitoring release). */
    monitoring?: ServiceMonitorSupport;
}

/**
 * The AWS Load Balancer Controller: an Ingress becomes an Application Load Balancer, a Service of
 * its load balancer class a Network Load Balancer, both with target type ip (the VPC CNI gives
 * pods VPC addresses) and internal unless the internet-facing IngressClass or annotation says
 * otherwise, which only the namespaces config allows may use. Its webhook certificate is the
 * chart's own, kept across upgrades (no cert-manager).
 */
export class AwsLoadBalancerController extends pulumi.ComponentResource {
    readonly namespace: string = PLATFORM_NAMESPACES.awsLoadBalancerController;
    readonly ingressClassName = INTERNAL_INGRESS_CLASS;
    readonly internetFacingIngressClassName = INTERNET_FACING_INGRESS_CLASS;
    readonly loadBalancerClass = NLB_LOAD_BALANCER_CLASS;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: AwsLoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:AwsLoadBalancerController", name, {}, opts);
        const { cluster } = args;
        const monitoringEnabled = args.monitoring !== undefined;

        // Two replicas of 500m / 512Mi and a surge pod, with room to spare.
        const ns = new LockedNamespace(
            name,
            { cluster, name: this.namespace, podSecurity: "restricted", rules: loadBalancerControllerTrafficRules(monitoringEnabled), limits: addonNamespaceLimits("2", "2Gi", "10") },
            { parent: this },
        );

        const identity = workloadIdentity(this, "load-balancer-controller", {
            cluster,
            namespace: this.namespace,
            serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
            mechanism: "podIdentity",
            policy: pulumi
                .all([cluster.partition, cluster.accountId, cluster.vpcId])
                .apply(([partition, accountId, vpcId]) => loadBalancerControllerPolicy({ partition, region: cluster.region, accountId, clusterName: cluster.name, vpcId })),
        });

        // The chart installs its CRDs from crds/ (Helm never upgrades those: a chart bump applies
        // the new chart's CRDs first, docs/runbooks/load-balancers.md).
        this.release = helmRelease(this, LOAD_BALANCER_CONTROLLER_RELEASE, {
            cluster,
            source: CHARTS.awsLoadBalancerController,
            namespace: this.namespace,
            values: cluster.vpcId.apply((vpcId) =>
                loadBalancerControllerValues({ clusterName: cluster.name, region: cluster.region, vpcId, highAvailability: cluster.highAvailability, monitoringEnabled, tags: cluster.tags }),
            ),
            // Pods get Pod Identity credentials injected at creation: the association must exist first.
            dependsOn: [ns, ...identity.ready, ...(args.monitoring?.crds ?? [])],
        });

        // After the release: the CRD comes with it, and its webhook admits IngressClassParams. A
        // class after its params, so that the controller never sees a class without them.
        const params = new Map<string, pulumi.Resource>();
        for (const manifest of ingressClassManifests()) {
            const opts = { parent: this, provider: cluster.provider };
            if (manifest.kind === "IngressClassParams") {
                params.set(manifest.metadata.name, new k8s.apiextensions.CustomResource(`${name}-params-${manifest.metadata.name}`, manifest, { ...opts, dependsOn: [this.release] }));
            } else {
                const ownParams = params.get(manifest.metadata.name);
                new k8s.apiextensions.CustomResource(`${name}-class-${manifest.metadata.name}`, manifest, { ...opts, dependsOn: [this.release, ...(ownParams ? [ownParams] : [])] });
            }
        }

        this.registerOutputs({ namespace: this.namespace, ingressClassName: this.ingressClassName, internetFacingIngressClassName: this.internetFacingIngressClassName });
    }
}

/**
 * The two IngressClasses and the IngressClassParams that pin what an Ingress of each may be:
 * `alb` internal for every namespace (the default class), `alb-internet-facing` internet-facing
 * for the namespaces labelled as allowed only (the controller refuses an Ingress of that class
 * elsewhere). Params win over an Ingress's own scheme annotation.
 */
export function ingressClassManifests(): IngressClassManifest[] {
    const common = { targetType: "ip", ipAddressType: "ipv4", sslPolicy: DEFAULT_SSL_POLICY };
    const params = (className: string, spec: Record<string, unknown>): IngressClassManifest => ({
        apiVersion: "elbv2.k8s.aws/v1beta1",
        kind: "IngressClassParams",
        metadata: { name: className },
        spec: { ...common, ...spec },
    });
    const ingressClass = (className: string, annotations?: Record<string, string>): IngressClassManifest => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "IngressClass",
        metadata: { name: className, ...(annotations ? { annotations } : {}) },
        spec: { controller: ALB_INGRESS_CONTROLLER, parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: className } },
    });
    return [
        params(INTERNAL_INGRESS_CLASS, { scheme: "internal" }),
        ingressClass(INTERNAL_INGRESS_CLASS, { "ingressclass.kubernetes.io/is-default-class": "true" }),
        params(INTERNET_FACING_INGRESS_CLASS, { scheme: "internet-facing", namespaceSelector: { matchLabels: { [INTERNET_FACING_LABEL]: INTERNET_FACING_ALLOWED } } }),
        ingressClass(INTERNET_FACING_INGRESS_CLASS),
    ];
}

export function loadBalancerControllerTrafficRules(monitoringEnabled: boolean): TrafficRule[] {
    const controller = { ...LOAD_BALANCER_CONTROLLER_POD_LABELS };
    const rules: TrafficRule[] = [
        {
            name: "allow-apiserver",
            description: "The controller watches Ingresses, Services, endpoints and its CRDs, and writes their status, through the API server",
            direction: "egress",
            peer: { kind: "apiServer" },
            ports: [{ port: 443 }],
        },
        { name: "allow-aws-apis", description: "The controller calls Elastic Load Balancing, EC2, ACM and STS", direction: "egress", peer: { kind: "awsApis" }, ports: [{ port: 443 }], podLabels: controller },
        {
            name: "allow-pod-identity",
            description: "The controller fetches its Pod Identity credentials from the node-local agent",
            direction: "egress",
            peer: { kind: "podIdentityAgent" },
            ports: [{ port: POD_IDENTITY_AGENT.port }],
            podLabels: controller,
        },
        {
            name: "allow-webhook-from-control-plane",
            description: "The API server calls the controller's webhooks (Ingress and IngressClassParams validation, Service and pod mutation)",
            direction: "ingress",
            peer: { kind: "controlPlane" },
            ports: [{ port: LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT }],
            podLabels: controller,
        },
    ];
    if (monitoringEnabled) rules.push(scrapedByMonitoring("Prometheus scrapes the controller's metrics", LOAD_BALANCER_CONTROLLER_METRICS_PORT));
    return rules;
}

export interface LoadBalancerControllerValuesInput {
    clusterName: string;
    region: string;
    vpcId: string;
    highAvailability: boolean;
    monitoringEnabled: boolean;
    /** The platform's tags, put on every AWS resource the controller creates (cost allocation). */
    tags: Record<string, string>;
}

/** Values for chart aws-load-balancer-controller 3.5.0; every key exists in its values.yaml (proven by tests). */
export function loadBalancerControllerValues(input: LoadBalancerControllerValuesInput): Record<string, unknown> {
    const replicaCount = input.highAvailability ? 2 : 1;
    const onlyTenantNamespaces = [{ key: TENANT_LABEL, operator: "Exists" }];
    const { "managed-by": _pulumi, ...tags } = input.tags;
    return {
        clusterName: input.clusterName,
        // Pods cannot reach IMDS (hop limit 1): region and VPC are given, never discovered.
        region: input.region,
        vpcId: input.vpcId,
        replicaCount,
        // The chart renders its PDB only with more than one replica; one pod at a time may go.
        podDisruptionBudget: replicaCount > 1 ? { maxUnavailable: 1 } : {},
        serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT, automountServiceAccountToken: true },
        ...systemPlacement(),
        // The chart adds a preferred spread by host (configureDefaultAffinity); this spreads across zones.
        topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...LOAD_BALANCER_CONTROLLER_POD_LABELS } } },
        ],
        resources: resources("100m", "128Mi", "500m", "512Mi"),
        podSecurityContext: restrictedPodSecurityContext(65534),
        securityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, privileged: false },
        // Target type ip: load balancers send to pod addresses (the VPC CNI), never through node ports.
        defaultTargetType: "ip",
        // Internal unless an internet-facing class or annotation says otherwise (the policy pack and the classes' params decide who may).
        defaultLoadBalancerScheme: "internal",
        defaultSSLPolicy: DEFAULT_SSL_POLICY,
        // The IngressClasses and their params are the program's (ingressClassManifests), created once the webhook runs.
        createIngressClassResource: false,
        ingressClassParams: { create: false },
        // Webhook TLS: the chart's own certificate, generated at install and kept across upgrades; no cert-manager.
        enableCertManager: false,
        keepTLSSecret: true,
        webhookBindPort: LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT,
        // The mutator that gives new LoadBalancer Services the controller's class fails closed: only
        // tenant namespaces wait for it, so no other chart's Service depends on the controller being up.
        serviceMutatorWebhookConfig: { failurePolicy: "Fail", namespaceSelectors: onlyTenantNamespaces },
        // WAF, WAFv2 and Shield are not offered (their permissions are left out of the controller's role).
        enableWaf: false,
        enableWafv2: false,
        enableShield: false,
        defaultTags: tags,
        serviceMonitor: { enabled: input.monitoringEnabled },
    };
}

/** Where Prometheus scrapes the controller (its chart's ServiceMonitor). */
export const LOAD_BALANCER_CONTROLLER_METRICS: MetricsEndpoint = {
    name: "load-balancer-controller",
    title: "the AWS Load Balancer Controller",
    namespace: PLATFORM_NAMESPACES.awsLoadBalancerController,
    port: LOAD_BALANCER_CONTROLLER_METRICS_PORT,
};

/** The controller as a platform add-on: the IngressClasses and its namespace for consumers, and which tenants may face the internet. */
export function awsLoadBalancerControllerAddon(tenants: readonly TenantConfig[]): PlatformAddon {
    return {
        name: "awsLoadBalancerController",
        metrics: LOAD_BALANCER_CONTROLLER_METRICS,
        install({ cluster, monitoring }) {
            const controller = new AwsLoadBalancerController("aws-load-balancer-controller", { cluster, monitoring });
            return {
                outputs: {
                    loadBalancerControllerNamespace: controller.namespace,
                    ingressClassName: controller.ingressClassName,
                    internetFacingIngressClassName: controller.internetFacingIngressClassName,
                    loadBalancerClass: controller.loadBalancerClass,
                    internetFacingNamespaces: tenants.filter((tenant) => tenant.internetFacing).map((tenant) => tenant.name),
                },
            };
        },
    };
}
