// Output formats of the offline checker. The JSON shape is a contract for CI tooling: fields
// may be added, never renamed or dropped.
import { NotEvaluated, PolicyViolation } from "../engine";
import { CheckedResource } from "./inputs";

export interface CheckedViolation extends PolicyViolation {
    file: string;
    resource: CheckedResource | undefined;
}

export interface CheckedNotEvaluated extends NotEvaluated {
    file: string;
    resource: CheckedResource | undefined;
}

export interface CheckResult {
    resources: number;
    files: number;
    violations: CheckedViolation[];
    notEvaluated: CheckedNotEvaluated[];
}

function resourceJson(entry: { urn: string; file: string; resource: CheckedResource | undefined }) {
    return {
        type: entry.resource?.type ?? null,
        name: entry.resource?.name ?? null,
        namespace: entry.resource?.namespace ?? null,
        urn: entry.urn,
        file: entry.file,
    };
}

export function formatJson(result: CheckResult): string {
    const output = {
        resources: result.resources,
        violations: result.violations.map((v) => ({
            policy: v.policy,
            enforcementLevel: v.enforcementLevel,
            resource: resourceJson(v),
            message: v.message,
        })),
        notEvaluated: result.notEvaluated.map((n) => ({ policy: n.policy, resource: resourceJson(n), reason: n.reason })),
    };
    return `${JSON.stringify(output, null, 2)}\n`;
}

function describe(entry: { urn: string; resource: CheckedResource | undefined }): string {
    const resource = entry.resource;
    if (!resource) return entry.urn;
    return `${resource.type} ${resource.namespace ? `${resource.namespace}/` : ""}${resource.name}`;
}

export function formatText(result: CheckResult): string {
    const lines: string[] = [];
    for (const v of result.violations) {
        lines.push(`${v.enforcementLevel.toUpperCase()} ${v.policy}: ${v.file}: ${describe(v)}`);
        lines.push(`    ${v.message}`);
    }
    for (const n of result.notEvaluated) {
        lines.push(`NOT EVALUATED ${n.policy}: ${n.file}: ${describe(n)}`);
        lines.push(`    ${n.reason}`);
    }
    const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const advisory = result.violations.length - mandatory;
    lines.push(
        `${result.resources} resource(s) in ${result.files} file(s): ${mandatory} mandatory, ${advisory} advisory violation(s), ` +
            `${result.notEvaluated.length} not evaluated (unknown values)`,
    );
    return `${lines.join("\n")}\n`;
}
