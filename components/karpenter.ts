import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KarpenterConfig } from "../config/addons";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import {
    DISCOVERY_TAG,
    INTERRUPTION_EVENTS,
    interruptionEventPattern,
    interruptionQueuePolicy,
    karpenterControllerPolicy,
    karpenterNodeManagedPolicyArns,
    karpenterNodeTrustPolicy,
} from "./karpenter.iam";
import { addonNamespaceLimits, LockedNamespace, POD_IDENTITY_AGENT, scrapedByMonitoring, type TrafficRule } from "./lockedNamespace";
import { CHARTS, helmRelease } from "./shared/helm";
import { workloadIdentity } from "./shared/identity";
import {
    APPLICATION_NODE_SELECTOR,
    NODE_ROLE_LABEL,
    restrictedPodSecurityContext,
    resources,
    SYSTEM_NODE_SELECTOR,
    SYSTEM_TOLERATIONS,
} from "./shared/scheduling";
import type { MetricsEndpoint, PlatformAddon, ServiceMonitorSupport } from "./shared/addon";
import type { ClusterContext } from "./shared/types";

export const KARPENTER_SERVICE_ACCOUNT = "karpenter";
export const KARPENTER_METRICS_PORT = 8080;

export interface KarpenterArgs {
    cluster: ClusterContext;
    config: KarpenterConfig;
    /** With monitoring on: the chart renders its ServiceMonitor and waits for the Prometheus CRDs (never the monitoring release). */
    monitoring?: ServiceMonitorSupport;
    /**
     * Controller replicas. Karpenter elects a leader, so a second replica costs little and
     * removes the single point of failure of the component that adds capacity: 2 by default
     * in every environment (dev keeps two system nodes).
     */
    replicas?: number;
    /** Root (AL2023) or data (Bottlerocket) volume of Karpenter nodes. */
    nodeVolumeGiB?: number;
}

/** What the EC2NodeClass and NodePool are built from: plain values known at plan time. */
export interface KarpenterManifestInput {
    clusterName: string;
    nodeRoleName: string;
    nodeClassName: string;
    nodePoolName: string;
    config: Omit<KarpenterConfig, "enabled">;
    tags: Record<string, string>;
    nodeVolumeGiB: number;
}

export interface KarpenterManifests {
    nodeClass: { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };
    nodePool: { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };
}

/** Tag keys Karpenter sets itself; the EC2NodeClass CRD rejects them in `spec.tags`. */
const RESTRICTED_TAG = /^(eks:eks-cluster-name|kubernetes\.io\/cluster.*|karpenter\.sh\/nodepool|karpenter\.sh\/nodeclaim|karpenter\.k8s\.aws\/ec2nodeclass)$/;

function blockDeviceMappings(amiAlias: string, sizeGiB: number): Record<string, unknown>[] {
    const ebs = (size: string) => ({ volumeSize: size, volumeType: "gp3", encrypted: true, deleteOnTermination: true });
    // Bottlerocket: a small OS volume plus the data volume that holds images and pod storage.
    if (amiAlias.startsWith("bottlerocket@")) {
        return [
            { deviceName: "/dev/xvda", ebs: ebs("4Gi") },
            { deviceName: "/dev/xvdb", ebs: ebs(`${sizeGiB}Gi`) },
        ];
    }
    return [{ deviceName: "/dev/xvda", rootVolume: true, ebs: ebs(`${sizeGiB}Gi`) }];
}

/**
 * The EC2NodeClass and NodePool, built and validated with the typed models of
 * `@kubernetes-models/karpenter` (ESM-only, hence the dynamic import from this CommonJS project).
 */
export async function karpenterManifests(input: KarpenterManifestInput): Promise<KarpenterManifests> {
    const { EC2NodeClass } = await import("@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass");
    const { NodePool } = await import("@kubernetes-models/karpenter/karpenter.sh/v1/NodePool");
    const { config } = input;
    const discovery = { tags: { [DISCOVERY_TAG]: input.clusterName } };

    const nodeClass = new EC2NodeClass({
        metadata: { name: input.nodeClassName },
        spec: {
            amiSelectorTerms: [{ alias: config.amiAlias }],
            // Karpenter creates and tags the instance profile for this role itself.
            role: input.nodeRoleName,
            subnetSelectorTerms: [discovery],
            securityGroupSelectorTerms: [discovery],
            associatePublicIPAddress: false,
            metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
            blockDeviceMappings: blockDeviceMappings(config.amiAlias, input.nodeVolumeGiB),
            tags: Object.fromEntries(Object.entries(input.tags).filter(([key]) => !RESTRICTED_TAG.test(key))),
        },
    });
    nodeClass.validate();

    const nodePool = new NodePool({
        metadata: { name: input.nodePoolName },
        spec: {
            template: {
                metadata: { labels: { ...APPLICATION_NODE_SELECTOR } },
                spec: {
                    nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: input.nodeClassName },
                    requirements: [
                        { key: "karpenter.sh/capacity-type", operator: "In", values: [...config.capacityTypes] },
                        { key: "kubernetes.io/arch", operator: "In", values: [...config.architectures] },
                        { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
                        { key: "karpenter.k8s.aws/instance-category", operator: "In", values: [...config.instanceCategories] },
                        // "Gt" is strict: generation N and newer means greater than N-1.
                        { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: [String(config.minInstanceGeneration - 1)] },
                    ],
                    expireAfter: config.expireAfter,
                },
            },
            limits: { cpu: String(config.cpuLimit), memory: `${config.memoryLimitGiB}Gi` },
            disruption: {
                consolidationPolicy: "WhenEmptyOrUnderutilized",
                consolidateAfter: config.consolidateAfter,
                // Never replace more than a tenth of the pool's nodes at once.
                budgets: [{ nodes: "10%" }],
            },
        },
    });
    nodePool.validate();

    return { nodeClass: nodeClass.toJSON() as KarpenterManifests["nodeClass"], nodePool: nodePool.toJSON() as KarpenterManifests["nodePool"] };
}

/**
 * Karpenter with interruption handling: node role and access entry, SQS queue fed by
 * EventBridge, controller identity, CRD and controller releases, and one EC2NodeClass +
 * NodePool for application workloads.
 */
export class Karpenter extends pulumi.ComponentResource {
    readonly nodeRoleArn: pulumi.Output<string>;
    readonly nodeRoleName: string;
    readonly interruptionQueueName: pulumi.Output<string>;
    readonly nodePoolName: string;
    readonly nodeClassName: string;
    readonly crdRelease: k8s.helm.v3.Release;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:Karpenter", name, {}, opts);
        const { cluster, config } = args;
        const namespace = PLATFORM_NAMESPACES.karpenter;
        const tags = cluster.tags;
        this.nodeClassName = "application";
        this.nodePoolName = "application";

        // Node role: Karpenter creates the instance profile from `role` in the EC2NodeClass.
        this.nodeRoleName = `${cluster.name}-karpenter-node`.slice(0, 64);
        const nodeRole = new aws.iam.Role(
            `${name}-node`,
            {
                name: this.nodeRoleName,
                description: `Nodes launched by Karpenter for EKS cluster ${cluster.name}`,
                assumeRolePolicy: cluster.partition.apply((partition) => JSON.stringify(karpenterNodeTrustPolicy(partition))),
                tags,
            },
            { parent: this },
        );
        this.nodeRoleArn = nodeRole.arn;
        const managed = cluster.partition.apply(karpenterNodeManagedPolicyArns);
        ["worker", "cni", "ecr-pull", "ssm"].forEach((suffix, index) => {
            new aws.iam.RolePolicyAttachment(`${name}-node-${suffix}`, { role: nodeRole.name, policyArn: managed.apply((arns) => arns[index]) }, { parent: this });
        });
        const accessEntry = new aws.eks.AccessEntry(
            `${name}-node`,
            // The cluster's live name: the entry is created once the cluster exists, never before.
            { clusterName: cluster.liveName, principalArn: nodeRole.arn, type: "EC2_LINUX", tags },
            { parent: this },
        );

        // Interruption handling: EventBridge -> SQS -> controller.
        const queue = new aws.sqs.Queue(
            `${name}-interruption`,
            { name: `${cluster.name}-karpenter-interruption`, messageRetentionSeconds: 300, sqsManagedSseEnabled: true, tags },
            { parent: this },
        );
        this.interruptionQueueName = queue.name;
        const rules = Object.entries(INTERRUPTION_EVENTS).map(([key, event]) => {
            const suffix = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
            const rule = new aws.cloudwatch.EventRule(
                `${name}-${suffix}`,
                {
                    name: `${cluster.name}-karpenter-${suffix}`.slice(0, 64),
                    description: `Karpenter interruption handling: ${event.detailType}`,
                    eventPattern: JSON.stringify(interruptionEventPattern(event)),
                    tags,
                },
                { parent: this },
            );
            new aws.cloudwatch.EventTarget(`${name}-${suffix}`, { rule: rule.name, targetId: "KarpenterInterruptionQueue", arn: queue.arn }, { parent: this });
            return rule;
        });
        new aws.sqs.QueuePolicy(
            `${name}-interruption`,
            {
                queueUrl: queue.url,
                policy: pulumi
                    .all([queue.arn, ...rules.map((r) => r.arn)])
                    .apply(([queueArn, ...ruleArns]) => JSON.stringify(interruptionQueuePolicy({ queueArn, ruleArns }))),
            },
            { parent: this },
        );

        // Controller identity: its own role, trusted only by karpenter/karpenter.
        const identity = workloadIdentity(this, `${name}-controller`, {
            cluster,
            namespace,
            serviceAccount: KARPENTER_SERVICE_ACCOUNT,
            mechanism: "podIdentity",
            policy: pulumi
                .all([cluster.partition, cluster.accountId, nodeRole.arn, queue.arn])
                .apply(([partition, accountId, nodeRoleArn, interruptionQueueArn]) =>
                    karpenterControllerPolicy({ partition, region: cluster.region, accountId, clusterName: cluster.name, nodeRoleArn, interruptionQueueArn }),
                ),
        });

        // Quota above the controller's rollout peak (2 x 1 CPU / 1Gi plus a surge pod).
        const ns = new LockedNamespace(
            name,
            { cluster, name: namespace, podSecurity: "restricted", rules: karpenterTrafficRules(args.monitoring !== undefined), limits: addonNamespaceLimits("4", "4Gi", "10") },
            { parent: this },
        );

        // CRDs as their own release: `helm upgrade` never touches a chart's crds/ directory,
        // but it does upgrade templated CRDs, which is what the karpenter-crd chart ships.
        // prod: deleting this release would delete the CRDs and with them every NodePool and
        // NodeClaim (their nodes drained and terminated), so destroy and uninstall are refused.
        this.crdRelease = helmRelease(this, `${name}-crd`, {
            cluster,
            source: CHARTS.karpenterCrd,
            namespace,
            values: {},
            dependsOn: [ns],
            crdsOnly: true,
            protect: cluster.protectStateful,
            retainOnDelete: cluster.protectStateful,
        });
        this.release = helmRelease(this, name, {
            cluster,
            source: CHARTS.karpenter,
            namespace,
            skipCrds: true,
            values: pulumi.all([queue.name, cluster.endpoint]).apply(([interruptionQueue, clusterEndpoint]) =>
                karpenterValues({
                    clusterName: cluster.name,
                    clusterEndpoint,
                    region: cluster.region,
                    interruptionQueue,
                    monitoringEnabled: args.monitoring !== undefined,
                    replicas: args.replicas ?? 2,
                }),
            ),
            // Pods get Pod Identity credentials injected at creation: the association must exist first.
            // Its ServiceMonitor needs the Prometheus CRDs (not the monitoring release).
            dependsOn: [ns, this.crdRelease, ...identity.ready, ...(args.monitoring?.crds ?? [])],
        });

        // The node class and pool: after the CRDs, and after the controller so that on destroy
        // they are deleted (and their finalizers run) while the controller still exists. Nodes
        // join only through the node role's access entry.
        const manifests = pulumi.output(
            karpenterManifests({
                clusterName: cluster.name,
                nodeRoleName: this.nodeRoleName,
                nodeClassName: this.nodeClassName,
                nodePoolName: this.nodePoolName,
                config,
                tags,
                nodeVolumeGiB: args.nodeVolumeGiB ?? 50,
            }),
        );
        const crOpts = { parent: this, provider: cluster.provider };
        const nodeClass = new k8s.apiextensions.CustomResource(
            `${name}-nodeclass-${this.nodeClassName}`,
            { apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass", metadata: { name: this.nodeClassName }, spec: manifests.nodeClass.spec },
            { ...crOpts, dependsOn: [this.crdRelease, this.release, accessEntry, nodeRole] },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-nodepool-${this.nodePoolName}`,
            { apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: this.nodePoolName }, spec: manifests.nodePool.spec },
            { ...crOpts, dependsOn: [this.crdRelease, this.release, nodeClass] },
        );

        this.registerOutputs({ nodeRoleArn: this.nodeRoleArn, interruptionQueueName: this.interruptionQueueName, nodePoolName: this.nodePoolName });
    }
}

/** Where Prometheus scrapes Karpenter (its chart's ServiceMonitor). */
export const KARPENTER_METRICS: MetricsEndpoint = { name: "karpenter", title: "Karpenter", namespace: PLATFORM_NAMESPACES.karpenter, port: KARPENTER_METRICS_PORT };

/** Karpenter as a platform add-on: the application NodePool, its node role and interruption queue. */
export function karpenterAddon(config: KarpenterConfig): PlatformAddon {
    return {
        name: "karpenter",
        metrics: KARPENTER_METRICS,
        install({ cluster, monitoring }) {
            const karpenter = new Karpenter("karpenter", { cluster, config, monitoring });
            return {
                outputs: {
                    karpenterNodeRoleArn: karpenter.nodeRoleArn,
                    karpenterInterruptionQueueName: karpenter.interruptionQueueName,
                    karpenterNodePoolName: karpenter.nodePoolName,
                },
            };
        },
    };
}

export function karpenterTrafficRules(monitoringEnabled: boolean): TrafficRule[] {
    const rules: TrafficRule[] = [
        { name: "allow-apiserver", description: "Karpenter watches and updates the cluster through the API server", direction: "egress", peer: { kind: "apiServer" }, ports: [{ port: 443 }] },
        { name: "allow-aws-apis", description: "Karpenter calls EC2, SQS, SSM, pricing, EKS and STS", direction: "egress", peer: { kind: "awsApis" }, ports: [{ port: 443 }] },
        {
            name: "allow-pod-identity",
            description: "Karpenter fetches its Pod Identity credentials from the node-local agent",
            direction: "egress",
            peer: { kind: "podIdentityAgent" },
            ports: [{ port: POD_IDENTITY_AGENT.port }],
        },
    ];
    if (monitoringEnabled) rules.push(scrapedByMonitoring("Prometheus scrapes Karpenter's metrics", KARPENTER_METRICS_PORT));
    return rules;
}

export interface KarpenterValuesInput {
    clusterName: string;
    clusterEndpoint: string;
    region: string;
    /** The SQS queue NAME (the chart does not accept an ARN or URL). */
    interruptionQueue: string;
    monitoringEnabled: boolean;
    replicas: number;
}

/** Values for chart karpenter 1.14.1; every key exists in its values.yaml (proven by tests). */
export function karpenterValues(input: KarpenterValuesInput): Record<string, unknown> {
    return {
        settings: { clusterName: input.clusterName, clusterEndpoint: input.clusterEndpoint, interruptionQueue: input.interruptionQueue },
        serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT },
        replicas: input.replicas,
        // The chart always renders its PDB; one replica at a time may be evicted.
        podDisruptionBudget: { name: "karpenter", maxUnavailable: 1 },
        controller: {
            // Nodes use IMDSv2 with hop limit 1: pods cannot read the region from IMDS.
            env: [{ name: "AWS_REGION", value: input.region }],
            // Karpenter sizes GOMEMLIMIT from limits.memory: requests = limits for memory.
            resources: resources("500m", "1Gi", "1", "1Gi"),
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        },
        // The container's own securityContext is fixed by the chart (non-root 65532, no
        // privilege escalation, read-only root, all capabilities dropped).
        podSecurityContext: restrictedPodSecurityContext(65532),
        // Never on nodes Karpenter itself manages: on the tainted system nodes, spread by host and zone.
        nodeSelector: { "kubernetes.io/os": "linux", ...SYSTEM_NODE_SELECTOR },
        tolerations: SYSTEM_TOLERATIONS.map((t) => ({ ...t })),
        affinity: {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [
                        {
                            matchExpressions: [
                                { key: "karpenter.sh/nodepool", operator: "DoesNotExist" },
                                { key: NODE_ROLE_LABEL, operator: "In", values: [SYSTEM_NODE_SELECTOR[NODE_ROLE_LABEL]] },
                            ],
                        },
                    ],
                },
            },
            podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname" }] },
        },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }],
        serviceMonitor: { enabled: input.monitoringEnabled },
        logLevel: "info",
    };
}
