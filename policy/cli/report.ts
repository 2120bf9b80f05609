// Output formats of the offline checker. Results are handed over one at a time as the input is
// read and never kept whole: each format writes them to a spool (or keeps a bounded sample) and
// assembles its document at the end. The JSON shape is a contract for CI tooling: fields may be
// added, never renamed or dropped.
import * as path from "node:path";
import { NotEvaluated, PolicyViolation } from "../engine";
import { PlatformPolicy } from "../lib/policy";
import { CheckedResource } from "./inputs";
import { Spool } from "./spool";

/** What a report shows of a resource. */
export type ReportedResource = Pick<CheckedResource, "type" | "name" | "namespace" | "document" | "line">;

export interface CheckedViolation extends PolicyViolation {
    file: string;
    resource: ReportedResource | undefined;
}

export interface CheckedNotEvaluated extends NotEvaluated {
    file: string;
    resource: ReportedResource | undefined;
}

export interface Summary {
    files: number;
    resources: number;
    mandatory: number;
    advisory: number;
    notEvaluated: number;
}

export type FormatName = "text" | "json" | "sarif" | "markdown";
export const FORMATS: readonly FormatName[] = ["text", "json", "sarif", "markdown"];

export interface Formatter {
    violation(violation: CheckedViolation): void;
    notEvaluated(entry: CheckedNotEvaluated): void;
    /** Writes the whole document to `out` and releases everything held. */
    finish(summary: Summary, out: (chunk: string | Uint8Array) => void): void;
    /** Drops everything written so far (the run failed). */
    discard(): void;
}

export interface ToolInfo {
    name: string;
    version: string;
    policies: readonly PlatformPolicy[];
}

export function formatter(format: FormatName, tool: ToolInfo): Formatter {
    switch (format) {
        case "json":
            return new JsonFormatter();
        case "sarif":
            return new SarifFormatter(tool);
        case "markdown":
            return new MarkdownFormatter();
        default:
            return new TextFormatter();
    }
}

function resourceJson(entry: { urn: string; file: string; resource: ReportedResource | undefined }) {
    return {
        type: entry.resource?.type ?? null,
        name: entry.resource?.name ?? null,
        namespace: entry.resource?.namespace ?? null,
        urn: entry.urn,
        file: entry.file,
        document: entry.resource?.document ?? null,
        line: entry.resource?.line ?? null,
    };
}

function describe(entry: { urn: string; resource: ReportedResource | undefined }): string {
    const resource = entry.resource;
    if (!resource) return entry.urn;
    return `${resource.type} ${resource.namespace ? `${resource.namespace}/` : ""}${resource.name}`;
}

/** An array element of the document: one finding per line. */
function element(value: unknown, first: boolean): string {
    return `${first ? "" : ",\n"}    ${JSON.stringify(value)}`;
}

class JsonFormatter implements Formatter {
    private readonly violations = new Spool();
    private readonly unknowns = new Spool();
    private counts = { violations: 0, unknowns: 0 };

    violation(v: CheckedViolation): void {
        const entry = { policy: v.policy, enforcementLevel: v.enforcementLevel, resource: resourceJson(v), message: v.message };
        this.violations.write(element(entry, this.counts.violations++ === 0));
    }

    notEvaluated(n: CheckedNotEvaluated): void {
        this.unknowns.write(element({ policy: n.policy, resource: resourceJson(n), reason: n.reason }, this.counts.unknowns++ === 0));
    }

    finish(summary: Summary, out: (chunk: string | Uint8Array) => void): void {
        out(`{\n  "resources": ${summary.resources},\n  "files": ${summary.files},\n  "violations": [`);
        if (this.counts.violations > 0) out("\n");
        this.violations.drainTo(out);
        out(`${this.counts.violations > 0 ? "\n  " : ""}],\n  "notEvaluated": [`);
        if (this.counts.unknowns > 0) out("\n");
        this.unknowns.drainTo(out);
        out(`${this.counts.unknowns > 0 ? "\n  " : ""}]\n}\n`);
    }

    discard(): void {
        this.violations.discard();
        this.unknowns.discard();
    }
}

class TextFormatter implements Formatter {
    private readonly violations = new Spool();
    private readonly unknowns = new Spool();

    violation(v: CheckedViolation): void {
        this.violations.write(`${v.enforcementLevel.toUpperCase()} ${v.policy}: ${v.file}: ${describe(v)}\n    ${v.message}\n`);
    }

    notEvaluated(n: CheckedNotEvaluated): void {
        this.unknowns.write(`NOT EVALUATED ${n.policy}: ${n.file}: ${describe(n)}\n    ${n.reason}\n`);
    }

    finish(summary: Summary, out: (chunk: string | Uint8Array) => void): void {
        this.violations.drainTo(out);
        this.unknowns.drainTo(out);
        out(
            `${summary.resources} resource(s) in ${summary.files} file(s): ${summary.mandatory} mandatory, ${summary.advisory} advisory violation(s), ` +
                `${summary.notEvaluated} not evaluated (unknown values)\n`,
        );
    }

    discard(): void {
        this.violations.discard();
        this.unknowns.discard();
    }
}

// GitHub code scanning ranks alerts by this property (0.1-10); CVSS-like bands per severity.
const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

/** A path GitHub can match to a file of the repository: relative to the working directory, with `/`. */
function artifactUri(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return (relative.startsWith("..") || path.isAbsolute(relative) ? path.resolve(file) : relative).split(path.sep).join("/");
}

/** SARIF 2.1.0, as GitHub code scanning (`github/codeql-action/upload-sarif`) reads it. */
class SarifFormatter implements Formatter {
    private readonly results = new Spool();
    private count = 0;
    private readonly ruleIndex: Map<string, number>;

    constructor(private readonly tool: ToolInfo) {
        this.ruleIndex = new Map(tool.policies.map((p, i) => [p.name, i]));
    }

    private location(entry: { urn: string; file: string; resource: ReportedResource | undefined }) {
        return {
            physicalLocation: {
                artifactLocation: { uri: artifactUri(entry.file) },
                region: { startLine: entry.resource?.line ?? 1 },
            },
            logicalLocations: [{ name: entry.resource ? describe(entry) : entry.urn, fullyQualifiedName: entry.urn, kind: "resource" }],
        };
    }

    private write(result: object): void {
        this.results.write(`${this.count++ === 0 ? "" : ","}\n${JSON.stringify(result)}`);
    }

    violation(v: CheckedViolation): void {
        this.write({
            ruleId: v.policy,
            ruleIndex: this.ruleIndex.get(v.policy) ?? -1,
            kind: "fail",
            level: v.enforcementLevel === "mandatory" ? "error" : "warning",
            message: { text: v.message },
            locations: [this.location(v)],
            partialFingerprints: { "resourcePolicy/v1": `${v.urn}|${v.policy}|${v.message}` },
        });
    }

    notEvaluated(n: CheckedNotEvaluated): void {
        this.write({
            ruleId: n.policy,
            ruleIndex: this.ruleIndex.get(n.policy) ?? -1,
            kind: "open",
            level: "none",
            message: { text: `Not evaluated: ${n.reason}` },
            locations: [this.location(n)],
        });
    }

    private rules() {
        return this.tool.policies.map((p) => ({
            id: p.name,
            name: p.name,
            shortDescription: { text: p.description },
            fullDescription: { text: `${p.description} Frameworks: ${p.frameworks.map((f) => `${f.framework} ${f.reference}`).join("; ")}.` },
            help: { text: p.remediationSteps ?? p.description },
            defaultConfiguration: { level: p.enforcementLevel === "advisory" ? "warning" : "error" },
            properties: {
                tags: ["security", ...new Set(p.frameworks.map((f) => f.framework))],
                precision: "very-high",
                "security-severity": SECURITY_SEVERITY[p.severity ?? "medium"] ?? "5.5",
            },
        }));
    }

    finish(_summary: Summary, out: (chunk: string | Uint8Array) => void): void {
        const driver = { name: this.tool.name, version: this.tool.version, semanticVersion: this.tool.version, rules: this.rules() };
        out(`{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver)}},"results":[`);
        this.results.drainTo(out);
        out(`\n]}]}\n`);
    }

    discard(): void {
        this.results.discard();
    }
}

const MARKDOWN_ROWS = 50;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** A pull-request summary: counts, then the first findings of each kind (bounded, whatever the input size). */
class MarkdownFormatter implements Formatter {
    private readonly rows = { mandatory: [] as string[], advisory: [] as string[], notEvaluated: [] as string[] };

    private row(bucket: string[], policy: string, entry: { urn: string; file: string; resource: ReportedResource | undefined }, text: string): void {
        if (bucket.length >= MARKDOWN_ROWS) return;
        const where = `${entry.file}${entry.resource ? `:${entry.resource.line}` : ""}`;
        bucket.push(`| \`${policy}\` | ${cell(describe(entry))} | \`${cell(where)}\` | ${cell(text)} |`);
    }

    violation(v: CheckedViolation): void {
        this.row(this.rows[v.enforcementLevel], v.policy, v, v.message);
    }

    notEvaluated(n: CheckedNotEvaluated): void {
        this.row(this.rows.notEvaluated, n.policy, n, n.reason);
    }

    private section(title: string, rows: string[], total: number, open: boolean): string[] {
        if (total === 0) return [];
        const more = total > rows.length ? [``, `… and ${total - rows.length} more (run \`npm run policy:check\` for the full list).`] : [];
        const table = ["| Policy | Resource | File | Message |", "|---|---|---|---|", ...rows, ...more];
        return open ? [`### ${title} (${total})`, "", ...table, ""] : [`<details><summary>${title} (${total})</summary>`, "", ...table, "", "</details>", ""];
    }

    finish(summary: Summary, out: (chunk: string | Uint8Array) => void): void {
        const verdict = summary.mandatory > 0 ? `❌ ${summary.mandatory} mandatory violation(s)` : "✅ no mandatory violations";
        out(
            [
                `## Policy check: ${verdict}`,
                "",
                "| | |",
                "|---|---|",
                `| Resources checked | ${summary.resources} in ${summary.files} file(s) |`,
                `| Mandatory violations | ${summary.mandatory} |`,
                `| Advisory violations | ${summary.advisory} |`,
                `| Not evaluated (unknown values) | ${summary.notEvaluated} |`,
                "",
                ...this.section("Mandatory violations", this.rows.mandatory, summary.mandatory, true),
                ...this.section("Advisory violations", this.rows.advisory, summary.advisory, false),
                ...this.section("Not evaluated", this.rows.notEvaluated, summary.notEvaluated, false),
            ].join("\n") + "\n",
        );
    }

    discard(): void {
        this.rows.mandatory = [];
        this.rows.advisory = [];
        this.rows.notEvaluated = [];
    }
}
