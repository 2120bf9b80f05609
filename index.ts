/**
 * Composition root: read and validate the stack's config, refuse a new cluster created by anyone
 * but the configured deployer, build the platform, export its outputs. `pulumi up` calls the
 * exported function; so does the offline plan.
 */
import { loadPlatformConfig } from "./config";
import { checkClusterCreator } from "./components/cluster";
import { buildPlatform } from "./components/platform";

export = async () => {
    const config = loadPlatformConfig();
    await checkClusterCreator(config.clusterName, config.access.deployerRoleArn);
    return buildPlatform(config);
};
