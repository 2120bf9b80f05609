// `npm run --silent policy:check -- [--format text|json|sarif|markdown] [--config FILE] PATH...`
// Exit codes: 0 no mandatory violation, 1 at least one, 2 unreadable input or bad usage
// (message on stderr, nothing on stdout, never a stack trace). Inputs are streamed: each
// document is checked as it is read, and results go to the output as they are found.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { setFlagsFromString } from "node:v8";
import { Command, CommanderError, Option } from "commander";
import { loadPolicyPackConfig, PolicyConfigError, PolicyPackConfig, PolicyReport, PolicySession } from "../engine";
import { allPolicies } from "../policies";
import { expandPaths, InputError, readResources, type LoadOptions } from "./inputs";
import { FormatName, formatter, FORMATS, Formatter, ReportedResource, Summary } from "./report";

const EXIT_OK = 0;
const EXIT_VIOLATIONS = 1;
const EXIT_INPUT = 2;

interface Options {
    format: FormatName;
    config?: string;
    namespace?: string;
}

function packVersion(): string {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { version: string };
    return manifest.version;
}

/** Checks every file (one stack each), handing each result to `output` as it is found. */
export function check(paths: string[], config: PolicyPackConfig, output: Formatter, load: LoadOptions = {}): Summary {
    const summary: Summary = { files: 0, resources: 0, mandatory: 0, advisory: 0, notEvaluated: 0 };
    for (const file of expandPaths(paths)) {
        const session = new PolicySession(config);
        // Stack-level results name resources by URN; keep the few fields a report shows, not the objects.
        const seen = new Map<string, ReportedResource>();
        const emit = (report: PolicyReport, resourceOf: (urn: string) => ReportedResource | undefined) => {
            for (const violation of report.violations) {
                summary[violation.enforcementLevel]++;
                output.violation({ ...violation, file, resource: resourceOf(violation.urn) });
            }
            for (const entry of report.notEvaluated) {
                summary.notEvaluated++;
                output.notEvaluated({ ...entry, file, resource: resourceOf(entry.urn) });
            }
        };
        for (const resource of readResources(file, load)) {
            summary.resources++;
            const { type, name, namespace, document, line } = resource;
            seen.set(resource.urn, { type, name, namespace, document, line });
            emit(session.add(resource), (urn) => (urn === resource.urn ? resource : seen.get(urn)));
        }
        emit(session.finish(), (urn) => seen.get(urn));
        summary.files++;
    }
    return summary;
}

function program(): Command {
    return new Command()
        .name("policy:check")
        .description("Run the eks-platform CrossGuard policies over Kubernetes manifests, stack exports and preview JSON.")
        .addOption(new Option("--format <format>", "output format (sarif: GitHub code scanning; markdown: a pull-request summary)").choices(FORMATS).default("text"))
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
    const output = formatter(options.format, { name: "eks-platform-policy", version: packVersion(), policies: allPolicies });
    try {
        const config = options.config ? loadPolicyPackConfig(options.config) : {};
        const summary = check(cli.args, config, output, { namespace: options.namespace });
        output.finish(summary, (chunk) => process.stdout.write(chunk));
        return summary.mandatory > 0 ? EXIT_VIOLATIONS : EXIT_OK;
    } catch (error) {
        output.discard();
        if (error instanceof InputError || error instanceof PolicyConfigError) {
            process.stderr.write(`policy:check: ${error.message}\n`);
        } else {
            process.stderr.write(`policy:check: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
        }
        return EXIT_INPUT;
    }
}

if (require.main === module) {
    // Streaming keeps the live heap small, but V8 by default lets garbage grow to several times
    // the live size before a full collection; a lower growing factor keeps a large input's peak
    // memory near what is live, at no measurable cost in time (docs/performance.md).
    setFlagsFromString("--heap-growing-percent=25");
    process.exitCode = main(process.argv.slice(2));
}
