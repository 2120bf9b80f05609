/**
 * The recorded resources as a graph: which resource waits for which, as the engine would
 * schedule them. A dependency on a component means a dependency on everything inside it.
 */
import type { PlanResourceDocument } from "./index";

export class ResourceGraph {
    readonly byUrn = new Map<string, PlanResourceDocument>();
    private readonly children = new Map<string, PlanResourceDocument[]>();
    private readonly expandedCache = new Map<string, string[]>();

    constructor(readonly resources: PlanResourceDocument[]) {
        for (const resource of resources) this.byUrn.set(resource.urn, resource);
        for (const resource of resources) {
            if (resource.parent && this.byUrn.has(resource.parent)) {
                const siblings = this.children.get(resource.parent);
                if (siblings) siblings.push(resource);
                else this.children.set(resource.parent, [resource]);
            }
        }
    }

    childrenOf(urn: string): PlanResourceDocument[] {
        return this.children.get(urn) ?? [];
    }

    /** The resource and everything below it in the component tree. */
    subtree(urn: string): string[] {
        const cached = this.expandedCache.get(urn);
        if (cached) return cached;
        const result = [urn, ...this.childrenOf(urn).flatMap((child) => this.subtree(child.urn))];
        this.expandedCache.set(urn, result);
        return result;
    }

    /** What `resource` really waits for: its dependencies, components expanded to their contents. */
    effectiveDependencies(resource: PlanResourceDocument): string[] {
        const result = new Set<string>();
        for (const dependency of resource.dependencies) {
            const target = this.byUrn.get(dependency);
            if (!target) continue;
            for (const urn of target.custom ? [dependency] : this.subtree(dependency)) result.add(urn);
        }
        result.delete(resource.urn);
        return [...result];
    }

    /** The nearest enclosing component (or the resource itself if it is one). */
    componentOf(resource: PlanResourceDocument): PlanResourceDocument | undefined {
        let current: PlanResourceDocument | undefined = resource.custom ? (resource.parent ? this.byUrn.get(resource.parent) : undefined) : resource;
        while (current && current.custom) current = current.parent ? this.byUrn.get(current.parent) : undefined;
        return current;
    }
}
