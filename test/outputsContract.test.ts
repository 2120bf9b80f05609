/**
 * The stack outputs are a contract (contract/outputs.ts, docs/outputs.md): the program exports
 * exactly the declared outputs with values the schema accepts, secrets where the contract says
 * so, and the contract itself cannot change without its version (snapshot below).
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { contractChanges, contractSnapshot, outputsMarkdown, versionProblems, type ContractSnapshot } from "../contract/docs";
import {
    CONTRACT,
    CONTRACT_FIELDS,
    CONTRACT_VERSION,
    parsePlatformOutputs,
    platformOutputsSchema,
    REQUIRED_FIELDS,
    SECRET_FIELDS,
    type PlatformOutputField,
    type PlatformOutputs,
} from "../contract/outputs";
import type { Plan } from "../plan";
import { SECRET_MARK, UNKNOWN_MARK } from "../plan/record";
import { CONTRACT_SNAPSHOT, OUTPUTS_DOC, readContractSnapshot } from "../scripts/docs";
import { planStack, updateConfig, withConfig } from "./harness";
import { unsecretedOutputs } from "./support/platformOutputs";

const ALL_ADDONS_OFF = {
    addons: {
        karpenter: { enabled: false },
        externalSecrets: { enabled: false },
        velero: { enabled: false },
        trivy: { enabled: false },
        monitoring: { enabled: false },
        awsLoadBalancerController: { enabled: false },
    },
};
/** Without the load balancer controller no tenant may expose a port (config refuses it). */
const NOTHING_EXPOSED = updateConfig<Array<Record<string, unknown>>>("tenants", (tenants) => tenants.map(({ expose: _expose, internetFacing: _internetFacing, ...tenant }) => tenant));

const plans: Record<string, Plan> = {};

beforeAll(async () => {
    plans.dev = (await planStack("dev")).plan;
    plans.prod = (await planStack("prod")).plan;
    plans["prod, every add-on disabled"] = (await planStack("prod", { transformConfig: (source) => NOTHING_EXPOSED(withConfig(ALL_ADDONS_OFF)(source)) })).plan;
});

const STACKS = ["dev", "prod", "prod, every add-on disabled"];
const outputsOf = (stack: string): Record<string, unknown> => plans[stack].document.outputs;
const fieldsWithoutAddon = CONTRACT_FIELDS.filter((f) => CONTRACT[f].addon === undefined).sort();

// Compile-time: the contract's type is what consumers get; this fails to compile if a field
// the tests below rely on changes its type.
const _typeCheck: Pick<PlatformOutputs, "clusterName" | "privateSubnetIds" | "nodeRoleArns" | "externalSecretsStoreName"> = {
    clusterName: "eks-platform-dev",
    privateSubnetIds: ["subnet-0123456789abcdef0"],
    nodeRoleArns: { system: "arn:aws:iam::111122223333:role/system" },
    externalSecretsStoreName: undefined,
};
void _typeCheck;

describe.each(STACKS)("stack outputs of %s", (stack) => {
    it("(a) every exported output is declared in the contract, and every required one is exported", () => {
        const exported = Object.keys(outputsOf(stack));
        expect(exported.filter((key) => !(CONTRACT_FIELDS as string[]).includes(key)), "exported but not in contract/outputs.ts").toEqual([]);
        expect(REQUIRED_FIELDS.filter((key) => !exported.includes(key)), "required by the contract but not exported").toEqual([]);
    });

    it("(b) every known value validates against its field's schema", () => {
        const problems: string[] = [];
        for (const [key, value] of Object.entries(outputsOf(stack))) {
            if (value === SECRET_MARK || value === UNKNOWN_MARK || !(key in platformOutputsSchema.shape)) continue;
            const result = platformOutputsSchema.shape[key as PlatformOutputField].safeParse(value);
            if (!result.success) problems.push(`${key} = ${JSON.stringify(value)}: ${result.error.issues.map((i) => i.message).join("; ")}`);
        }
        expect(problems).toEqual([]);
    });

    it("(b) exactly the outputs the contract marks secret are secrets", () => {
        const outputs = outputsOf(stack);
        const secret = Object.keys(outputs).filter((key) => outputs[key] === SECRET_MARK);
        expect(secret.sort()).toEqual(SECRET_FIELDS.filter((f) => f in outputs).sort());
    });

    it("(b) the whole set validates, secrets as a consumer reads them", () => {
        expect(() => parsePlatformOutputs(unsecretedOutputs(outputsOf(stack)), stack)).not.toThrow();
    });
});

describe("outputs present per add-on", () => {
    it("prod enables every add-on and exports every output of the contract", () => {
        expect(Object.keys(outputsOf("prod")).sort()).toEqual([...CONTRACT_FIELDS].sort());
    });

    it("(e) with every add-on disabled, exactly the outputs tied to no add-on remain, and they validate", () => {
        const outputs = outputsOf("prod, every add-on disabled");
        expect(Object.keys(outputs).sort()).toEqual(fieldsWithoutAddon);
        const parsed = parsePlatformOutputs(unsecretedOutputs(outputs));
        expect(parsed.externalSecretsStoreName).toBeUndefined();
        expect(parsed.veleroBucketName).toBeUndefined();
    });

    it("an output tied to no add-on is required, one tied to an add-on is optional", () => {
        expect([...REQUIRED_FIELDS].sort()).toEqual(fieldsWithoutAddon);
    });
});

describe("the contract itself", () => {
    it("(c) equals the committed snapshot (on purpose: bump CONTRACT_VERSION, then `npm run docs`)", () => {
        const committed = readContractSnapshot();
        expect(committed, `${CONTRACT_SNAPSHOT} is missing: run \`npm run docs\``).toBeDefined();
        const current = contractSnapshot();
        const problems = versionProblems(committed!, current);
        const changes = contractChanges(committed!, current).map((c) => `${c.field}: ${c.change} (${c.bump})`);
        expect(problems, "the contract changed more than CONTRACT_VERSION says").toEqual([]);
        expect(changes, `the contract differs from ${CONTRACT_SNAPSHOT}: bump CONTRACT_VERSION as docs/outputs.md says and run \`npm run docs\``).toEqual([]);
        expect(committed).toEqual(current);
    });

    it("every field has a description, and CONTRACT_VERSION is MAJOR.MINOR.PATCH", () => {
        for (const field of CONTRACT_FIELDS) expect(platformOutputsSchema.shape[field].description?.length ?? 0, field).toBeGreaterThan(20);
        expect(CONTRACT_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
        for (const field of CONTRACT_FIELDS) expect(CONTRACT[field].since).toMatch(/^\d+\.\d+\.\d+$/);
    });

    it("(d) docs/outputs.md is the one the contract generates (run `npm run docs`)", () => {
        expect(readFileSync(OUTPUTS_DOC, "utf8")).toBe(outputsMarkdown());
    });
});

describe("version bump rules (what the snapshot check enforces)", () => {
    const base = (): ContractSnapshot => structuredClone(contractSnapshot());
    const withVersion = (snapshot: ContractSnapshot, version: string) => ({ ...snapshot, contractVersion: version });
    const [major, minor, patch] = CONTRACT_VERSION.split(".").map(Number);
    const nextMajor = `${major + 1}.0.0`;
    const nextMinor = `${major}.${minor + 1}.0`;
    const nextPatch = `${major}.${minor}.${patch + 1}`;

    it("removing a stable output needs a major bump", () => {
        const current = base();
        delete current.fields.clusterEndpoint;
        expect(versionProblems(base(), withVersion(current, CONTRACT_VERSION)).join("\n")).toMatch(/clusterEndpoint: removed.*major/);
        expect(versionProblems(base(), withVersion(current, nextMinor))).not.toEqual([]);
        expect(versionProblems(base(), withVersion(current, nextMajor))).toEqual([]);
    });

    it("changing a stable output's type needs a major bump; a beta one's a minor bump", () => {
        const current = base();
        current.fields.privateSubnetIds.type = "string";
        expect(versionProblems(base(), withVersion(current, nextMinor)).join("\n")).toMatch(/privateSubnetIds: type string\[\] -> string/);
        expect(versionProblems(base(), withVersion(current, nextMajor))).toEqual([]);
        const betaChange = base();
        betaChange.fields.nodeGroupNames.type = "string";
        expect(versionProblems(base(), withVersion(betaChange, nextMinor))).toEqual([]);
    });

    it("making an output secret, or no longer always present, is breaking", () => {
        const current = base();
        current.fields.clusterName.secret = true;
        current.fields.vpcId.required = false;
        expect(contractChanges(base(), current).map((c) => c.bump)).toEqual(["major", "major"]);
    });

    it("adding an output needs a minor bump; descriptions alone need nothing", () => {
        const current = base();
        current.fields.newOutput = { type: "string", required: false, secret: false, stability: "beta" };
        expect(versionProblems(base(), withVersion(current, nextPatch)).join("\n")).toMatch(/newOutput: added/);
        expect(versionProblems(base(), withVersion(current, nextMinor))).toEqual([]);
        expect(versionProblems(base(), base())).toEqual([]);
    });

    it("the version never goes down", () => {
        expect(versionProblems(withVersion(base(), nextMajor), base())).toEqual([`CONTRACT_VERSION went down from ${nextMajor} to ${CONTRACT_VERSION}`]);
    });
});
