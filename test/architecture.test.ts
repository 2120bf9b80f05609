/**
 * docs/architecture.md holds the Mermaid diagram of the prod plan (plan/mermaid.ts); it must be
 * the one the current program draws. Regenerate with `npm run docs`.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ARCHITECTURE_DOC, ARCHITECTURE_END, ARCHITECTURE_START, architectureDiagram, withArchitectureDiagram } from "../scripts/docs";

let committed: string;
let diagram: string;

beforeAll(async () => {
    committed = readFileSync(ARCHITECTURE_DOC, "utf8");
    diagram = await architectureDiagram();
});

describe("docs/architecture.md", () => {
    it("holds the diagram the prod plan draws now (run `npm run docs`)", () => {
        expect(committed).toContain(ARCHITECTURE_START);
        expect(committed).toContain(ARCHITECTURE_END);
        expect(committed).toBe(withArchitectureDiagram(committed, diagram));
    });

    it("the diagram stays readable: top-level components with edges between them, remote ones marked", () => {
        const lines = diagram.split("\n");
        expect(lines[0]).toBe("flowchart LR");
        const nodes = lines.filter((l) => /^\s+c\d+\[/.test(l) || /^\s+subgraph /.test(l));
        const edges = lines.filter((l) => / --> /.test(l));
        expect(nodes.length).toBeLessThanOrEqual(40);
        expect(edges.length).toBeLessThanOrEqual(40);
        for (const component of ["network", "cluster", "node-addons", "system-addons", "baseline", "karpenter", "external-secrets", "velero", "trivy-operator", "monitoring"]) {
            expect(diagram, component).toMatch(new RegExp(`\\["${component}<br/>`));
        }
        expect(diagram).toMatch(/class [c\d,]+ remote/);
    });
});
