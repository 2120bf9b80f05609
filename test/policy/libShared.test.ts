// The shared readers of the policy pack on the inputs where a wrong reading would let a resource
// through or stop a check: exemptions that must match only what they name, IAM documents and
// their wildcard matching (checked against the IAM simulator where IAM semantics are claimed),
// image references, the pack config parser and the smaller helpers.
import { describe, expect, it } from "vitest";
import { repelsPods } from "../../policy/lib/aws";
import { resolvePolicyConfig, PolicyConfigError } from "../../policy/lib/config";
import { kubernetesMinor } from "../../policy/lib/eksVersions";
import { environmentPolicyConfig } from "../../policy/lib/environments";
import { exemptionSchema, isExempt, ExemptionSubject } from "../../policy/lib/exemptions";
import {
    allowsAction,
    grantsEverything,
    iamDocuments,
    isAdministratorAccessArn,
    isPublicStatement,
    oneOrMany,
    policyStatements,
    reportPublicStatements,
    wildcardMatches,
} from "../../policy/lib/iam";
import { parseImage } from "../../policy/lib/images";
import type { PlatformPolicy } from "../../policy/lib/policy";
import { canBeSecretValue, looksLikeSecretName, nameWords } from "../../policy/lib/secrets";
import { UNKNOWN_SENTINEL, UnknownCollector, unknownCheckingProxy } from "../../policy/lib/unknowns";
import { simulate } from "../support/iam";
import { notEvaluatedOf, resource, s3Bucket, s3Companions, UNKNOWN, violationsOf } from "./helpers";

const ACCOUNT = "123456789012";
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/app`;

describe("exemptions match only what they name", () => {
    const pod = (metadata: Record<string, unknown>, name = "pulumi-web"): ExemptionSubject => ({ type: "kubernetes:core/v1:Pod", name, props: { metadata } });
    /** A pod whose namespace, name and labels are all still unknown (a preview before the namespace exists). */
    const unknownPod = (): ExemptionSubject => ({
        type: "kubernetes:core/v1:Pod",
        name: "pulumi-web",
        props: unknownCheckingProxy({ metadata: { name: UNKNOWN_SENTINEL, namespace: UNKNOWN_SENTINEL, labels: UNKNOWN_SENTINEL } }),
    });

    it("reads nothing of the resource when no exemption is configured, so unknown values cannot stop the check", () => {
        expect(isExempt(unknownPod(), {})).toBe(false);
        expect(isExempt(unknownPod(), { exemptNamespaces: [], exemptNames: [], exemptLabels: {}, exemptObjects: [] })).toBe(false);
    });

    it("reads only the field each configured knob names: an unknown namespace or labels do not stop a name exemption", () => {
        const partlyUnknown = (metadata: Record<string, unknown>): ExemptionSubject => ({ type: "kubernetes:core/v1:Pod", name: "pulumi-web", props: unknownCheckingProxy({ metadata }) });
        const unknownNamespaceAndLabels = partlyUnknown({ name: "web", namespace: UNKNOWN_SENTINEL, labels: UNKNOWN_SENTINEL });
        expect(isExempt(unknownNamespaceAndLabels, { exemptNames: ["other"] })).toBe(false);
        expect(isExempt(unknownNamespaceAndLabels, { exemptNames: ["web"] })).toBe(true);
        expect(isExempt(unknownNamespaceAndLabels, { exemptObjects: [{ kind: "Deployment", namespace: "shop", name: "web", reason: "r" }] })).toBe(false);
        const unknownNameAndLabels = partlyUnknown({ name: UNKNOWN_SENTINEL, namespace: "shop", labels: UNKNOWN_SENTINEL });
        expect(isExempt(unknownNameAndLabels, { exemptNamespaces: ["other"] })).toBe(false);
        expect(isExempt(unknownNameAndLabels, { exemptNamespaces: ["shop"] })).toBe(true);
    });

    it("exempts a subject that any one of several configured objects, namespaces, names or labels names", () => {
        const web = pod({ name: "web", namespace: "monitoring", labels: { team: "obs" } });
        expect(
            isExempt(web, {
                exemptObjects: [
                    { kind: "Pod", namespace: "shop", name: "web", reason: "another namespace" },
                    { kind: "Pod", namespace: "monitoring", name: "web", reason: "this one" },
                ],
            }),
        ).toBe(true);
        expect(isExempt(web, { exemptNamespaces: ["kube-system", "monitoring"] })).toBe(true);
        expect(isExempt(web, { exemptNames: ["api", "web"] })).toBe(true);
        expect(isExempt(web, { exemptLabels: { tier: "edge", team: "obs" } })).toBe(true);
        expect(isExempt(web, { exemptLabels: { tier: "edge", team: "other" } })).toBe(false);
    });

    it("never lets a namespace pattern exempt a cluster-scoped object, nor a name pattern match a name the resource lacks", () => {
        const clusterRole: ExemptionSubject = { type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", name: "reader", props: { metadata: { name: "reader" } } };
        expect(isExempt(clusterRole, { exemptNamespaces: ["*"] })).toBe(false);
        expect(isExempt(clusterRole, { exemptNamespaces: ["un*"] })).toBe(false);
        const bucket: ExemptionSubject = { type: "aws:s3/bucket:Bucket", name: "logs", props: { bucket: "logs-1" } };
        expect(isExempt(bucket, { exemptNames: ["undef*"] })).toBe(false);
        expect(isExempt(bucket, { exemptNames: ["lo*"] })).toBe(true);
    });

    it("matches a cluster-scoped exempt object whether the provider leaves its namespace out or empty, and never a namespaced one", () => {
        const exempt = { exemptObjects: [{ kind: "ClusterRole", name: "reader", reason: "read-only aggregate" }] };
        const clusterRole = (metadata: Record<string, unknown>): ExemptionSubject => ({ type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", name: "r", props: { metadata } });
        expect(isExempt(clusterRole({ name: "reader" }), exempt)).toBe(true);
        expect(isExempt(clusterRole({ name: "reader", namespace: "" }), exempt)).toBe(true);
        expect(isExempt(clusterRole({ name: "reader", namespace: "default" }), exempt)).toBe(false);
    });

    it("places a Helm release in the namespace it installs into (its top-level namespace input)", () => {
        const release: ExemptionSubject = { type: "kubernetes:helm.sh/v3:Release", name: "prometheus", props: { name: "prometheus", namespace: "monitoring", chart: "kube-prometheus-stack" } };
        expect(isExempt(release, { exemptNamespaces: ["monitoring"] })).toBe(true);
        expect(isExempt(release, { exemptNamespaces: ["shop"] })).toBe(false);
    });

    it("reads AWS tags, not Kubernetes labels, for an AWS resource's exempt labels", () => {
        const bucket: ExemptionSubject = { type: "aws:s3/bucket:Bucket", name: "logs", props: { bucket: "logs-1", tags: { "policy-exempt": "reviewed" } } };
        expect(isExempt(bucket, { exemptLabels: { "policy-exempt": "reviewed" } })).toBe(true);
        expect(isExempt(bucket, { exemptLabels: { "policy-exempt": "no" } })).toBe(false);
    });
});

describe("IAM documents are read where each kind lives, and only there", () => {
    const doc = (action: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });

    it("reads a KMS key's policy as a resource policy only, and an IAM policy's document as an identity policy only", () => {
        const all = ["identity", "trust", "resource"] as const;
        const key = iamDocuments("aws:kms/key:Key", { policy: doc("kms:Decrypt") }, new UnknownCollector(), all);
        expect(key.map((d) => [d.kind, d.label])).toEqual([["resource", "key policy"]]);
        const policy = iamDocuments("aws:iam/policy:Policy", { policy: doc("s3:GetObject"), assumeRolePolicy: doc("sts:AssumeRole") }, new UnknownCollector(), all);
        expect(policy.map((d) => [d.kind, d.label])).toEqual([["identity", "policy"]]);
    });

    it("reads a role without documents as no documents, and names a nameless inline policy without a trailing space", () => {
        expect(iamDocuments("aws:iam/role:Role", { name: "app" }, new UnknownCollector(), ["identity", "trust"])).toEqual([]);
        expect(iamDocuments("aws:iam/policy:Policy", { policy: null }, new UnknownCollector(), ["identity"])).toEqual([]);
        const role = iamDocuments("aws:iam/role:Role", { inlinePolicies: [{ policy: doc("s3:GetObject") }, { name: "deploy", policy: doc("ecr:*") }] }, new UnknownCollector(), ["identity"]);
        expect(role.map((d) => d.label)).toEqual(["inline policy", "inline policy deploy"]);
    });

    it("does not touch a role's inline policies when only its trust policy is asked for", () => {
        const unknowns = new UnknownCollector();
        const props = unknownCheckingProxy({ assumeRolePolicy: doc("sts:AssumeRole"), inlinePolicies: UNKNOWN_SENTINEL });
        expect(iamDocuments("aws:iam/role:Role", props, unknowns, ["trust"]).map((d) => d.kind)).toEqual(["trust"]);
        expect(unknowns.firstUnknown).toBeUndefined();
    });

    it("keeps only object statements, and only string actions", () => {
        expect(policyStatements({ Version: "2012-10-17" })).toEqual([]);
        expect(policyStatements("not json")).toEqual([]);
        expect(policyStatements({ Statement: ["x", { Effect: "Allow" }] })).toEqual([{ Effect: "Allow" }]);
        expect(oneOrMany(["s3:GetObject", 5, null])).toEqual(["s3:GetObject"]);
    });
});

describe("IAM matching agrees with IAM", () => {
    it("matches actions case-insensitively, as IAM does", async () => {
        const statement = { Effect: "Allow", Action: "S3:getobject", Resource: "*" };
        expect(allowsAction(statement, "s3:GetObject")).toBe(true);
        expect(wildcardMatches("S3:GET*", "s3:GetObject")).toBe(true);
        expect(await simulate({ principal: PRINCIPAL, action: "s3:GetObject", resource: "arn:aws:s3:::data/x", resourceAccount: ACCOUNT, identityPolicies: [{ Version: "2012-10-17", Statement: [statement] }] })).toBe("Allowed");
    });

    it("treats dots literally and ? as exactly one character; resource matching can be case-sensitive", () => {
        expect(wildcardMatches("arn:aws:s3:::my.bucket/*", "arn:aws:s3:::my.bucket/x")).toBe(true);
        expect(wildcardMatches("arn:aws:s3:::my.bucket/*", "arn:aws:s3:::myxbucket/x")).toBe(false);
        expect(wildcardMatches("s3:Get?bject", "s3:GetObject")).toBe(true);
        expect(wildcardMatches("s3:Get?bject", "s3:Getbject")).toBe(false);
        expect(wildcardMatches("arn:aws:kms:*:*:key/Abc", "arn:aws:kms:eu-west-1:1:key/abc", false)).toBe(false);
        expect(wildcardMatches("arn:aws:kms:*:*:key/abc", "arn:aws:kms:eu-west-1:1:key/abc", false)).toBe(true);
    });

    it("grants nothing through a Deny, grants through NotAction everything but the listed actions, and any listed action", async () => {
        expect(allowsAction({ Effect: "Deny", Action: "*" }, "s3:GetObject")).toBe(false);
        const notIam = { Effect: "Allow", NotAction: ["iam:*", "sts:*"], Resource: "*" };
        expect(allowsAction(notIam, "s3:GetObject")).toBe(true);
        expect(allowsAction(notIam, "iam:PassRole")).toBe(false);
        expect(allowsAction(notIam, "sts:AssumeRole")).toBe(false);
        const identityPolicies = [{ Version: "2012-10-17", Statement: [notIam] }];
        expect(await simulate({ principal: PRINCIPAL, action: "s3:GetObject", resource: "arn:aws:s3:::data/x", resourceAccount: ACCOUNT, identityPolicies })).toBe("Allowed");
        expect(await simulate({ principal: PRINCIPAL, action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/admin`, resourceAccount: ACCOUNT, identityPolicies })).not.toBe("Allowed");
        expect(allowsAction({ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" }, "s3:PutObject")).toBe(true);
    });

    it("treats a wildcard principal as public unless a condition pins callers to fixed values", () => {
        const open = { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" };
        expect(isPublicStatement({ ...open, Condition: { StringEquals: { "aws:SourceAccount": [] } } })).toBe(true);
        expect(isPublicStatement({ ...open, Condition: { StringLike: { "aws:SourceAccount": [ACCOUNT, "*"] } } })).toBe(true);
        expect(isPublicStatement({ ...open, Condition: { StringEquals: { "aws:SourceAccount": [ACCOUNT] } } })).toBe(false);
    });

    it("recognises every action on every resource, and AdministratorAccess in every partition and only it", () => {
        expect(grantsEverything({ Effect: "Allow", Action: "*", Resource: "*" })).toBe(true);
        expect(grantsEverything({ Effect: "Allow", Action: "*:*", Resource: "*" })).toBe(true);
        expect(grantsEverything({ Effect: "Allow", Action: "s3:*", Resource: "*" })).toBe(false);
        expect(isAdministratorAccessArn("arn:aws:iam::aws:policy/AdministratorAccess")).toBe(true);
        expect(isAdministratorAccessArn("arn:aws-us-gov:iam::aws:policy/AdministratorAccess")).toBe(true);
        expect(isAdministratorAccessArn("arn:aws-cn:iam::aws:policy/AdministratorAccess")).toBe(true);
        expect(isAdministratorAccessArn(" arn:aws:iam::aws:policy/AdministratorAccess\n")).toBe(true);
        expect(isAdministratorAccessArn("arn:aws:iam::aws:policy/AdministratorAccess-Amplify")).toBe(false);
        expect(isAdministratorAccessArn("arn:aws:iam::aws:policy/job-function/AdministratorAccessX")).toBe(false);
        expect(isAdministratorAccessArn(`xarn:aws:iam::aws:policy/AdministratorAccess`)).toBe(false);
        expect(isAdministratorAccessArn("arn:aws0:iam::aws:policy/AdministratorAccess")).toBe(false);
    });

    it("names every action of a public statement, or NotAction", () => {
        const messages: string[] = [];
        const check = Object.assign(new UnknownCollector(), { report: (message: string) => messages.push(message) });
        const policy = {
            Statement: [
                { Sid: "Read", Effect: "Allow", Principal: "*", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "*" },
                { Sid: "Rest", Effect: "Allow", Principal: { AWS: "*" }, NotAction: "s3:DeleteObject", Resource: "*" },
            ],
        };
        reportPublicStatements("aws:s3/bucketPolicy:BucketPolicy", { bucket: "data", policy: JSON.stringify(policy) }, check);
        expect(messages).toEqual([
            "bucket policy statement Read allows s3:GetObject, s3:ListBucket to any principal without a condition pinning the caller",
            "bucket policy statement Rest allows NotAction to any principal without a condition pinning the caller",
        ]);
    });
});

describe("image references", () => {
    it("splits registry with port, path, tag and digest", () => {
        expect(parseImage(" registry.example.com:5000/team/app:1.0@sha256:abcd ")).toEqual({
            registry: "registry.example.com:5000",
            repository: "team/app",
            tag: "1.0",
            digest: "sha256:abcd",
        });
        expect(parseImage("nginx@sha256:abcd")).toEqual({ registry: undefined, repository: "nginx", tag: undefined, digest: "sha256:abcd" });
        expect(parseImage("@sha256:abcd")).toEqual({ registry: undefined, repository: "", tag: undefined, digest: "sha256:abcd" });
    });

    it("takes the first path component as a registry only when it looks like a host", () => {
        expect(parseImage("localhost/app:1")).toEqual({ registry: "localhost", repository: "app", tag: "1", digest: undefined });
        expect(parseImage("localhost:5000/app")).toEqual({ registry: "localhost:5000", repository: "app", tag: undefined, digest: undefined });
        expect(parseImage("library/nginx:1.27")).toEqual({ registry: undefined, repository: "library/nginx", tag: "1.27", digest: undefined });
        expect(parseImage("my.app:1.0")).toEqual({ registry: undefined, repository: "my.app", tag: "1.0", digest: undefined });
    });

    it("reads an empty tag or digest as none", () => {
        expect(parseImage("nginx:")).toEqual({ registry: undefined, repository: "nginx", tag: undefined, digest: undefined });
        expect(parseImage("nginx:1@")).toEqual({ registry: undefined, repository: "nginx", tag: "1", digest: undefined });
    });
});

describe("policy pack config", () => {
    let serial = 0;
    const fakePolicy = (configSchema?: PlatformPolicy["configSchema"]): PlatformPolicy =>
        ({
            name: `fake-policy-${++serial}`,
            description: "a policy for config tests",
            enforcementLevel: "advisory",
            scope: "resource",
            frameworks: [],
            appliesTo: "nothing",
            validateResource: () => undefined,
            configSchema,
        }) as PlatformPolicy;
    const errorOf = (run: () => unknown): string => {
        try {
            run();
        } catch (error) {
            expect(error).toBeInstanceOf(PolicyConfigError);
            return (error as Error).message;
        }
        return "no error";
    };

    it("rejects a config that is not an object, naming the source", () => {
        const policy = fakePolicy();
        expect(errorOf(() => resolvePolicyConfig([policy], null as never))).toBe("policy config: must be a JSON object");
        expect(errorOf(() => resolvePolicyConfig([policy], [] as never, "ci.json"))).toBe("ci.json: must be a JSON object");
    });

    it("names the policy and lists the valid levels when a level is wrong", () => {
        const policy = fakePolicy();
        expect(errorOf(() => resolvePolicyConfig([policy], { [policy.name]: "strict" }))).toBe(
            `policy config: policy "${policy.name}": enforcementLevel must be one of advisory, mandatory, remediate, disabled, got "strict"`,
        );
        expect(errorOf(() => resolvePolicyConfig([policy], { [policy.name]: { enforcementLevel: "off" } }))).toBe(
            `policy config: policy "${policy.name}": enforcementLevel must be one of advisory, mandatory, remediate, disabled, got "off"`,
        );
        expect(errorOf(() => resolvePolicyConfig([policy], { [policy.name]: 3 }))).toBe(`policy config: policy "${policy.name}" must be a level or an object`);
    });

    it('accepts only a level under "all", and applies it to every policy', () => {
        const a = fakePolicy();
        const b = fakePolicy();
        const resolved = resolvePolicyConfig([a, b], { all: { enforcementLevel: "mandatory" } });
        expect([...resolved.values()].map((r) => r.enforcementLevel)).toEqual(["mandatory", "mandatory"]);
        expect(errorOf(() => resolvePolicyConfig([a], { all: { enforcementLevel: "mandatory", exemptNames: ["x"] } }))).toBe('policy config: "all" accepts only an enforcement level');
    });

    it("rejects unknown knobs, missing required knobs and invalid nested values, naming each", () => {
        const policy = fakePolicy({ properties: { ...exemptionSchema, threshold: { type: "number" } }, required: ["threshold"] });
        expect(errorOf(() => resolvePolicyConfig([policy], { [policy.name]: { threshold: 1, exemptNamez: [], other: 1 } }))).toBe(
            `policy config: policy "${policy.name}": unknown key "exemptNamez"; unknown key "other"`,
        );
        expect(errorOf(() => resolvePolicyConfig([policy], {}))).toBe(`policy config: policy "${policy.name}": (config) must have required property 'threshold'`);
        expect(errorOf(() => resolvePolicyConfig([policy], { [policy.name]: { threshold: 1, exemptObjects: [{ kind: "", name: "web", reason: "r" }] } }))).toBe(
            `policy config: policy "${policy.name}": exemptObjects.0.kind must NOT have fewer than 1 characters`,
        );
    });

    it("starts every policy from the defaults its schema declares, and only those", () => {
        const policy = fakePolicy({ properties: { limit: { type: "number", default: 5 }, extra: { type: "string" } } });
        expect(resolvePolicyConfig([policy]).get(policy.name)).toStrictEqual({ enforcementLevel: "advisory", properties: { limit: 5 } });
    });
});

describe("small helpers", () => {
    it("reads a Kubernetes minor from a version, and nothing else", () => {
        expect(kubernetesMinor(" v1.29.10 ")).toBe("1.29");
        expect(kubernetesMinor("10.1")).toBe("10.1");
        expect(kubernetesMinor("x1.29")).toBeUndefined();
        expect(kubernetesMinor("1.29.3-eks-1")).toBeUndefined();
    });

    it("splits names into words on camelCase and any run of separators", () => {
        expect(nameWords("_db__Password-")).toEqual(["db", "password"]);
        expect(nameWords("dbPassword")).toEqual(["db", "password"]);
        expect(looksLikeSecretName("dbPassword")).toBe(true);
        expect(canBeSecretValue(" true ")).toBe(false);
        expect(canBeSecretValue("hunter2")).toBe(true);
    });

    it("reads a taint effect in AWS's or Kubernetes' spelling, and a missing effect as none", () => {
        expect([repelsPods("NO_SCHEDULE"), repelsPods("NoExecute"), repelsPods("PREFER_NO_SCHEDULE"), repelsPods(undefined)]).toEqual([true, true, false, false]);
    });

    it("keeps a policy's knobs when an environment sets its level", () => {
        const config = environmentPolicyConfig({ "eks-cluster-deletion-protection": { exemptNames: ["scratch"] } }, "dev");
        expect(config["eks-cluster-deletion-protection"]).toEqual({ exemptNames: ["scratch"], enforcementLevel: "advisory" });
        expect(environmentPolicyConfig({ "eks-cluster-deletion-protection": null }, "prod")["eks-cluster-deletion-protection"]).toBe("mandatory");
    });
});

describe("S3 buckets and their companions, through s3-bucket-encryption", () => {
    const sse = (bucket: string, algorithm: string, name: string) =>
        resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } }] }, name);

    it("ties a companion to an auto-named bucket by the bucket's Pulumi name", () => {
        const auto = resource("aws:s3/bucket:Bucket", { objectLockEnabled: true }, "auto");
        expect(violationsOf("s3-bucket-encryption", [auto, sse("auto", "aws:kms", "auto-sse")])).toEqual([]);
        expect(violationsOf("s3-bucket-encryption", [auto])).toEqual(["S3 bucket auto has no SSE-KMS default encryption (aws:kms or aws:kms:dsse)"]);
    });

    it("finds a log target named by the bucket's own (deprecated inline) logging block", () => {
        const source = resource("aws:s3/bucket:Bucket", { bucket: "data-1", logging: { targetBucket: "logs-1", targetPrefix: "data/" } }, "data");
        const target = s3Bucket("logs", "logs-1");
        const resources = [source, sse("data-1", "aws:kms", "data-sse"), target, sse("logs-1", "aws:kms", "logs-sse")];
        expect(violationsOf("s3-bucket-encryption", resources)).toEqual([
            "S3 bucket logs receives server access logs but does not default to SSE-S3 (AES256): S3 delivers access logs only to SSE-S3 buckets",
        ]);
        expect(violationsOf("s3-bucket-encryption", [...resources.slice(0, 3), sse("logs-1", "AES256", "logs-sse")])).toEqual([]);
    });

    it("reports a bucket whose only companion is still unknown as not evaluated, never as missing", () => {
        const companion = resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { bucket: "data-1", rules: UNKNOWN }, "data-sse");
        const resources = [s3Bucket("data", "data-1"), companion];
        expect(violationsOf("s3-bucket-encryption", resources)).toEqual([]);
        expect(notEvaluatedOf("s3-bucket-encryption", resources).length).toBe(1);
    });

    it("keeps a bucket satisfied by one companion when another is unknown", () => {
        const unknown = resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { bucket: "data-1", rules: UNKNOWN }, "data-sse-2");
        expect(violationsOf("s3-bucket-encryption", [s3Bucket("data", "data-1"), ...s3Companions("data-1", "data"), unknown])).toEqual([]);
    });
});
