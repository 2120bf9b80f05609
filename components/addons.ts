/**
 * The platform's add-ons, each built from its own slice of the validated config. Only the
 * enabled ones are returned, in install order: an add-on that uses what another provides (the
 * monitoring stack reads Alertmanager's configuration through External Secrets' store) comes
 * after it. Installs still run in parallel: each release waits only for what it needs.
 */
import type { PlatformConfig } from "../config";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import { awsLoadBalancerControllerAddon } from "./awsLoadBalancerController";
import { externalSecretsAddon } from "./externalSecrets";
import { karpenterAddon } from "./karpenter";
import { monitoringAddon } from "./monitoring";
import type { PlatformAddon } from "./shared/addon";
import { trivyOperatorAddon } from "./trivyOperator";
import { veleroAddon } from "./velero";

export function enabledAddons(config: PlatformConfig): PlatformAddon[] {
    const { addons } = config;
    // Alertmanager's configuration is synced into the monitoring namespace, which the store must then admit.
    const alertmanagerConfigSynced = addons.monitoring.enabled && addons.monitoring.alertmanagerConfigSecret !== undefined;
    const all: PlatformAddon[] = [
        karpenterAddon(addons.karpenter),
        externalSecretsAddon({
            secretsPrefix: config.externalSecrets.secretsPrefix,
            allowedNamespaces: [...config.externalSecrets.allowedNamespaces, ...(alertmanagerConfigSynced ? [PLATFORM_NAMESPACES.monitoring] : [])],
        }),
        monitoringAddon({ config: addons.monitoring, tenants: config.tenants }),
        veleroAddon({ config: addons.velero, breakGlassRoleArn: config.access.breakGlassRoleArn, deployerRoleArn: config.access.deployerRoleArn }),
        trivyOperatorAddon(addons.trivy),
        awsLoadBalancerControllerAddon(config.tenants),
    ];
    return all.filter((addon) => addons[addon.name].enabled);
}
