/**
 * `npx tsx scripts/policy-config-path.ts --stack <name>`: prints the policy pack config a stack
 * is checked with (`policy/platform-policy-config.<environment>.json`, relative to the project),
 * the same file the offline plan picks, so CI passes it to `pulumi preview|up --policy-pack-config`.
 * Exit 2 with a message on stderr when the stack file is missing or unreadable.
 */
import { relative } from "node:path";
import { Command, CommanderError } from "commander";
import { policyConfigPathOf } from "../plan";
import { PROJECT_DIR } from "../plan/run";
import { loadStackConfig, StackFileError } from "../plan/stackConfig";

function main(argv: string[]): number {
    const program = new Command("policy-config-path")
        .description("Print the policy pack config file for a stack's environment")
        .requiredOption("-s, --stack <name>", "stack whose Pulumi.<name>.yaml to read")
        .exitOverride()
        .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) });
    try {
        program.parse(argv, { from: "user" });
        const source = loadStackConfig(PROJECT_DIR, program.opts<{ stack: string }>().stack);
        process.stdout.write(`${relative(PROJECT_DIR, policyConfigPathOf(source))}\n`);
        return 0;
    } catch (error) {
        if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
        if (error instanceof StackFileError) {
            process.stderr.write(`${error.message}\n`);
            return 2;
        }
        throw error;
    }
}

process.exitCode = main(process.argv.slice(2));
