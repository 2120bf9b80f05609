/**
 * Composition root: read and validate the stack's config, build the platform, export its
 * outputs. `pulumi up` calls the exported function; so does the offline plan.
 */
import { loadPlatformConfig } from "./config";
import { buildPlatform } from "./components/platform";

export = async () => buildPlatform(loadPlatformConfig());
