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
        // Both ways: a Pulumi.yaml default the schema lacks makes the README call the key required when it is not.
        expect(declaration.default).toEqual(schema.properties[key].default);
    });

    it.each(Object.entries(SCALAR_KEYS))("%s: the README's required and default columns say what Pulumi.yaml and the schema do", (key) => {
        const declaration = declared[`eks-platform:${key}`];
        const row = readFileSync(README, "utf8")
            .split("\n")
            .find((line) => line.startsWith(`| \`eks-platform:${key}\` |`));
        const [, , , required, defaultCell] = row!.split(/(?<!\\)\|/).map((cell) => cell.trim());
        if (declaration.default !== undefined) expect(required.trim(), "a key Pulumi.yaml defaults is not required").toBe("");
        expect(defaultCell.trim()).toBe(declaration.default === undefined ? "" : `\`${JSON.stringify(declaration.default)}\``);
    });

    it("the runtime is TypeScript on Node.js", () => {
        expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true } });
    });
});
