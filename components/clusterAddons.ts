import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedAddonVersion, type ManagedAddonName } from "./addonVersions";
import { clusterOwnershipTag } from "./shared/iamDocuments";
import { workloadIdentity } from "./shared/identity";
import { SYSTEM_NODE_SELECTOR, SYSTEM_TOLERATIONS } from "./shared/scheduling";
import type { ClusterContext } from "./shared/types";

export const DEFAULT_STORAGE_CLASS = "gp3-encrypted";

/**
 * Configuration values, in the shape each add-on's configuration schema
 * (`aws eks describe-addon-configuration`) accepts. The schemas reject unknown keys.
 */
export const addonConfiguration = {
    /** vpc-cni >= 1.14: the network policy agent enforces NetworkPolicies only with this STRING. */
    vpcCni(): Record<string, unknown> {
        return { enableNetworkPolicy: "true" };
    },

    /**
     * coredns schema keys (v1.10/v1.11 builds): nodeSelector, tolerations, replicaCount,
     * podDisruptionBudget {enabled, maxUnavailable}, topologySpreadConstraints, affinity, resources.
     * Setting `tolerations` replaces the add-on default, so the system taint is listed explicitly.
     */
    coredns(highAvailability: boolean): Record<string, unknown> {
        return {
            nodeSelector: { ...SYSTEM_NODE_SELECTOR },
            tolerations: SYSTEM_TOLERATIONS.map((t) => ({ ...t })),
            replicaCount: highAvailability ? 3 : 2,
            podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
            topologySpreadConstraints: [
                {
                    maxSkew: 1,
                    topologyKey: "topology.kubernetes.io/zone",
                    whenUnsatisfiable: highAvailability ? "DoNotSchedule" : "ScheduleAnyway",
                    labelSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
            ],
        };
    },

    /** aws-ebs-csi-driver (its chart's values): the controller on system nodes; the node DaemonSet tolerates every taint by default. */
    ebsCsiDriver(highAvailability: boolean): Record<string, unknown> {
        return {
            controller: {
                nodeSelector: { ...SYSTEM_NODE_SELECTOR },
                tolerations: SYSTEM_TOLERATIONS.map((t) => ({ ...t })),
                replicaCount: highAvailability ? 3 : 2,
            },
        };
    },
};

interface AddonSpec {
    cluster: ClusterContext;
    kubernetesVersion: string;
    addonName: ManagedAddonName;
    configurationValues?: Record<string, unknown>;
}

/**
 * A managed add-on at the build pinned for the cluster's Kubernetes minor (components/addonVersions.ts):
 * never "the newest", which would upgrade it on whichever `pulumi up` follows an AWS release.
 * Pulumi owns its configuration.
 */
function managedAddon(parent: pulumi.Resource, name: string, spec: AddonSpec, opts: pulumi.CustomResourceOptions): aws.eks.Addon {
    return new aws.eks.Addon(
        name,
        {
            clusterName: spec.cluster.liveName,
            addonName: spec.addonName,
            addonVersion: managedAddonVersion(spec.kubernetesVersion, spec.addonName),
            configurationValues: spec.configurationValues ? JSON.stringify(spec.configurationValues) : undefined,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            tags: spec.cluster.tags,
        },
        { parent, ...opts },
    );
}

export interface NodeAddonsArgs {
    cluster: ClusterContext;
    kubernetesVersion: string;
}

/**
 * Add-ons that nodes need to become Ready, created before any node group: all three are
 * DaemonSets, healthy with zero nodes. Without the CNI first, nodes would join NotReady, and the
 * network policy agent setting would only reach them on a later roll.
 */
export class NodeAddons extends pulumi.ComponentResource {
    readonly vpcCni: aws.eks.Addon;
    readonly kubeProxy: aws.eks.Addon;
    readonly podIdentityAgent: aws.eks.Addon;

    constructor(name: string, args: NodeAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:NodeAddons", name, {}, opts);
        // Each add-on waits for the cluster through its name (ClusterContext.liveName), nothing else.
        const common = { cluster: args.cluster, kubernetesVersion: args.kubernetesVersion };
        this.vpcCni = managedAddon(this, `${name}-vpc-cni`, { ...common, addonName: "vpc-cni", configurationValues: addonConfiguration.vpcCni() }, {});
        this.kubeProxy = managedAddon(this, `${name}-kube-proxy`, { ...common, addonName: "kube-proxy" }, {});
        this.podIdentityAgent = managedAddon(this, `${name}-eks-pod-identity-agent`, { ...common, addonName: "eks-pod-identity-agent" }, {});
        this.registerOutputs({});
    }
}

export interface SystemAddonsArgs {
    cluster: ClusterContext;
    kubernetesVersion: string;
    /** The system node group(s): CoreDNS and the EBS CSI controller run there. */
    systemNodeGroups: pulumi.Resource[];
    podIdentityAgent: aws.eks.Addon;
}

/**
 * Add-ons that run Deployments on the system nodes, created after them (CoreDNS created before
 * any node sits DEGRADED and fails the create), and the default encrypted gp3 StorageClass.
 */
export class SystemAddons extends pulumi.ComponentResource {
    readonly coredns: aws.eks.Addon;
    readonly ebsCsiDriver: aws.eks.Addon;
    readonly storageClass: k8s.storage.v1.StorageClass;

    constructor(name: string, args: SystemAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:SystemAddons", name, {}, opts);
        const { cluster, kubernetesVersion } = args;
        const common = { cluster, kubernetesVersion };

        this.coredns = managedAddon(
            this,
            `${name}-coredns`,
            { ...common, addonName: "coredns", configurationValues: addonConfiguration.coredns(cluster.highAvailability) },
            { dependsOn: args.systemNodeGroups },
        );

        // The add-on waits for the Pod Identity association and the role's policy: pods started
        // before the association exists run without credentials until restarted.
        const identity = workloadIdentity(this, `${name}-ebs-csi`, {
            cluster,
            namespace: "kube-system",
            serviceAccount: "ebs-csi-controller-sa",
            managedPolicyArns: [cluster.partition.apply((p) => `arn:${p}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy`)],
            dependsOn: [args.podIdentityAgent],
        });
        this.ebsCsiDriver = managedAddon(
            this,
            `${name}-aws-ebs-csi-driver`,
            { ...common, addonName: "aws-ebs-csi-driver", configurationValues: addonConfiguration.ebsCsiDriver(cluster.highAvailability) },
            { dependsOn: [...args.systemNodeGroups, ...identity.ready] },
        );

        // Volumes use the account's default EBS key (see the node launch template for why not a CMK).
        // Every volume carries the cluster's ownership tag (the driver's `tagSpecification_<n>`
        // parameters, "key=value"): Velero's role may snapshot only volumes tagged so.
        this.storageClass = new k8s.storage.v1.StorageClass(
            `${name}-${DEFAULT_STORAGE_CLASS}`,
            {
                metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
                provisioner: "ebs.csi.aws.com",
                parameters: {
                    type: "gp3",
                    encrypted: "true",
                    "csi.storage.k8s.io/fstype": "ext4",
                    tagSpecification_1: `${clusterOwnershipTag(cluster.name)}=owned`,
                },
                volumeBindingMode: "WaitForFirstConsumer",
                reclaimPolicy: cluster.protectStateful ? "Retain" : "Delete",
                allowVolumeExpansion: true,
            },
            { parent: this, provider: cluster.provider, dependsOn: [this.ebsCsiDriver] },
        );

        this.registerOutputs({ storageClassName: DEFAULT_STORAGE_CLASS });
    }
}
