/**
 * A Mermaid diagram of the components and their dependencies, drawn from the recorded
 * resources: an edge A --> B means something in A waits for something in B.
 */
import { ResourceGraph } from "./graph";
import type { PlanDocument, PlanResourceDocument } from "./index";

function nodeId(index: number): string {
    return `c${index}`;
}

function label(component: PlanResourceDocument): string {
    const type = component.type.split(":").pop() ?? component.type;
    const marker = component.remote ? " (remote)" : "";
    return `${component.name}<br/><small>${type}${marker}</small>`.replace(/"/g, "'");
}

/** Only top-level components and their direct sub-components, so the picture stays readable. */
function diagramComponents(graph: ResourceGraph): PlanResourceDocument[] {
    return graph.resources.filter((r) => {
        if (r.custom) return false;
        const parent = r.parent ? graph.byUrn.get(r.parent) : undefined;
        return !parent || !parent.parent || !graph.byUrn.has(parent.parent);
    });
}

export function renderMermaid(document: PlanDocument): string {
    const graph = new ResourceGraph(document.resources);
    const components = diagramComponents(graph).sort((a, b) => a.urn.localeCompare(b.urn));
    const index = new Map(components.map((c, i) => [c.urn, i]));
    const shown = (resource: PlanResourceDocument): PlanResourceDocument | undefined => {
        let current: PlanResourceDocument | undefined = resource;
        while (current && !index.has(current.urn)) current = current.parent ? graph.byUrn.get(current.parent) : undefined;
        return current;
    };
    const edges = new Set<string>();
    for (const resource of document.resources) {
        const from = shown(resource);
        if (!from) continue;
        for (const dependency of graph.effectiveDependencies(resource)) {
            const to = shown(graph.byUrn.get(dependency)!);
            if (to && to.urn !== from.urn && !graph.subtree(to.urn).includes(from.urn) && !graph.subtree(from.urn).includes(to.urn)) {
                edges.add(`    ${nodeId(index.get(from.urn)!)} --> ${nodeId(index.get(to.urn)!)}`);
            }
        }
    }
    const lines = ["flowchart LR"];
    const topLevel = components.filter((c) => !c.parent || !index.has(c.parent));
    for (const component of topLevel) {
        const inner = components.filter((c) => c.parent === component.urn);
        if (inner.length === 0) {
            lines.push(`    ${nodeId(index.get(component.urn)!)}["${label(component)}"]`);
            continue;
        }
        lines.push(`    subgraph ${nodeId(index.get(component.urn)!)}["${label(component)}"]`);
        for (const child of inner) lines.push(`        ${nodeId(index.get(child.urn)!)}["${label(child)}"]`);
        lines.push("    end");
    }
    lines.push(...[...edges].sort());
    return lines.join("\n");
}
