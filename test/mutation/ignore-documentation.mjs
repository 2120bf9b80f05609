// @ts-check
// A Stryker ignorer (`ignorers: ["documentation"]` in stryker.config.mjs): leaves prose alone.
// Descriptions, remediation text and framework citations of the policies, the reasons of the
// environment levels, and the config schema's descriptions are documentation: the docs tests
// compare them with docs/policies.md and the README's config reference, and a changed word is
// no security hole. Mutating each of them would cost a test run apiece for nothing. Logic next to
// them (an `appliesTo` predicate, a message a user acts on) is still mutated.
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

/** Object keys whose string value is prose. */
const PROSE_KEYS = new Set(["description", "remediation", "appliesTo", "reason"]);
/** policy/lib/frameworks.ts: a citation of a framework item. */
const CITATIONS = new Set(["pss", "cisEks", "nsaCisa", "awsFsbp", "eksBestPractices", "checkov", "prowler"]);

/** @param {any} node */
const isText = (node) => node?.type === "StringLiteral" || node?.type === "TemplateLiteral";
/** @param {any} key */
const keyName = (key) => (key?.type === "Identifier" ? key.name : key?.type === "StringLiteral" ? key.value : undefined);

export const strykerPlugins = [
    declareValuePlugin(PluginKind.Ignore, "documentation", {
        /** @param {any} path a Babel NodePath */
        shouldIgnore(path) {
            const node = path.node;
            if (node.type === "ObjectProperty" && PROSE_KEYS.has(keyName(node.key) ?? "") && isText(node.value)) return "prose (docs tests compare it with the documentation)";
            if (node.type === "CallExpression" && node.callee.type === "Identifier" && CITATIONS.has(node.callee.name)) return "framework citation (prose)";
            // The text argument of zod's `.describe("...")` only, never the schema it is called on.
            const parent = path.parentPath?.node;
            if (isText(node) && parent?.type === "CallExpression" && parent.callee.type === "MemberExpression" && keyName(parent.callee.property) === "describe") {
                return "config schema description (prose, generated into the README)";
            }
            return undefined;
        },
    }),
];
