import * as aws from "@pulumi/aws";
import type { PlatformConfig } from "../config";

/** Builds every component in dependency order and returns the stack outputs. */
export function buildPlatform(config: PlatformConfig) {
    const key = new aws.kms.Key("placeholder", { enableKeyRotation: true, description: config.clusterName });
    return { clusterName: config.clusterName, kmsKeyArn: key.arn };
}
