import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { SCALAR_KEYS, stackConfigSchema } from "../config/schema";
import { README, withConfigReference } from "../scripts/docs";

const ROOT = join(__dirname, "..");

describe("documentation generated from the config schema", () => {
    it("the README's config reference is the one the schema generates (run `npm run docs`)", () => {
        const readme = readFileSync(README, "utf8");
        expect(readme).toBe(withConfigReference(readme));
    });

    it("names every top-level key of the schema", () => {
        const readme = readFileSync(README, "utf8");
        for (const key of Object.keys(stackConfigSchema.shape)) expect(readme).toContain(`\`eks-platform:${key}`);
    });
});

describe("Pulumi.yaml declares every scalar key as the schema does", () => {
    const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));
    const declared = project.config as Record<string, { type: string; description?: string; default?: unknown }>;
    const schema = z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as {
        properties: Record<string, { default?: unknown }>;
    };

    it("the same keys, no more and no fewer", () => {
        expect(Object.keys(declared).sort()).toEqual(Object.keys(SCALAR_KEYS).map((k) => `eks-platform:${k}`).sort());
    });

    it.each(Object.entries(SCALAR_KEYS))("%s: same type, a description, and the schema's default", (key, type) => {
        const declaration = declared[`eks-platform:${key}`];
        expect(declaration.type).toBe(type);
        expect(declaration.description?.length ?? 0).toBeGreaterThan(10);
        const schemaDefault = schema.properties[key].default;
        if (schemaDefault !== undefined) expect(declaration.default).toEqual(schemaDefault);
    });

    it("the runtime is TypeScript on Node.js", () => {
        expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true } });
    });
});
