import type { PlatformStackOutputs } from "../contract/outputs";
import type { PlatformConfig } from "../config";
import * as pulumi from "@pulumi/pulumi";
import { enabledAddons } from "./addons";
import { Cluster, serviceCidrFor } from "./cluster";
import { addressAt } from "../config/cidr";
import { DEFAULT_STORAGE_CLASS, NodeAddons, SystemAddons } from "./clusterAddons";
import { Network } from "./network";
import { NodeGroup } from "./nodeGroup";
import { PrometheusOperatorCrds } from "./prometheusOperatorCrds";
import type { AddonContext, AddonOutputs, PlatformAddon } from "./shared/addon";
import type { ClusterContext } from "./shared/types";
import { NamespaceBaseline } from "./namespaceBaseline";

/**
 * Builds every component from the validated config and returns the stack outputs.
 * Data flows one way: config -> cluster -> (add-ons, baseline in parallel) -> outputs.
 * Add-ons depend only on the cluster context and on what earlier add-ons provide.
 */
export function buildPlatform(config: PlatformConfig): PlatformStackOutputs {
    const { cluster, outputs: clusterOutputs } = buildCluster(config);
    const addonOutputs = installAddons(enabledAddons(config), {
        cluster,
        // The CRDs every chart that renders a ServiceMonitor waits for: they exist only with the monitoring stack.
        monitoring: config.addons.monitoring.enabled ? new PrometheusOperatorCrds("prometheus-operator-crds", { cluster }) : undefined,
    });
    // Tenants from config (Pod Security, quota, limits, NetworkPolicies, developer/CI Roles), the
    // viewer ClusterRole, and the admission policy that keeps tenant pods off the system nodes.
    // No CoreDNS PDB here: the managed CoreDNS add-on creates one (clusterAddons.ts, podDisruptionBudget).
    const baseline = new NamespaceBaseline("baseline", {
        cluster,
        tenants: config.tenants,
        developerExec: !config.isProduction,
        coreDnsDisruptionBudget: false,
    });
    return { ...clusterOutputs, ...addonOutputs, tenantNamespaces: baseline.tenantNamespaceNames };
}

/** The outputs every stack has, whatever its add-ons. */
type ClusterOutputs = Omit<PlatformStackOutputs, keyof AddonOutputs | "tenantNamespaces">;

/**
 * Installs each add-on with the cluster context and what the add-ons before it provide; their
 * outputs together. Each release waits only for what it needs, so the installs run in parallel.
 */
function installAddons(addons: PlatformAddon[], platform: Omit<AddonContext, "metrics" | "secretStore">): AddonOutputs {
    const context: AddonContext = { ...platform, metrics: addons.flatMap((addon) => (addon.metrics ? [addon.metrics] : [])) };
    const outputs: AddonOutputs = {};
    for (const addon of addons) {
        const installed = addon.install(context);
        Object.assign(outputs, installed.outputs);
        context.secretStore ??= installed.secretStore;
    }
    return outputs;
}

/** Network, control plane, node groups and the managed add-ons the nodes need: the context every other component builds on. */
function buildCluster(config: PlatformConfig): { cluster: ClusterContext; outputs: ClusterOutputs } {
    const tags = { ...config.tags, "platform.eks.aws/cluster": config.clusterName, environment: config.environment, "managed-by": "pulumi" };
    const network = new Network("network", { clusterName: config.clusterName, network: config.network, tags, protectStateful: config.isProduction });
    const serviceCidr = network.vpcCidr.apply(serviceCidrFor);
    const eksCluster = new Cluster("cluster", {
        clusterName: config.clusterName,
        kubernetesVersion: config.kubernetesVersion,
        network: { vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds, serviceCidr },
        endpoint: config.endpoint,
        deployRunnerCidrs: config.deployRunner?.network === "vpc" ? config.deployRunner.sourceCidrs : undefined,
        access: config.access,
        controlPlaneLogRetentionDays: config.controlPlaneLogRetentionDays,
        tags,
        protectStateful: config.isProduction,
    });
    const clusterContext: ClusterContext = {
        name: config.clusterName,
        liveName: eksCluster.liveName,
        region: config.region,
        accountId: eksCluster.accountId,
        partition: eksCluster.partition,
        arn: eksCluster.arn,
        endpoint: eksCluster.endpoint,
        certificateAuthority: eksCluster.certificateAuthority,
        oidcProviderArn: eksCluster.oidcProviderArn,
        oidcIssuer: eksCluster.oidcIssuer,
        vpcId: network.vpcId,
        vpcCidr: network.vpcCidr,
        privateSubnetIds: network.privateSubnetIds,
        privateSubnetCidrs: network.privateSubnetCidrs,
        publicSubnetCidrs: network.publicSubnetCidrs,
        serviceCidr,
        apiServerServiceIp: serviceCidr.apply((cidr) => addressAt(cidr, 1)),
        notInternetCidrs: network.ownsVpc ? pulumi.all([serviceCidr, network.vpcCidr]) : serviceCidr.apply((cidr) => [cidr]),
        clusterSecurityGroupId: eksCluster.clusterSecurityGroupId,
        nodeSecurityGroupId: eksCluster.nodeSecurityGroupId,
        provider: eksCluster.provider,
        systemNodesReady: [], // filled below, once the system nodes and their add-ons exist
        volumesReady: [],
        storageClassName: DEFAULT_STORAGE_CLASS,
        tags,
        protectStateful: config.isProduction,
        highAvailability: config.isProduction,
    };
    const nodeAddons = new NodeAddons("node-addons", { cluster: clusterContext, kubernetesVersion: config.kubernetesVersion });
    const nodeGroups = config.nodeGroups.map(
        (group) =>
            new NodeGroup(`node-group-${group.name}`, {
                cluster: eksCluster.eksCluster,
                clusterName: config.clusterName,
                kubernetesVersion: config.kubernetesVersion,
                group,
                subnetIds: network.privateSubnetIds,
                nodeSecurityGroupId: eksCluster.nodeSecurityGroupId,
                tags,
                dependsOn: [nodeAddons.vpcCni],
            }),
    );
    const systemNodeGroups = nodeGroups.filter((_, i) => config.nodeGroups[i].role === "system");
    const systemAddons = new SystemAddons("system-addons", {
        cluster: clusterContext,
        kubernetesVersion: config.kubernetesVersion,
        systemNodeGroups,
        podIdentityAgent: nodeAddons.podIdentityAgent,
    });
    clusterContext.systemNodesReady.push(
        ...systemNodeGroups,
        nodeAddons.vpcCni,
        nodeAddons.kubeProxy,
        nodeAddons.podIdentityAgent,
        systemAddons.coredns,
    );
    clusterContext.volumesReady.push(systemAddons.ebsCsiDriver, systemAddons.storageClass);

    const outputs: ClusterOutputs = {
        clusterName: clusterContext.name,
        region: clusterContext.region,
        kubernetesVersion: config.kubernetesVersion,
        clusterEndpoint: clusterContext.endpoint,
        clusterCertificateAuthority: clusterContext.certificateAuthority,
        clusterArn: clusterContext.arn,
        oidcProviderArn: clusterContext.oidcProviderArn,
        oidcProviderUrl: clusterContext.oidcIssuer,
        kubeconfig: pulumi.secret(eksCluster.kubeconfigJson),
        clusterSecurityGroupId: clusterContext.clusterSecurityGroupId,
        nodeSecurityGroupId: clusterContext.nodeSecurityGroupId,
        vpcId: clusterContext.vpcId,
        privateSubnetIds: clusterContext.privateSubnetIds,
        publicSubnetIds: network.publicSubnetIds,
        nodeGroupNames: nodeGroups.map((g) => g.nodeGroupName),
        nodeRoleArns: Object.fromEntries(nodeGroups.map((g) => [g.nodeGroupName, g.role.arn])),
        clusterSecretsKmsKeyArn: eksCluster.secretsKey.arn,
        storageClassName: clusterContext.storageClassName,
    };
    return { cluster: clusterContext, outputs };
}
