// Writes policy/platform-policy-config.<environment>.json: the base config
// (policy/platform-policy-config.json) with the per-environment levels of lib/environments.ts.
// `npx tsx policy/tools/policy-configs.ts` rewrites them; a test fails when they are stale.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { PolicyPackConfig } from "../lib/config";
import { ENVIRONMENT_CLASSES, EnvironmentClass, environmentPolicyConfig } from "../lib/environments";
import { platformPolicyConfigPath, platformPolicyConfigPathFor } from "../engine";

export function renderEnvironmentConfig(environment: EnvironmentClass): string {
    const base = JSON.parse(readFileSync(platformPolicyConfigPath, "utf8")) as PolicyPackConfig;
    return `${JSON.stringify(environmentPolicyConfig(base, environment), null, 2)}\n`;
}

if (require.main === module) {
    for (const environment of ENVIRONMENT_CLASSES) {
        const file = platformPolicyConfigPathFor(environment);
        writeFileSync(file, renderEnvironmentConfig(environment));
        process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
}
