/**
 * The stack config's cross-field rules, its "did you mean" suggestions and the key lookup behind
 * them, each on the committed dev or prod stack with one key changed: the rejected value is named
 * with its key and the reason, and the value at the rule's boundary is accepted.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parsePlatformConfig, type PlatformConfig, type RawConfigSource } from "../config";
import { knownKeysAt } from "../config/keys";
import { stackConfigSchema } from "../config/schema";
import { didYouMean, nearestName } from "../config/suggest";
import { loadStackConfig } from "../plan/stackConfig";
import { PROJECT_DIR } from "../plan/run";
import { configErrorOf, configValue, updateConfig, withConfig } from "./harness";

const dev = loadStackConfig(PROJECT_DIR, "dev");
const prod = loadStackConfig(PROJECT_DIR, "prod");

/** Every problem the config is rejected with; fails the test if it is accepted. */
const rejection = (source: RawConfigSource): string[] => configErrorOf(source).problems;

/** The parsed config; fails the test with the problems if it is rejected. */
function accepted(source: RawConfigSource): PlatformConfig {
    try {
        return parsePlatformConfig(source);
    } catch (error) {
        throw new Error(`expected the config to be accepted, got:\n${((error as ConfigError).problems ?? [String(error)]).join("\n")}`);
    }
}

type Group = { minSize: number; maxSize: number; desiredSize: number };

/** The stack with node group `index` resized. */
function resized(source: RawConfigSource, index: number, sizes: Partial<Group>): RawConfigSource {
    return updateConfig<Group[]>("nodeGroups", (groups) => groups.map((group, i) => (i === index ? { ...group, ...sizes } : group)))(source);
}

/** The stack with `addons.velero` merged with `velero`. */
function withVelero(source: RawConfigSource, velero: Record<string, unknown>): RawConfigSource {
    return updateConfig<Record<string, Record<string, unknown>>>("addons", (addons) => ({ ...addons, velero: { ...addons.velero, ...velero } }))(source);
}

/** The stack as read from its stack file with `kubernetesVersion: <literal>` written unquoted. */
function withUnquotedVersion(stack: string, literal: string): RawConfigSource {
    const dir = mkdtempSync(join(tmpdir(), "config-schema-"));
    copyFileSync(join(PROJECT_DIR, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    const yaml = readFileSync(join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), yaml.replace(/kubernetesVersion: "[\d.]+"/, `kubernetesVersion: ${literal}`));
    return loadStackConfig(dir, stack);
}

describe("prod must survive the loss of one AZ and one node", () => {
    it("a prod VPC over two AZs is refused at network.azCount; three are accepted", () => {
        const twoZones = updateConfig("network", (network) => ({
            ...network,
            azCount: 2,
            privateSubnetCidrs: ["10.40.0.0/19", "10.40.32.0/19"],
            publicSubnetCidrs: ["10.40.192.0/22", "10.40.196.0/22"],
        }))(prod);
        expect(rejection(twoZones)).toEqual(["eks-platform:network.azCount = 2: must be at least 3 in prod"]);
        expect(accepted(prod).network).toMatchObject({ mode: "managed", azCount: 3 });
    });

    it("a prod node group of minSize 1 is refused; minSize 2 is enough", () => {
        expect(rejection(resized(prod, 0, { minSize: 1, desiredSize: 1 }))).toEqual([
            "eks-platform:nodeGroups[0].minSize = 1: must be at least 2 in prod (one node must be able to fail)",
        ]);
        expect(accepted(resized(prod, 0, { minSize: 2, desiredSize: 2 })).nodeGroups[0]).toMatchObject({ role: "system", minSize: 2, desiredSize: 2 });
    });
});

describe("node group sizes: minSize <= desiredSize <= maxSize", () => {
    it("minSize above maxSize is refused, and desiredSize then below minSize too", () => {
        expect(rejection(resized(dev, 0, { minSize: 3, maxSize: 2, desiredSize: 2 }))).toEqual([
            "eks-platform:nodeGroups[0].minSize = 3: (3) must not exceed maxSize (2)",
            "eks-platform:nodeGroups[0].desiredSize = 2: (2) must lie between minSize (3) and maxSize (2)",
        ]);
    });

    it("a desiredSize below minSize is refused", () => {
        expect(rejection(resized(dev, 1, { desiredSize: 0 }))).toEqual([
            "eks-platform:nodeGroups[1].desiredSize = 0: (0) must lie between minSize (1) and maxSize (3)",
        ]);
    });

    it("the bounds are inclusive: a fixed-size group (min = desired = max) and desiredSize at maxSize are accepted", () => {
        expect(accepted(resized(dev, 0, { minSize: 2, maxSize: 2, desiredSize: 2 })).nodeGroups[0]).toMatchObject({ minSize: 2, maxSize: 2, desiredSize: 2 });
        expect(accepted(resized(dev, 1, { desiredSize: 3 })).nodeGroups[1]).toMatchObject({ minSize: 1, maxSize: 3, desiredSize: 3 });
    });
});

describe("the API server endpoint", () => {
    it("publicAccessCidrs on a private endpoint is refused (it would look like an allow-list that does nothing)", () => {
        expect(rejection(withConfig({ endpoint: { publicAccess: false, publicAccessCidrs: ["203.0.113.0/24"] } })(prod))).toEqual([
            'eks-platform:endpoint.publicAccessCidrs = ["203.0.113.0/24"]: is set but publicAccess is false; remove it or enable publicAccess',
        ]);
        expect(accepted(withConfig({ endpoint: { publicAccess: false, publicAccessCidrs: [] } })(prod)).endpoint).toEqual({ publicAccess: false, publicAccessCidrs: [] });
    });

    it("0.0.0.0/0 next to a narrow CIDR is refused once, for itself, not again as CIDRs that together cover everything", () => {
        expect(rejection(withConfig({ endpoint: { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0", "198.51.100.17/32"] } })(dev))).toEqual([
            'eks-platform:endpoint.publicAccessCidrs[0] = "0.0.0.0/0": opens the API server to the whole internet; list your office/VPN CIDRs instead',
        ]);
    });
});

describe("Velero Object Lock: COMPLIANCE only in prod", () => {
    const complianceMessage =
        "COMPLIANCE retention cannot be shortened by anyone: `pulumi destroy` of this non-production stack could not empty the backup bucket until every backup's retention ends; use GOVERNANCE outside prod";

    it("COMPLIANCE in dev is refused at addons.velero.objectLock.mode", () => {
        expect(rejection(withVelero(dev, { objectLock: { enabled: true, mode: "COMPLIANCE" } }))).toEqual([
            `eks-platform:addons.velero.objectLock.mode = "COMPLIANCE": ${complianceMessage}`,
        ]);
    });

    it("COMPLIANCE in prod is accepted", () => {
        expect(accepted(withVelero(prod, { objectLock: { enabled: true, mode: "COMPLIANCE", retentionDays: 30 } })).addons.velero.objectLock).toMatchObject({
            enabled: true,
            mode: "COMPLIANCE",
        });
    });

    it("COMPLIANCE in dev is accepted while it locks nothing: Object Lock off, or Velero off", () => {
        expect(accepted(withVelero(dev, { objectLock: { enabled: false, mode: "COMPLIANCE" } })).addons.velero.objectLock).toMatchObject({ enabled: false });
        expect(accepted(withVelero(dev, { enabled: false, objectLock: { enabled: true, mode: "COMPLIANCE" } })).addons.velero.enabled).toBe(false);
    });

    it("an empty backup ttl is refused (it would match the duration pattern); the shortest duration is accepted", () => {
        expect(rejection(withVelero(dev, { ttl: "" }))).toEqual(['eks-platform:addons.velero.ttl = "": must not be empty']);
        expect(accepted(withVelero(dev, { ttl: "1s" })).addons.velero.ttl).toBe("1s");
    });
});

describe("External Secrets may serve only the stack's tenant namespaces", () => {
    it("only the namespace that is not a tenant is named", () => {
        const addons = { ...configValue(dev, "addons"), externalSecrets: { allowedNamespaces: ["payments", "ghost"] } };
        expect(rejection(withConfig({ addons })(dev))).toEqual([
            'eks-platform:addons.externalSecrets.allowedNamespaces[1] = "ghost": "ghost" is not a tenant namespace of this stack',
        ]);
    });

    it("a subset of the tenants is accepted", () => {
        const addons = { ...configValue(dev, "addons"), externalSecrets: { allowedNamespaces: ["database"] } };
        expect(accepted(withConfig({ addons })(dev)).externalSecrets.allowedNamespaces).toEqual(["database"]);
    });
});

describe("a deploy runner inside the VPC", () => {
    it("names every GitHub-hosted label it was given, comma-separated", () => {
        const runner = { labels: ["ubuntu-24.04", "self-hosted", "macos-14"], network: "vpc", sourceCidrs: ["10.250.0.0/24"] };
        expect(rejection(withConfig({ deployRunner: runner })(prod))).toEqual([
            'eks-platform:deployRunner.labels = ["ubuntu-24.04","self-hosted","macos-14"]: ubuntu-24.04, macos-14 is a GitHub-hosted runner, never inside your VPC; use your self-hosted runner\'s labels',
        ]);
    });
});

describe("kubernetesVersion written unquoted in the stack file", () => {
    const supported = 'Invalid option: expected one of "1.32"|"1.33"|"1.34"|"1.35"';

    it("a two-digit major read as a YAML number (11.30 -> 11.3) still gets the quoting advice", () => {
        expect(rejection(withUnquotedVersion("dev", "11.30"))).toEqual([
            'eks-platform:kubernetesVersion = "11.3": must be quoted in the stack file: YAML reads an unquoted version such as 11.30 as the number 11.3 (write kubernetesVersion: "11.30"); supported: "1.32", "1.33", "1.34", "1.35"',
        ]);
    });

    it("a patch version (1.34.2) is a string to YAML: no quoting advice, the supported versions instead", () => {
        expect(rejection(withUnquotedVersion("dev", "1.34.2"))).toEqual([`eks-platform:kubernetesVersion = "1.34.2": ${supported}`]);
        expect(rejection(withUnquotedVersion("dev", "v1.3"))).toEqual([`eks-platform:kubernetesVersion = "v1.3": ${supported}`]);
    });
});

describe("did you mean: an unknown key gets the nearest key allowed at its place", () => {
    const unknown = (where: string, suggestion?: string) =>
        `eks-platform:${where}: unknown key${suggestion ? `; did you mean \`${suggestion}\`?` : ""} (the README lists every key)`;

    it("the same name in another case, however many letters differ", () => {
        expect(rejection(withConfig({ KUBERNETESVERSION: "1.35" })(dev))).toEqual([unknown("KUBERNETESVERSION", "kubernetesVersion")]);
    });

    it("two swapped letters in a short key (2 edits, the least ever allowed)", () => {
        expect(rejection(withConfig({ tgas: { team: "x" } })(dev))).toEqual([unknown("tgas", "tags")]);
    });

    it("a long key may be a third of its length away (controlPlaneLogRetention: 4 edits)", () => {
        expect(rejection(withConfig({ controlPlaneLogRetention: "30" })(dev))).toEqual([unknown("controlPlaneLogRetention", "controlPlaneLogRetentionDays")]);
    });

    it("inside a list item (nodeGroups[0])", () => {
        const groups = configValue(dev, "nodeGroups");
        groups[0].instanceType = "t3.large";
        expect(rejection(withConfig({ nodeGroups: groups })(dev))).toEqual([unknown("nodeGroups[0].instanceType", "instanceTypes")]);
    });

    it("only keys of the network's own mode: a managed network is never told to use privateSubnetIds", () => {
        const network = { ...configValue(dev, "network"), privateSubnetId: ["10.20.0.0/19"] };
        expect(rejection(withConfig({ network })(dev))).toEqual([unknown("network.privateSubnetId", "privateSubnetCidrs")]);
    });

    it("no known names, no guess", () => {
        expect(nearestName("network", [])).toBeUndefined();
        expect(didYouMean("network", [])).toBe("");
    });
});

describe("the keys allowed at a path of the config (knownKeysAt)", () => {
    const managed = ["mode", "vpcCidr", "azCount", "natGateways", "privateSubnetCidrs", "publicSubnetCidrs", "flowLogRetentionDays"];
    const existing = ["mode", "vpcId", "privateSubnetIds", "publicSubnetIds"];

    it("a network's keys are those of the mode it names", () => {
        expect(knownKeysAt(["network"], { network: { mode: "existing" } })).toEqual(existing);
        expect(knownKeysAt(["network"], { network: { mode: "managed" } })).toEqual(managed);
    });

    it("a network naming no mode, or an unknown one, may take the keys of either mode", () => {
        const either = [...managed, ...existing.slice(1)];
        expect(knownKeysAt(["network"], { network: {} })).toEqual(either);
        expect(knownKeysAt(["network"], { network: { mode: "static" } })).toEqual(either);
    });

    it("a key whose value is a choice of numbers has no keys below it", () => {
        expect(knownKeysAt(["controlPlaneLogRetentionDays"], { controlPlaneLogRetentionDays: 90 })).toEqual([]);
    });

    // test/mutation/equivalent.json relies on it: knownKeysAt picks alternatives by `mode` and never
    // meets an object alternative without one. A union of other objects needs its own rule there.
    it("the only unions of objects in the config schema are the network modes, each with a `mode` constant", () => {
        const unions: { path: string; modes: unknown[] }[] = [];
        const walk = (node: Record<string, any>, path: string): void => {
            const alternatives: Record<string, any>[] | undefined = node.oneOf ?? node.anyOf;
            const objects = (alternatives ?? []).filter((alternative) => alternative.properties !== undefined);
            if (objects.length > 0) unions.push({ path, modes: objects.map((alternative) => alternative.properties.mode?.const) });
            for (const [key, child] of Object.entries(node.properties ?? {})) walk(child as Record<string, any>, `${path}.${key}`);
            if (node.items) walk(node.items, `${path}[]`);
            if (typeof node.additionalProperties === "object") walk(node.additionalProperties, `${path}{}`);
            (alternatives ?? []).forEach((alternative) => walk(alternative, path));
        };
        walk(z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as Record<string, any>, "$");
        expect(unions).toEqual([{ path: "$.network", modes: ["managed", "existing"] }]);
    });
});
