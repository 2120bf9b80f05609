import type { PlatformStackOutputs } from "../contract/outputs";
import type { PlatformConfig } from "../config";
import * as pulumi from "@pulumi/pulumi";
import { Cluster, serviceCidrFor } from "./cluster";
import { addressAt } from "../config/cidr";
import { DEFAULT_STORAGE_CLASS, NodeAddons, SystemAddons } from "./clusterAddons";
import { Network } from "./network";
import { NodeGroup } from "./nodeGroup";
import type { ClusterContext } from "./shared/types";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import { NamespaceBaseline } from "./namespaceBaseline";
import { Karpenter } from "./karpenter"; // ADDONS-I
import { ExternalSecrets } from "./externalSecrets"; // ADDONS-I
import { Monitoring, prometheusCrds } from "./monitoring"; // ADDONS-II
import { TrivyOperator } from "./trivyOperator"; // ADDONS-II
import { Velero } from "./velero"; // ADDONS-II
import { AccessLogBucket } from "./accessLogs";

/**
 * Builds every component from the validated config and returns the stack outputs.
 * Data flows one way: config -> cluster -> (add-ons, baseline in parallel) -> outputs.
 * Each region below is owned by one concern; add-ons depend only on the cluster context.
 */
export function buildPlatform(config: PlatformConfig): PlatformStackOutputs {
    // Filled region by region; the contract test proves every required output is set.
    const outputs: Partial<PlatformStackOutputs> = {};

    // region CLUSTER (network, control plane, node groups, managed add-ons)
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

    outputs.clusterName = clusterContext.name;
    outputs.region = clusterContext.region;
    outputs.kubernetesVersion = config.kubernetesVersion;
    outputs.clusterEndpoint = clusterContext.endpoint;
    outputs.clusterCertificateAuthority = clusterContext.certificateAuthority;
    outputs.clusterArn = clusterContext.arn;
    outputs.oidcProviderArn = clusterContext.oidcProviderArn;
    outputs.oidcProviderUrl = clusterContext.oidcIssuer;
    outputs.kubeconfig = pulumi.secret(eksCluster.kubeconfigJson);
    outputs.clusterSecurityGroupId = clusterContext.clusterSecurityGroupId;
    outputs.nodeSecurityGroupId = clusterContext.nodeSecurityGroupId;
    outputs.vpcId = clusterContext.vpcId;
    outputs.privateSubnetIds = clusterContext.privateSubnetIds;
    outputs.publicSubnetIds = network.publicSubnetIds;
    outputs.nodeGroupNames = nodeGroups.map((g) => g.nodeGroupName);
    outputs.nodeRoleArns = Object.fromEntries(nodeGroups.map((g) => [g.nodeGroupName, g.role.arn]));
    outputs.clusterSecretsKmsKeyArn = eksCluster.secretsKey.arn;
    outputs.storageClassName = clusterContext.storageClassName;
    // endregion CLUSTER

    // The Prometheus CRDs of the monitoring stack, applied before any add-on: every chart that
    // renders a ServiceMonitor (ADDONS-I and ADDONS-II) waits for them, never for the monitoring release.
    const monitoringCrds = config.addons.monitoring.enabled ? prometheusCrds("monitoring", clusterContext) : undefined;

    // region ADDONS-I (Karpenter, External Secrets Operator)
    // Each depends only on the cluster context: they install in parallel with each other and
    // with ADDONS-II. ServiceMonitors are rendered only when the monitoring stack (its CRDs) is on.
    const monitoringEnabled = config.addons.monitoring.enabled;
    const serviceMonitorCrds = monitoringCrds ? [monitoringCrds] : undefined;
    if (config.addons.karpenter.enabled) {
        const karpenter = new Karpenter("karpenter", { cluster: clusterContext, config: config.addons.karpenter, monitoringEnabled, monitoringCrds: serviceMonitorCrds });
        outputs.karpenterNodeRoleArn = karpenter.nodeRoleArn;
        outputs.karpenterInterruptionQueueName = karpenter.interruptionQueueName;
        outputs.karpenterNodePoolName = karpenter.nodePoolName;
    }
    // Alertmanager's receivers (pager keys, webhook URLs) are synced from Secrets Manager.
    const alertmanagerConfigSecret = monitoringEnabled ? config.addons.monitoring.alertmanagerConfigSecret : undefined;
    const externalSecrets = config.addons.externalSecrets.enabled
        ? new ExternalSecrets("external-secrets", {
              cluster: clusterContext,
              secretsPrefix: config.externalSecrets.secretsPrefix,
              allowedNamespaces: [...config.externalSecrets.allowedNamespaces, ...(alertmanagerConfigSecret ? [PLATFORM_NAMESPACES.monitoring] : [])],
              monitoringEnabled,
              monitoringCrds: serviceMonitorCrds,
          })
        : undefined;
    if (externalSecrets) {
        outputs.externalSecretsStoreName = externalSecrets.storeName;
        outputs.platformSecretsKmsKeyArn = externalSecrets.kmsKeyArn;
        outputs.secretsPrefix = externalSecrets.secretsPrefix;
    }
    // endregion ADDONS-I

    // region ADDONS-II (Velero, Trivy Operator, kube-prometheus-stack)
    // Independent installs: Velero and Trivy wait only for the Prometheus CRDs (their charts
    // render ServiceMonitors), never for the monitoring release.
    const addonsII = config.addons;
    const monitoring = addonsII.monitoring.enabled
        ? new Monitoring("monitoring", {
              cluster: clusterContext,
              config: addonsII.monitoring,
              tenants: config.tenants,
              addons: {
                  velero: addonsII.velero.enabled,
                  trivy: addonsII.trivy.enabled,
                  karpenter: config.addons.karpenter.enabled,
                  externalSecrets: config.addons.externalSecrets.enabled,
              },
              crds: monitoringCrds,
              alertmanagerConfig:
                  alertmanagerConfigSecret && externalSecrets
                      ? { storeName: externalSecrets.storeName, secretName: `${externalSecrets.secretsPrefix}${alertmanagerConfigSecret}`, dependsOn: [externalSecrets.release] }
                      : undefined,
          })
        : undefined;
    const scrapedBy = monitoring ? { crds: monitoring.crds } : undefined;
    if (addonsII.velero.enabled) {
        // Who may manage the backup bucket's guards (and, outside production, empty it on
        // destroy): the role that runs `pulumi up` (aws:PrincipalArn is the role, not the session).
        const deployerRoleArns = [config.access.deployerRoleArn];
        // Server access logs of the backup bucket: who read or deleted backups, and when.
        const accessLogs = new AccessLogBucket("access-logs", {
            clusterName: config.clusterName,
            accountId: clusterContext.accountId,
            partition: clusterContext.partition,
            tags,
            protectStateful: config.isProduction,
        });
        const velero = new Velero("velero", {
            cluster: clusterContext,
            config: addonsII.velero,
            breakGlassRoleArn: config.access.breakGlassRoleArn,
            deployerRoleArns,
            monitoring: scrapedBy,
            accessLogs,
        });
        outputs.veleroBucketName = velero.bucketName;
        outputs.veleroBucketArn = velero.bucketArn;
        outputs.veleroKmsKeyArn = velero.kmsKeyArn;
        outputs.veleroRoleArn = velero.roleArn;
    }
    if (addonsII.trivy.enabled) {
        new TrivyOperator("trivy-operator", { cluster: clusterContext, config: addonsII.trivy, monitoring: scrapedBy });
    }
    if (monitoring) {
        outputs.monitoringNamespace = monitoring.namespace;
        outputs.grafanaAdminSecretName = monitoring.grafanaAdminSecretName;
        outputs.prometheusServiceName = monitoring.prometheusServiceName;
        outputs.alertmanagerServiceName = monitoring.alertmanagerServiceName;
    }
    // endregion ADDONS-II

    // region BASELINE (tenant namespaces, RBAC, disruption budgets)
    // Tenants from config (Pod Security, quota, limits, NetworkPolicies, developer/CI Roles), the
    // viewer ClusterRole, and the admission policy that keeps tenant pods off the system nodes.
    // No CoreDNS PDB here: the managed CoreDNS add-on creates one (clusterAddons.ts, podDisruptionBudget).
    const baseline = new NamespaceBaseline("baseline", {
        cluster: clusterContext,
        tenants: config.tenants,
        developerExec: !config.isProduction,
        coreDnsDisruptionBudget: false,
    });
    outputs.tenantNamespaces = baseline.tenantNamespaceNames;
    // endregion BASELINE

    return outputs as PlatformStackOutputs;
}
