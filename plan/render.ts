import type { PlanDocument, PlanResourceDocument } from "./index";

function childrenByParent(resources: PlanResourceDocument[]): Map<string | null, PlanResourceDocument[]> {
    const known = new Set(resources.map((r) => r.urn));
    const byParent = new Map<string | null, PlanResourceDocument[]>();
    for (const resource of resources) {
        const parent = resource.parent && known.has(resource.parent) ? resource.parent : null;
        const siblings = byParent.get(parent);
        if (siblings) siblings.push(resource);
        else byParent.set(parent, [resource]);
    }
    return byParent;
}

function kindOf(resource: PlanResourceDocument): string {
    const kind = resource.remote ? " (remote component)" : resource.custom ? "" : " (component)";
    // Remote components (prod's eks:index:Cluster) carry protect too: the tree shows it as --json does.
    const flags = [resource.protect ? "protect" : "", resource.retainOnDelete ? "retainOnDelete" : ""].filter(Boolean);
    return `${kind}${flags.length ? ` [${flags.join(", ")}]` : ""}`;
}

function renderTree(byParent: Map<string | null, PlanResourceDocument[]>, parent: string | null, indent: string, lines: string[]): void {
    const children = byParent.get(parent) ?? [];
    children.forEach((child, index) => {
        const last = index === children.length - 1;
        lines.push(`${indent}${last ? "└─" : "├─"} ${child.type}  ${child.name}${kindOf(child)}`);
        renderTree(byParent, child.urn, indent + (last ? "   " : "│  "), lines);
    });
}

function countsByType(resources: PlanResourceDocument[]): string[] {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([type, n]) => `  ${String(n).padStart(4)}  ${type}`);
}

function renderPolicy(document: PlanDocument): string[] {
    const { violations, notEvaluated } = document.policy;
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const lines = [`Policy report: ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)`];
    for (const v of violations) lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.message}\n      at ${v.urn}`);
    if (notEvaluated.length > 0) {
        lines.push(`  ${notEvaluated.length} check(s) could not be evaluated (values unknown until deployment):`);
        for (const n of notEvaluated) lines.push(`    ${n.policy} on ${n.urn}: ${n.reason}`);
    }
    return lines;
}

export function renderPlan(document: PlanDocument, mode: { preview: boolean }): string {
    const { resources } = document;
    const lines = [
        `Offline plan of ${document.project}/${document.stack} (${mode.preview ? "preview: provider outputs unknown" : "first pulumi up, mocked provider outputs"})`,
        "",
    ];
    renderTree(childrenByParent(resources), null, "", lines);
    const components = resources.filter((r) => !r.custom).length;
    const remote = resources.filter((r) => r.remote).length;
    lines.push("", `Resources: ${resources.length} (${resources.length - components} custom, ${components} components of which ${remote} remote)`);
    lines.push(...countsByType(resources), "", ...renderPolicy(document), "", "Outputs:");
    for (const [key, value] of Object.entries(document.outputs)) lines.push(`  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
    return lines.join("\n");
}
