/**
 * Stack config as the Pulumi engine hands it to the program: every value a string (integers,
 * JSON objects and lists included), secret keys flagged. What is decoded wrong is a stack value
 * silently read wrong; what is reported wrong is a user who cannot find the key, or a secret
 * printed in clear. Also the README's config reference generator on schemas the project does not
 * have yet, the repository address runbook links default to, and the cost assumptions' merge.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadPlatformConfig, parsePlatformConfig, type RawConfigSource } from "../config";
import { resolveCostAssumptions } from "../config/costAssumptions";
import { configReferenceMarkdown } from "../config/reference";
import { repositoryFilesUrl } from "../config/repository";
import { loadStackConfig } from "../plan/stackConfig";
import { PROJECT_DIR } from "../plan/run";
import { configErrorOf, withConfig } from "./harness";

const dev = loadStackConfig(PROJECT_DIR, "dev");

/** The message the user sees when the stack is rejected (Pulumi prints a RunError's message alone). */
const rejection = (source: RawConfigSource): string => configErrorOf(source).message;

const RETENTION_RULE = "must be one of 30, 60, 90, 180, 365, 400, 731 (days; CloudWatch Logs retention periods of at least 30 days, for audit)";

describe("integer keys arrive as strings and are read only when they are decimal integers", () => {
    it("a decimal integer string is the number", () => {
        expect(parsePlatformConfig(withConfig({ controlPlaneLogRetentionDays: "365" })(dev)).controlPlaneLogRetentionDays).toBe(365);
        // YAML 1.2 reads 0365 as the integer 365 too.
        expect(parsePlatformConfig(withConfig({ controlPlaneLogRetentionDays: "0365" })(dev)).controlPlaneLogRetentionDays).toBe(365);
    });

    it.each(["9e1", "90.0", "about 90", "90 days"])("%s is not read as 90: the whole message names the key and shows the value as given", (raw) => {
        expect(rejection(withConfig({ controlPlaneLogRetentionDays: raw })(dev))).toBe(
            `Invalid configuration for stack "dev":\n  - eks-platform:controlPlaneLogRetentionDays = ${JSON.stringify(raw)}: ${RETENTION_RULE}`,
        );
    });

    it("every problem is one line of the message, under the stack's name", () => {
        const source = withConfig({ controlPlaneLogRetentionDays: "7", colour: "blue" })(dev);
        expect(rejection(source)).toBe(
            [
                'Invalid configuration for stack "dev":',
                `  - eks-platform:controlPlaneLogRetentionDays = 7: ${RETENTION_RULE}`,
                "  - eks-platform:colour: unknown key (the README lists every key)",
            ].join("\n"),
        );
    });
});

describe("structured keys arrive as JSON strings", () => {
    it("a plain word where a map belongs is reported by the schema with the value", () => {
        expect(rejection(withConfig({ tags: "team=platform" })(dev))).toBe(
            'Invalid configuration for stack "dev":\n  - eks-platform:tags = "team=platform": Invalid input: expected record, received string',
        );
    });

    it("a plain word with brackets inside is still a plain word, not broken JSON", () => {
        expect(rejection(withConfig({ tags: "team=platform [core]" })(dev))).toBe(
            'Invalid configuration for stack "dev":\n  - eks-platform:tags = "team=platform [core]": Invalid input: expected record, received string',
        );
    });

    it("broken JSON is named as such even after leading blanks (a YAML block scalar keeps them), and the key is not defaulted silently", () => {
        expect(rejection(withConfig({ tags: '  {"team": platform}' })(dev))).toBe('Invalid configuration for stack "dev":\n  - eks-platform:tags: is not valid JSON/YAML structure');
        expect(rejection(withConfig({ tags: "\n[team, platform" })(dev))).toBe('Invalid configuration for stack "dev":\n  - eks-platform:tags: is not valid JSON/YAML structure');
    });

    it("an unknown top-level key is named with the project, a nested one with its path", () => {
        const source = withConfig({ colour: "blue", network: { ...JSON.parse(dev.values["eks-platform:network"]), colour: "blue" } })(dev);
        expect(rejection(source)).toBe(
            [
                'Invalid configuration for stack "dev":',
                "  - eks-platform:network.colour: unknown key (the README lists every key)",
                "  - eks-platform:colour: unknown key (the README lists every key)",
            ].join("\n"),
        );
    });
});

describe("secrets are never shown, other values always are", () => {
    const userArn = "arn:aws:iam::111122223333:user/deployer";
    const badAccess = (source: RawConfigSource) => withConfig({ access: { ...JSON.parse(source.values["eks-platform:access"]), deployerRoleArn: userArn } })(source);
    const roleRule = "must be an IAM role ARN such as arn:aws:iam::123456789012:role/name";

    it("a source that flags no secrets (plan's callers, scripts) shows the value", () => {
        const { project, stack, values } = badAccess(dev);
        expect(rejection({ project, stack, values })).toBe(`Invalid configuration for stack "dev":\n  - eks-platform:access.deployerRoleArn = "${userArn}": ${roleRule}`);
    });

    it("loadPlatformConfig reads the engine's secret flags: a nested value of a secret key is hidden", async () => {
        await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs }, "eks-platform", "dev");
        const source = badAccess(dev);
        pulumi.runtime.setAllConfig(source.values, ["eks-platform:access"]);
        let message = "";
        try {
            loadPlatformConfig();
        } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            message = (error as Error).message;
        }
        expect(message).toBe(`Invalid configuration for stack "dev":\n  - eks-platform:access.deployerRoleArn = [secret]: ${roleRule}`);
        expect(message).not.toContain("user/deployer");

        pulumi.runtime.setAllConfig(dev.values, ["eks-platform:access"]);
        expect(loadPlatformConfig().access.deployerRoleArn).toBe("arn:aws:iam::111122223333:role/github-actions-deployer");
    });
});

describe("the README's config reference on schema shapes the stack schema does not have (yet)", () => {
    const table = (schema: z.ZodObject) => configReferenceMarkdown("demo", schema).split("\n").slice(2);

    it("a | or a line break in a description or default cannot break the table", () => {
        const schema = z.strictObject({
            separator: z.string().default("a|b").describe("Splits on | between\nfields."),
        });
        expect(table(schema)).toEqual(["| `aws:region` | string | yes |  | AWS region to deploy to (e.g. `eu-west-1`). |", '| `demo:separator` | string |  | `"a\\|b"` | Splits on \\| between fields. |']);
    });

    it("an undescribed key has an empty description, an untyped one is `any`, a list of untyped items `list of any`", () => {
        const schema = z.strictObject({ anything: z.unknown(), things: z.array(z.unknown()).describe("Things.") });
        expect(table(schema).slice(1)).toEqual(["| `demo:anything` | any | yes |  |  |", "| `demo:things` | list of any | yes |  | Things. |"]);
    });

    it("a one-of of plain values is one row of alternatives, not an empty set of modes", () => {
        const schema = z.strictObject({ size: z.xor([z.string(), z.number()]).describe("A name or a number.") });
        expect(table(schema).slice(1)).toEqual(["| `demo:size` | string \\| number | yes |  | A name or a number. |"]);
    });

    it("a union told apart by a key other than `mode` lists each variant's keys under the key itself", () => {
        const schema = z.strictObject({
            backend: z
                .discriminatedUnion("kind", [z.strictObject({ kind: z.literal("s3"), bucket: z.string().describe("Bucket name.") }), z.strictObject({ kind: z.literal("local"), path: z.string().describe("Directory.") })])
                .describe("Where backups go."),
        });
        expect(table(schema).slice(1)).toEqual([
            "| `demo:backend` | one of the modes below | yes |  | Where backups go. |",
            "| `demo:backend.kind` | `s3` | yes |  |  |",
            "| `demo:backend.bucket` | string | yes |  | Bucket name. |",
            "| `demo:backend.kind` | `local` | yes |  |  |",
            "| `demo:backend.path` | string | yes |  | Directory. |",
        ]);
    });

    it("a described list entry gets its own row, required: an entry is given whole", () => {
        const schema = z.strictObject({
            targets: z
                .array(z.strictObject({ host: z.string().describe("Host name."), port: z.number().int().min(1).max(65535).optional().describe("Port.") }).describe("One scrape target."))
                .default([])
                .describe("Scrape targets."),
        });
        expect(table(schema).slice(1)).toEqual([
            "| `demo:targets` | list of objects |  | `[]` | Scrape targets. |",
            "| `demo:targets[]` | object | yes |  | One scrape target. |",
            "| `demo:targets[].host` | string | yes |  | Host name. |",
            "| `demo:targets[].port` | integer (≥ 1, ≤ 65535) |  |  | Port. |",
        ]);
    });
});

describe("runbook links default to the repository's files, from package.json `repository` (npm's shapes)", () => {
    it.each([
        ["a shorthand string", "https://github.com/acme/eks-platform", "https://github.com/acme/eks-platform/blob/main/"],
        ["a string with .git", "https://github.com/acme/eks-platform.git", "https://github.com/acme/eks-platform/blob/main/"],
        ["an object with git+https and .git", { type: "git", url: "git+https://github.com/acme/eks-platform.git" }, "https://github.com/acme/eks-platform/blob/main/"],
        ["a monorepo directory", { type: "git", url: "https://github.com/acme/infra.git", directory: "platform/eks" }, "https://github.com/acme/infra/blob/main/platform/eks/"],
        ["a directory written with slashes around it", { type: "git", url: "https://github.com/acme/infra", directory: "/platform/eks/" }, "https://github.com/acme/infra/blob/main/platform/eks/"],
    ])("%s", (_, repository, expected) => {
        expect(repositoryFilesUrl({ repository })).toBe(expected);
    });

    it.each([
        ["no repository", {}],
        ["an object without url", { repository: { type: "git" } }],
        ["an ssh address (no web page to link)", { repository: "git@github.com:acme/eks-platform.git" }],
        ["a host without owner and name", { repository: "https://github.com/acme" }],
    ])("%s gives no default (the key is then required)", (_, pkg) => {
        expect(repositoryFilesUrl(pkg)).toBeUndefined();
    });

    it("an https address behind another version control system's prefix gives no default: /blob/main/ is a git host's path", () => {
        expect(repositoryFilesUrl({ repository: { type: "svn", url: "svn+https://svn.example.com/acme/eks-platform" } })).toBeUndefined();
    });

    it("this project's own package.json makes the committed dev stack's runbook links point into acme/eks-platform on main", () => {
        expect(parsePlatformConfig(dev).addons.monitoring.runbookBaseUrl).toBe("https://github.com/acme/eks-platform/blob/main/");
    });
});

describe("cost assumptions: the stack's figures over its environment class's defaults", () => {
    it("a key passed as undefined is not set in the stack: the default is used and is not reported as the stack's", () => {
        expect(resolveCostAssumptions("staging", { backupGiB: undefined, flowLogGiBPerMonth: 12 })).toEqual({
            controlPlaneLogGiBPerMonth: 15,
            flowLogGiBPerMonth: 12,
            backupGiB: 100,
            natProcessedGiBPerGatewayMonth: 50,
            environmentDefaults: "staging",
            setInStack: ["flowLogGiBPerMonth"],
        });
    });
});
