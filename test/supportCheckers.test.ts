/**
 * The offline checkers themselves: JSON Schema drafts for chart values schemas, and RE2 (the
 * API server's regex dialect) in CRD `pattern`s and CEL rules.
 */
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { CRD_AJV_OPTIONS, celRuleHolds, re2RegExp, re2ToJs } from "./support/crdSchema";
import { valuesSchemaErrors } from "./support/helmValues";

describe("valuesSchemaErrors picks the validator by $schema", () => {
    // prefixItems exists only from draft 2020-12 on: draft-07 ignores it.
    const tuple = { type: "object", properties: { pair: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }] } } };
    const bad = { pair: ["a", "not an integer"] };

    it("draft 2020-12 keywords are enforced when the schema declares 2020-12", () => {
        const schema = { $schema: "https://json-schema.org/draft/2020-12/schema", ...tuple };
        expect(valuesSchemaErrors(bad, schema).join("\n")).toMatch(/\/pair\/1 must be integer/);
        expect(valuesSchemaErrors({ pair: ["a", 1] }, schema)).toEqual([]);
    });

    it("schemas declaring draft-07, or nothing, are evaluated as draft-07", () => {
        expect(valuesSchemaErrors(bad, { $schema: "http://json-schema.org/draft-07/schema#", ...tuple })).toEqual([]);
        expect(valuesSchemaErrors(bad, tuple)).toEqual([]);
        expect(valuesSchemaErrors({ pair: "x" }, tuple).join("\n")).toMatch(/must be array/);
    });
});

describe("RE2 inline flags", () => {
    it("become RegExp flags where they apply to the whole pattern", () => {
        expect(re2ToJs("^(?i)(abort|warn)?$")).toEqual({ source: "^(abort|warn)?$", flags: "i" });
        expect(re2ToJs("(?is)a.b")).toEqual({ source: "a.b", flags: "is" });
        expect(re2ToJs("(?m)^a$")).toEqual({ source: "^a$", flags: "m" });
        expect(re2ToJs("(?P<name>x)")).toEqual({ source: "(?<name>x)", flags: "" });
        // Escaped parentheses and character classes are not flag groups.
        expect(re2ToJs("\\(?i\\)[(?i)]")).toEqual({ source: "\\(?i\\)[(?i)]", flags: "" });
        expect(re2RegExp("^(?i)(abort|warn)?$").test("WARN")).toBe(true);
    });

    it("refuse what RegExp cannot mean the same way", () => {
        for (const pattern of ["a(?i)b", "(a(?i)b)", "(?i:a)b", "(?U)a+", "(?-i)a", "^(?m)a"]) expect(() => re2ToJs(pattern), pattern).toThrow(/no JavaScript RegExp equivalent/);
    });

    it("apply to CRD patterns compiled by ajv", () => {
        const validate = new Ajv(CRD_AJV_OPTIONS).compile({ type: "string", pattern: "^(?i)(abort|warn)?$" });
        expect(["warn", "ABORT", ""].map((v) => validate(v))).toEqual([true, true, true]);
        expect(validate("ignore")).toBe(false);
    });

    it("apply in CEL matches(), find() and findAll()", () => {
        expect(celRuleHolds("self.matches('(?i)^abc$')", "ABC")).toBe(true);
        expect(celRuleHolds("matches(self, '(?i)^abc$')", "aBc")).toBe(true);
        expect(celRuleHolds("self.matches('^abc$')", "ABC")).toBe(false);
        expect(celRuleHolds("self.find('(?i)b+') == 'Bb'", "aBbc")).toBe(true);
        expect(celRuleHolds("self.findAll('(?i)a') == ['a', 'A']", "aA")).toBe(true);
    });
});
