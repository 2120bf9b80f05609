// `npm run --silent policy:check -- [--format text|json] [--config FILE] PATH...`
// Exit codes: 0 no mandatory violation, 1 at least one, 2 unreadable input or bad usage
// (message on stderr, nothing on stdout, never a stack trace).
import { Command, CommanderError, Option } from "commander";
import { evaluatePolicies, loadPolicyPackConfig, PolicyConfigError, PolicyPackConfig } from "../engine";
import { CheckedResource, expandPaths, InputError, loadStack, type LoadOptions } from "./inputs";
import { CheckResult, formatJson, formatText } from "./report";

const EXIT_OK = 0;
const EXIT_VIOLATIONS = 1;
const EXIT_INPUT = 2;

interface Options {
    format: "text" | "json";
    config?: string;
    namespace?: string;
}

export function check(paths: string[], config: PolicyPackConfig, options: LoadOptions = {}): CheckResult {
    const result: CheckResult = { resources: 0, files: 0, violations: [], notEvaluated: [] };
    for (const file of expandPaths(paths)) {
        const stack = loadStack(file, options);
        const byUrn = new Map<string, CheckedResource>(stack.resources.map((r) => [r.urn, r]));
        const report = evaluatePolicies(stack.resources, config);
        result.files++;
        result.resources += stack.resources.length;
        for (const violation of report.violations) result.violations.push({ ...violation, file, resource: byUrn.get(violation.urn) });
        for (const entry of report.notEvaluated) result.notEvaluated.push({ ...entry, file, resource: byUrn.get(entry.urn) });
    }
    return result;
}

function program(): Command {
    return new Command()
        .name("policy:check")
        .description("Run the eks-platform CrossGuard policies over Kubernetes manifests, stack exports and preview JSON.")
        .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
        .option("--config <file>", "policy pack config (same JSON as `pulumi preview --policy-pack-config`)")
        .option("--namespace <name>", "namespace the manifests are applied to (`kubectl apply -n`, `helm template --namespace`): objects that name none are checked there")
        .argument("<paths...>", "files or directories (.yaml, .yml, .json)")
        .exitOverride()
        .configureOutput({ writeErr: (message) => process.stderr.write(message) });
}

export function main(argv: string[]): number {
    const cli = program();
    try {
        cli.parse(argv, { from: "user" });
    } catch (error) {
        if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_INPUT;
        throw error;
    }
    const options = cli.opts<Options>();
    try {
        const config = options.config ? loadPolicyPackConfig(options.config) : {};
        const result = check(cli.args, config, { namespace: options.namespace });
        process.stdout.write(options.format === "json" ? formatJson(result) : formatText(result));
        return result.violations.some((v) => v.enforcementLevel === "mandatory") ? EXIT_VIOLATIONS : EXIT_OK;
    } catch (error) {
        if (error instanceof InputError || error instanceof PolicyConfigError) {
            process.stderr.write(`policy:check: ${error.message}\n`);
        } else {
            process.stderr.write(`policy:check: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
        }
        return EXIT_INPUT;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
