/**
 * `npm run plan -- --stack <name> [--json] [--preview]`: the whole program under the Pulumi
 * runtime mocks, every resource recorded, the policy pack run over them.
 * Exit 0: no mandatory violation; 1: a mandatory violation or a program error; 2: bad config or usage.
 */
import { resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config";
import { createPlan, mandatoryViolations, stackFacts, type Plan } from "../plan";
import { estimateMonthlyCost, PriceTableError, renderCost } from "../plan/cost";
import { findHelm } from "../plan/helm/binary";
import { renderPlanReleases } from "../plan/helm/plan";
import { RenderInputError } from "../plan/helm/releases";
import { renderMermaid } from "../plan/mermaid";
import { renderPlan } from "../plan/render";
import { ProgramError } from "../plan/run";
import { PolicyConfigError } from "../policy/engine";
import { StackFileError } from "../plan/stackConfig";

const EXIT_VIOLATION = 1;
const EXIT_USAGE = 2;

interface CliOptions {
    stack: string;
    json: boolean;
    preview: boolean;
    policyConfig?: string;
    projectDir?: string;
    cost: boolean;
    mermaid: boolean;
    render: boolean;
    charts?: string;
}

function parseArguments(argv: string[]): CliOptions {
    const program = new Command("plan")
        .description("Offline plan of a stack: run the program under mocks and check it with the policy pack")
        .option("-s, --stack <name>", "stack whose Pulumi.<name>.yaml to use", "dev")
        .option("--json", "print one JSON document (the plan contract)", false)
        .option("--preview", "leave provider-computed outputs unknown, as `pulumi preview` of a new stack does", false)
        .option("--policy-config <file>", "policy pack config (the --policy-pack-config format); default: policy/platform-policy-config.<environment>.json for the stack's environment")
        .option("--cost", "add the modeled monthly cost (JSON: a `cost` field)", false)
        .option("--mermaid", "print a Mermaid diagram of the components and their dependencies instead", false)
        .option("--render", "also render every Helm release with its pinned chart and check the objects (JSON: a `render` field)", false)
        .option("--charts <dir>", "with --render: charts pulled beforehand, <chart>-<version>.tgz or <chart>-<version>/ (default: each release's repository)")
        .option("--project-dir <dir>", "directory holding Pulumi.yaml and index.ts (default: this repository)")
        .exitOverride()
        .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) });
    program.parse(argv, { from: "user" });
    const options = program.opts<CliOptions>();
    if (options.charts !== undefined && !options.render) program.error("plan: --charts needs --render", { exitCode: EXIT_USAGE });
    return options;
}

function costOf(plan: Plan) {
    const facts = stackFacts(plan.source);
    return estimateMonthlyCost(plan.document.resources, facts.region, facts.costAssumptions);
}

async function main(argv: string[]): Promise<number> {
    let options: CliOptions;
    try {
        options = parseArguments(argv);
    } catch (error) {
        if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
        throw error;
    }
    // A missing Helm is a usage error: said before the program runs, not after.
    const helm = options.render ? await findHelm() : undefined;
    const plan = await createPlan({
        stack: options.stack,
        preview: options.preview,
        policyConfigFile: options.policyConfig,
        projectDir: options.projectDir ? resolve(options.projectDir) : undefined,
    });
    const { document } = plan;
    if (options.mermaid) {
        process.stdout.write(`${renderMermaid(document)}\n`);
        return 0;
    }
    const cost = options.cost ? costOf(plan) : undefined;
    const render = helm ? await renderPlanReleases(plan, helm, options.charts) : undefined;
    if (options.json) process.stdout.write(`${JSON.stringify({ ...document, ...(cost ? { cost } : {}), ...(render ? { render: render.report } : {}) }, null, 2)}\n`);
    else process.stdout.write(`${renderPlan(document, options)}\n${cost ? `\n${renderCost(cost)}\n` : ""}${render ? `\n${render.text()}\n` : ""}`);
    return mandatoryViolations(document) > 0 || (render?.failures ?? 0) > 0 ? EXIT_VIOLATION : 0;
}

/** Bad input the user can fix: config, stack file, policy config, price table, Helm or a chart that cannot be found. */
function isUsageError(error: unknown): boolean {
    return (
        error instanceof ConfigError ||
        error instanceof StackFileError ||
        error instanceof PolicyConfigError ||
        error instanceof PriceTableError ||
        error instanceof RenderInputError
    );
}

/** Exit only once stdout is flushed: a piped multi-megabyte plan must arrive whole. */
function exitAfterFlush(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

/** The SDK wraps an error thrown while resolving an input once per nesting level; one mention is enough. */
function withoutSerializationChain(message: string): string {
    return message.replace(/(error serializing property "[^"]+": )+/g, "");
}

let failed = false;

function fail(error: unknown): void {
    // Every input that waits on a failed output rejects with the same error: report it once.
    if (failed) return;
    failed = true;
    const known = isUsageError(error) || error instanceof ProgramError;
    const message = withoutSerializationChain(error instanceof Error ? error.message : String(error));
    process.stderr.write(`plan: ${known ? message : `the program failed: ${message}`}\n`);
    exitAfterFlush(isUsageError(error) ? EXIT_USAGE : EXIT_VIOLATION);
}

// An error thrown inside an apply (e.g. the network's zone check) surfaces as an unhandled rejection.
process.on("unhandledRejection", fail);
main(process.argv.slice(2)).then((code) => exitAfterFlush(code), fail);
