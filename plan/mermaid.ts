/**
 * A Mermaid diagram of the components and their dependencies, drawn from the recorded
 * resources: an edge A --> B means something in A waits for something in B (a dependency or
 * its provider).
 *
 * To stay readable it shows the top-level components, each with its direct sub-components
 * inside (siblings of one type collapsed into one node), and draws edges between top-level
 * components only: an edge points at a sub-component when that is all the source waits for in
 * the target, and edges implied by others (A --> B --> C makes A --> C redundant) are left out.
 * Remote components (opaque offline: their children exist only in the real engine) are dashed.
 */
import { ResourceGraph } from "./graph";
import type { PlanDocument, PlanResourceDocument } from "./index";

/** Siblings of one type at least this many are drawn as one node. */
const COLLAPSE_AT = 3;

interface DiagramNode {
    id: string;
    /** The recorded components this node stands for (several when collapsed). */
    members: PlanResourceDocument[];
    /** The top-level node it sits in, or undefined for a top-level component. */
    top?: DiagramNode;
}

function typeName(component: PlanResourceDocument): string {
    return component.type.split(":").pop() ?? component.type;
}

function commonPrefix(names: string[]): string {
    let prefix = names[0] ?? "";
    for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
    return prefix;
}

function label(node: DiagramNode): string {
    const [first] = node.members;
    const marker = first.remote ? " (remote)" : "";
    const text =
        node.members.length === 1
            ? `${first.name}<br/><small>${typeName(first)}${marker}</small>`
            : `${commonPrefix(node.members.map((m) => m.name))}*<br/><small>${node.members.length} × ${typeName(first)}${marker}</small>`;
    return text.replace(/"/g, "'");
}

function isTopLevel(graph: ResourceGraph, resource: PlanResourceDocument): boolean {
    const parent = resource.parent ? graph.byUrn.get(resource.parent) : undefined;
    return !parent; // the root stack resource is not recorded: its children are top-level
}

export function renderMermaid(document: PlanDocument): string {
    const graph = new ResourceGraph(document.resources);
    const components = document.resources.filter((r) => !r.custom).sort((a, b) => a.urn.localeCompare(b.urn));
    const tops = components.filter((c) => isTopLevel(graph, c));

    // Nodes: top-level components, and their direct sub-components (same-type siblings collapsed).
    let counter = 0;
    const nodeOf = new Map<string, DiagramNode>();
    const topNodes: DiagramNode[] = [];
    const inner = new Map<DiagramNode, DiagramNode[]>();
    for (const top of tops) {
        const topNode: DiagramNode = { id: `c${counter++}`, members: [top] };
        topNodes.push(topNode);
        nodeOf.set(top.urn, topNode);
        const children = graph.childrenOf(top.urn).filter((c) => !c.custom).sort((a, b) => a.urn.localeCompare(b.urn));
        const byType = new Map<string, PlanResourceDocument[]>();
        for (const child of children) byType.set(child.type, [...(byType.get(child.type) ?? []), child]);
        const nodes: DiagramNode[] = [];
        for (const child of children) {
            if (nodeOf.has(child.urn)) continue;
            const siblings = byType.get(child.type)!;
            const members = siblings.length >= COLLAPSE_AT ? siblings : [child];
            const node: DiagramNode = { id: `c${counter++}`, members, top: topNode };
            for (const member of members) nodeOf.set(member.urn, node);
            nodes.push(node);
        }
        inner.set(topNode, nodes);
    }

    /** The diagram node a resource belongs to: its own, or its nearest shown ancestor's. */
    const shownCache = new Map<string, DiagramNode | undefined>();
    const shown = (urn: string): DiagramNode | undefined => {
        if (shownCache.has(urn)) return shownCache.get(urn);
        const resource = graph.byUrn.get(urn);
        const node = nodeOf.get(urn) ?? (resource?.parent ? shown(resource.parent) : undefined);
        shownCache.set(urn, node);
        return node;
    };
    const topOf = (node: DiagramNode): DiagramNode => node.top ?? node;

    // What each top-level component waits for in each other one: the nodes reached there.
    const waits = new Map<DiagramNode, Map<DiagramNode, Set<DiagramNode>>>();
    for (const resource of document.resources) {
        const from = shown(resource.urn);
        if (!from) continue;
        const source = topOf(from);
        // A resource also waits for its provider (the Kubernetes provider needs the cluster).
        const dependencies = [...graph.effectiveDependencies(resource), ...(resource.provider ? [resource.provider] : [])];
        for (const dependency of dependencies) {
            const to = shown(dependency);
            if (!to || topOf(to) === source) continue;
            const targets = waits.get(source) ?? new Map<DiagramNode, Set<DiagramNode>>();
            waits.set(source, targets);
            const reached = targets.get(topOf(to)) ?? new Set<DiagramNode>();
            targets.set(topOf(to), reached);
            reached.add(to);
        }
    }
    // One edge per pair: to the sub-component if it is the only thing waited for there.
    const edges = new Map<DiagramNode, Set<DiagramNode>>();
    for (const [source, targets] of waits) {
        const set = new Set<DiagramNode>();
        for (const [target, reached] of targets) {
            const only = reached.size === 1 ? [...reached][0] : undefined;
            set.add(only && only.top ? only : target);
        }
        edges.set(source, set);
    }
    // Transitive reduction: A --> X is implied when A reaches X (or X's top-level) another way.
    const reaches = (start: DiagramNode, skip: DiagramNode): Set<DiagramNode> => {
        const seen = new Set<DiagramNode>();
        const queue = [...(edges.get(start) ?? [])].filter((n) => n !== skip);
        while (queue.length > 0) {
            const node = queue.shift()!;
            if (seen.has(node)) continue;
            seen.add(node);
            queue.push(...(edges.get(topOf(node)) ?? []));
        }
        return seen;
    };
    const lines = ["flowchart LR"];
    for (const top of topNodes) {
        const nodes = inner.get(top) ?? [];
        if (nodes.length === 0) {
            lines.push(`    ${top.id}["${label(top)}"]`);
            continue;
        }
        lines.push(`    subgraph ${top.id}["${label(top)}"]`);
        for (const node of nodes) lines.push(`        ${node.id}["${label(node)}"]`);
        lines.push("    end");
    }
    const edgeLines: string[] = [];
    for (const [source, targets] of edges) {
        for (const target of targets) {
            const others = reaches(source, target);
            if (others.has(target) || (target.top && others.has(target.top))) continue;
            edgeLines.push(`    ${source.id} --> ${target.id}`);
        }
    }
    lines.push(...edgeLines.sort((a, b) => a.localeCompare(b, "en", { numeric: true })));
    const remote = [...new Set(nodeOf.values())].filter((n) => n.members[0].remote).map((n) => n.id);
    if (remote.length > 0) {
        lines.push("    classDef remote stroke-dasharray: 5 5");
        lines.push(`    class ${remote.sort((a, b) => a.localeCompare(b, "en", { numeric: true })).join(",")} remote`);
    }
    return lines.join("\n");
}
