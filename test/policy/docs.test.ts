// docs/policies.md is generated from the policy metadata; this fails when someone changes a
// policy without regenerating it (`npx tsx policy/tools/policies-doc.ts`).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allPolicies } from "../../policy/policies";
import { policiesDocPath, renderPoliciesDoc } from "../../policy/tools/policies-doc";

describe("docs/policies.md", () => {
    it("is up to date with the policy metadata", () => {
        expect(readFileSync(policiesDocPath, "utf8")).toBe(renderPoliciesDoc());
    });

    it("lists every policy", () => {
        const doc = renderPoliciesDoc();
        for (const policy of allPolicies) expect(doc).toContain(`| \`${policy.name}\` |`);
    });
});
