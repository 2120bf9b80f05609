/**
 * The names config validation judges (config/awsNames.ts) are exactly the names the program
 * gives AWS resources, and a cluster name at the limit yields only names AWS accepts, uncut.
 */
import { describe, expect, it } from "vitest";
import { parsePlatformConfig, type PlatformConfig } from "../config";
import { AWS_NAME_RULES, derivedAwsNames, nameInputsOf, nameProblem, type AwsNameKind } from "../config/awsNames";
import { loadStackConfig } from "../plan/stackConfig";
import { PROJECT_DIR } from "../plan/run";
import { planStack, withConfig, type Recorded } from "./harness";

/** Where each AWS resource type carries the name AWS judges. */
const NAME_FIELDS: Record<string, { field: string; kind: AwsNameKind }> = {
    "eks:index:Cluster": { field: "name", kind: "eksCluster" },
    "aws:iam/role:Role": { field: "name", kind: "iamRole" },
    "aws:s3/bucket:Bucket": { field: "bucket", kind: "s3Bucket" },
    "aws:sqs/queue:Queue": { field: "name", kind: "sqsQueue" },
    "aws:cloudwatch/eventRule:EventRule": { field: "name", kind: "eventBridgeRule" },
    "aws:cloudwatch/logGroup:LogGroup": { field: "name", kind: "logGroup" },
    "aws:kms/alias:Alias": { field: "name", kind: "kmsAlias" },
    "aws:ec2/launchTemplate:LaunchTemplate": { field: "namePrefix", kind: "launchTemplatePrefix" },
};

function recordedNames(recorded: Recorded): Array<{ kind: AwsNameKind; name: string }> {
    return recorded.resources.flatMap((resource) => {
        const where = NAME_FIELDS[resource.type];
        const name = where ? resource.inputs[where.field] : undefined;
        return where && typeof name === "string" ? [{ kind: where.kind, name }] : [];
    });
}

function expectedNames(config: PlatformConfig, accountId: string): Array<{ kind: AwsNameKind; name: string }> {
    return derivedAwsNames(nameInputsOf(config), accountId).map(({ kind, name }) => ({ kind, name }));
}

const byKindAndName = (a: { kind: string; name: string }, b: { kind: string; name: string }) => `${a.kind} ${a.name}`.localeCompare(`${b.kind} ${b.name}`);

describe("every name the components derive is judged at config load", () => {
    it.each([
        ["dev", "111122223333"],
        ["prod", "444455556666"],
    ])("%s: the names in the plan are the names config/awsNames.ts derives", async (stack, accountId) => {
        const { plan, recorded } = await planStack(stack);
        const config = parsePlatformConfig(plan.source);
        expect(recordedNames(recorded).sort(byKindAndName)).toEqual(expectedNames(config, accountId).sort(byKindAndName));
    });
});

describe("a cluster name at the limit", () => {
    // The longest derived name is the Karpenter capacity-reservation rule (64 characters at most): 33 + 31.
    const longest = `p${"x".repeat(32)}`;
    const dev = loadStackConfig(PROJECT_DIR, "dev");

    it("one character more is refused, naming the EventBridge rule that would not fit", () => {
        expect(() => parsePlatformConfig(withConfig({ clusterName: `${longest}x` })(dev))).toThrow(
            `the Karpenter capacity-reservation event rule would be named "${longest}x-karpenter-capacity-reservation", which has 65 characters: an EventBridge rule name must be at most 64 letters, digits and . - _`,
        );
    });

    it("plans with every name within AWS's rules and none cut short", async () => {
        const { recorded } = await planStack("dev", { transformConfig: withConfig({ clusterName: longest }) });
        const names = recordedNames(recorded);
        expect(names.length).toBeGreaterThan(20);
        for (const { kind, name } of names) {
            expect(nameProblem(name, AWS_NAME_RULES[kind]), `${kind} ${name}`).toBeUndefined();
            expect(name, "derived from the whole cluster name").toContain(longest);
        }
        expect(Math.max(...names.filter((n) => n.kind === "eventBridgeRule").map((n) => n.name.length))).toBe(64);
    });
});
