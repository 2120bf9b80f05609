// The pack's shared readers (policy/lib/fields, values, unknowns, references, policy): a wrong line
// there blinds many policies at once. Each case goes through the policies with a resource shape
// they meet for real, except where the property is the reader's own contract (noted).
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { PlatformResourcePolicy } from "../../policy/lib/policy";
import { containsUnknown, readOrUnknown, UNKNOWN as UNREADABLE } from "../../policy/lib/unknowns";
import { asRecord, path, stringList, stringMap } from "../../policy/lib/values";
import { allPolicies } from "../../policy/policies";
import { container, deployment, evaluate, notEvaluatedOf, podSpec, resource, UNKNOWN, violationsOf } from "./helpers";

/** The "cannot be checked" messages a resource gets, one per message (many policies read the same field). */
function cannotBeChecked(resources: ReturnType<typeof resource>[]): string[] {
    return [...new Set(evaluate(resources).violations.map((v) => v.message).filter((m) => m.includes("cannot be checked")))];
}

describe("a workload field of the wrong shape is a violation naming the field, never a pass", () => {
    it("names the path and describes the value: missing, null, list, object, string, number", () => {
        const withoutPodSpec = deployment();
        delete withoutPodSpec.props.spec.template.spec;
        expect(cannotBeChecked([withoutPodSpec])).toEqual(["Deployment cannot be checked: spec.template.spec is missing, expected an object"]);
        const nullPodSpec = deployment();
        nullPodSpec.props.spec.template.spec = null;
        expect(cannotBeChecked([nullPodSpec])).toEqual(["Deployment cannot be checked: spec.template.spec is null, expected an object"]);
        expect(cannotBeChecked([deployment(podSpec({ containers: "app" }))])).toEqual([
            'Deployment cannot be checked: spec.template.spec.containers is a string ("app"), expected a list',
        ]);
        expect(cannotBeChecked([deployment(podSpec({ containers: ["app"] }))])).toEqual([
            'Deployment cannot be checked: spec.template.spec.containers[0] is a string ("app"), expected an object',
        ]);
        expect(cannotBeChecked([deployment(podSpec({ containers: [null] }))])).toEqual(["Deployment cannot be checked: spec.template.spec.containers[0] is null, expected an object"]);
        expect(cannotBeChecked([deployment(podSpec({ containers: [[]] }))])).toEqual(["Deployment cannot be checked: spec.template.spec.containers[0] is a list, expected an object"]);
        expect(cannotBeChecked([deployment(podSpec({ securityContext: [] }))])).toEqual(["Deployment cannot be checked: spec.template.spec.securityContext is a list, expected an object"]);
        expect(cannotBeChecked([deployment(podSpec({ volumes: { data: {} } }))])).toEqual(["Deployment cannot be checked: spec.template.spec.volumes is an object, expected a list"]);
        expect(cannotBeChecked([deployment(podSpec({ volumes: ["data"] }))])).toEqual([
            'Deployment cannot be checked: spec.template.spec.volumes[0] is a string ("data"), expected an object',
        ]);
    });

    it("checks each scalar's type: booleans, integers, strings, string lists and string maps", () => {
        const privileged = (value: unknown) => deployment(podSpec({ containers: [container("app", { securityContext: { privileged: value, allowPrivilegeEscalation: false } })] }));
        expect(violationsOf("k8s-no-privileged-containers", [privileged("true")])).toEqual([
            'Deployment cannot be checked: spec.template.spec.containers[0].securityContext.privileged is a string ("true"), expected true or false',
        ]);
        expect(violationsOf("k8s-no-privileged-containers", [privileged(1)])).toEqual([
            "Deployment cannot be checked: spec.template.spec.containers[0].securityContext.privileged is a number (1), expected true or false",
        ]);
        expect(violationsOf("k8s-no-privileged-containers", [privileged(true)])).toEqual(["Deployment container \"app\" runs privileged"]);
        const runAsUser = (value: unknown) => deployment(podSpec({ securityContext: { runAsNonRoot: true, runAsUser: value, seccompProfile: { type: "RuntimeDefault" } } }));
        expect(violationsOf("k8s-run-as-non-root", [runAsUser(1.5)])).toEqual(["Deployment cannot be checked: spec.template.spec.securityContext.runAsUser is a number (1.5), expected an integer"]);
        const sysctls = deployment(podSpec({ securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, sysctls: [{ name: 5, value: "1" }] } }));
        expect(violationsOf("k8s-safe-sysctls", [sysctls])).toEqual(["Deployment cannot be checked: spec.template.spec.securityContext.sysctls[0].name is a number (5), expected a string"]);
        const drop = deployment(
            podSpec({ containers: [container("app", { securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL", 7] } } })] }),
        );
        expect(violationsOf("k8s-restricted-capabilities", [drop])).toEqual([
            "Deployment cannot be checked: spec.template.spec.containers[0].securityContext.capabilities.drop[1] is a number (7), expected a string",
        ]);
        const annotated = deployment();
        annotated.props.spec.template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/app": 5 };
        expect(violationsOf("k8s-apparmor-profile", [annotated])).toEqual([
            "Deployment cannot be checked: spec.template.metadata.annotations.container.apparmor.security.beta.kubernetes.io/app is a number (5), expected a string",
        ]);
    });

    it("quotes a value of up to 40 characters whole and cuts a longer one at 37", () => {
        const runAsUser = (value: unknown) => deployment(podSpec({ securityContext: { runAsNonRoot: true, runAsUser: value, seccompProfile: { type: "RuntimeDefault" } } }));
        const forty = `"${"1".repeat(38)}"`;
        expect(violationsOf("k8s-run-as-non-root", [runAsUser("1".repeat(38))])).toEqual([
            `Deployment cannot be checked: spec.template.spec.securityContext.runAsUser is a string (${forty}), expected an integer`,
        ]);
        expect(violationsOf("k8s-run-as-non-root", [runAsUser("1".repeat(39))])).toEqual([
            `Deployment cannot be checked: spec.template.spec.securityContext.runAsUser is a string ("${"1".repeat(36)}...), expected an integer`,
        ]);
    });

    it("reads null as unset, like the API server: a compliant pod with null optional fields passes", () => {
        const nulls = deployment(podSpec({ volumes: null, hostNetwork: null, containers: [container("app", { ports: null, env: null })] }));
        expect(cannotBeChecked([nulls])).toEqual([]);
        for (const policy of ["k8s-no-host-path-volumes", "k8s-restricted-volume-types", "k8s-no-host-namespaces", "k8s-no-host-ports", "k8s-no-plaintext-secrets"]) {
            expect(violationsOf(policy, [nulls]), policy).toEqual([]);
        }
        const nullContext = deployment(podSpec({ containers: [container("app", { securityContext: null })] }));
        expect(violationsOf("k8s-no-privilege-escalation", [nullContext])).toEqual(["Deployment container \"app\" does not set allowPrivilegeEscalation: false"]);
    });
});

describe("values", () => {
    it("a value of the wrong shape reads as not set (the readers' contract), never as a record", () => {
        for (const wrong of [null, "a=b", 5, true, ["a", "b"], [{ a: "b" }]]) {
            expect(asRecord(wrong), JSON.stringify(wrong)).toBeUndefined();
            expect(stringMap(wrong), JSON.stringify(wrong)).toEqual({});
            expect(path({ spec: wrong }, "spec", "0"), JSON.stringify(wrong)).toBeUndefined();
        }
        expect(asRecord({ a: "b" })).toEqual({ a: "b" });
        expect(stringMap({ a: "b", n: 1, l: ["c"] })).toEqual({ a: "b" });
        expect(stringList(["api", 1, null, "audit"])).toEqual(["api", "audit"]);
        expect(stringList("api")).toEqual([]);
    });

    it("a blank KMS key id is no key: the log group is reported", () => {
        for (const kmsKeyId of ["", "   "]) {
            expect(violationsOf("cloudwatch-log-group-encryption", [resource("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 365, kmsKeyId }, "logs")]), kmsKeyId).toEqual([
                "log group is not encrypted with a KMS key",
            ]);
        }
    });

    it("exempt names match exactly, or with `*` as any run; other characters are literal", () => {
        const hostPid = deployment(podSpec({ hostPID: true }), "web.v2");
        const exempting = (exemptNames: string[]) => violationsOf("k8s-no-host-namespaces", [hostPid], { "k8s-no-host-namespaces": { exemptNames } });
        expect(exempting(["web.v2"])).toEqual([]);
        expect(exempting(["web.v*"])).toEqual([]);
        expect(exempting(["web"])).toEqual(["Deployment sets hostPID: true"]);
        expect(exempting(["webxv2"])).toEqual(["Deployment sets hostPID: true"]);
        expect(exempting(["web.*3"])).toEqual(["Deployment sets hostPID: true"]);
    });
});

describe("unknown values", () => {
    it("the engine proxies only props that hold a sentinel (its contract: a known resource is read as is)", () => {
        expect(containsUnknown({ n: 1, b: false, z: null, u: undefined, list: [1, "a", [null, {}]], o: { p: {} } })).toBe(false);
        expect(containsUnknown([[], 5, true])).toBe(false);
        expect(containsUnknown({})).toBe(false);
        expect(containsUnknown(null)).toBe(false);
        expect(containsUnknown(7)).toBe(false);
        expect(containsUnknown({ a: [1, { b: [UNKNOWN] }] })).toBe(true);
        expect(containsUnknown([{}, { c: UNKNOWN }])).toBe(true);
    });

    it("readOrUnknown turns only an unknown into UNKNOWN: a failing read is not hidden as not evaluated", () => {
        expect(() => readOrUnknown(() => JSON.parse("{"))).toThrow(SyntaxError);
        expect(readOrUnknown(() => "known")).toBe("known");
        expect(readOrUnknown(() => UNREADABLE)).toBe(UNREADABLE);
    });

    it("a flow log whose VPC cannot be told is not evaluated, and no VPC is reported without one", () => {
        const vpc = (name: string) => resource("aws:ec2/vpc:Vpc", { cidrBlock: "10.0.0.0/16" }, name);
        const [a, b] = [vpc("a"), vpc("b")];
        const orphan = resource("aws:ec2/flowLog:FlowLog", { vpcId: UNKNOWN, trafficType: "ALL" }, "flow-log");
        expect(violationsOf("vpc-flow-logs-enabled", [a, b, orphan])).toEqual([]);
        expect(notEvaluatedOf("vpc-flow-logs-enabled", [a, b, orphan])).toEqual(["string value at .vpcId can't be known during preview"]);
        expect(violationsOf("vpc-flow-logs-enabled", [a, b])).toEqual(["VPC a has no flow log capturing ALL or REJECT traffic", "VPC b has no flow log capturing ALL or REJECT traffic"]);
    });

    it("a stack policy that proves a violation reports it, not 'not evaluated', even if another object is unknown", () => {
        const unknownWorkload = resource("kubernetes:apps/v1:Deployment", { metadata: UNKNOWN, spec: UNKNOWN }, "later");
        const stack = [deployment(podSpec(), "web", 2), unknownWorkload];
        expect(violationsOf("k8s-replicated-workload-pdb", stack)).toEqual(["Deployment web has 2 replicas and no PodDisruptionBudget"]);
        expect(notEvaluatedOf("k8s-replicated-workload-pdb", stack)).toEqual([]);
        expect(notEvaluatedOf("k8s-replicated-workload-pdb", [unknownWorkload])).toHaveLength(1);
    });
});

describe("resource policy definition, as the Pulumi analyzer calls it", () => {
    const policy = (name: string) => allPolicies.find((p) => p.name === name) as PlatformResourcePolicy;
    /** What the analyzer hands validateResource: the config as given (no defaults filled in). */
    function validate(name: string, type: string, props: Record<string, unknown>, config: object = {}): string[] {
        const found: string[] = [];
        const report: ReportViolation = (message) => found.push(message);
        const args = { type, name: "r", urn: `urn:pulumi:test::platform::${type}::r`, props, getConfig: () => config } as unknown as ResourceValidationArgs;
        policy(name).validateResource(args, report);
        return found;
    }

    it("fills the schema defaults the engine did not: a hop limit of 2 fails against the default maximum of 1", () => {
        const template = { metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 } };
        expect(validate("ec2-imds-hop-limit", "aws:ec2/launchTemplate:LaunchTemplate", template)).toEqual(["sets the IMDS hop limit to 2"]);
        expect(validate("ec2-imds-hop-limit", "aws:ec2/launchTemplate:LaunchTemplate", template, { maximumHopLimit: 2 })).toEqual([]);
    });

    it("checks only the types it applies to (the analyzer calls every policy for every resource)", () => {
        expect(validate("cloudwatch-log-group-encryption", "aws:s3/bucket:Bucket", {})).toEqual([]);
        expect(validate("cloudwatch-log-group-encryption", "aws:cloudwatch/logGroup:LogGroup", {})).toEqual(["log group is not encrypted with a KMS key"]);
    });
});
