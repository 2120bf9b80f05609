/**
 * `npx tsx scripts/deploy-runners.ts`: the `runs-on` labels of every stack's deploy runner
 * (`eks-platform:deployRunner`), as one JSON object `{ "<stack>": [labels] }`. The workflow's
 * preview and deploy jobs run where this says, so they always reach the stack's API server.
 * Exit 2 with the stack and key named when a stack has no valid runner.
 */
import { ConfigError, parsePlatformConfig } from "../config";
import { PROJECT_DIR } from "../plan/run";
import { listStacks, loadStackConfig } from "../plan/stackConfig";

export function deployRunners(projectDir = PROJECT_DIR): Record<string, string[]> {
    const runners: Record<string, string[]> = {};
    for (const stack of listStacks(projectDir)) {
        const config = parsePlatformConfig(loadStackConfig(projectDir, stack));
        if (!config.deployRunner) {
            throw new ConfigError(stack, [`${config.project}:deployRunner: is not set: the workflow cannot know which runner reaches this stack's API server`]);
        }
        runners[stack] = config.deployRunner.labels;
    }
    return runners;
}

if (require.main === module) {
    try {
        process.stdout.write(`${JSON.stringify(deployRunners())}\n`);
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(2);
    }
}
