// Everything in the real deployment test that can run offline: credential detection, the
// ephemeral stack's config, and the readiness / Velero checks over recorded kubectl JSON.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../config";
import { awsCredentialSource, detectCredentials, NOT_RUN_EXIT_CODE, notRunBanner, roleArnFromCallerArn } from "./integration/credentials";
import { asRuntimeValues, ephemeralStackConfig, ephemeralStackName, timestampSuffix, type StackFileConfig } from "./integration/stackConfig";
import {
    ADDON_NAMESPACES,
    backupManifest,
    configMapMatches,
    deleteObjectsPayloads,
    nodesReady,
    podsReady,
    restoreManifest,
    veleroBucketNames,
    veleroPhase,
} from "./integration/checks";

const root = path.resolve(__dirname, "..");
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(root, "test", "fixtures", "kubectl", name), "utf8"));
const devConfig = (parse(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8")) as { config: StackFileConfig }).config;
const ADMIN = "arn:aws:iam::123456789012:role/integration-runner";
const tools = { kubectl: true, pulumi: true };

describe("credential detection", () => {
    it("is not ready on a bare machine, and says what is missing", () => {
        const report = detectCredentials({}, { kubectl: false, pulumi: false });
        expect(report.ready).toBe(false);
        expect(report.missing).toHaveLength(4);
        expect(report.missing.join("\n")).toMatch(/AWS credentials[\s\S]*PULUMI_ACCESS_TOKEN[\s\S]*pulumi CLI[\s\S]*kubectl/);
    });

    it("recognises every AWS credential source, ignoring blank values", () => {
        expect(awsCredentialSource({ AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "s" })).toBe("static keys");
        expect(awsCredentialSource({ AWS_ACCESS_KEY_ID: "AKIA" })).toBeUndefined();
        expect(awsCredentialSource({ AWS_PROFILE: "sandbox" })).toBe("profile");
        expect(awsCredentialSource({ AWS_ROLE_ARN: ADMIN, AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token" })).toBe("web identity");
        expect(awsCredentialSource({ AWS_ROLE_ARN: ADMIN })).toBe("role to assume");
        expect(awsCredentialSource({ AWS_PROFILE: "  " })).toBeUndefined();
    });

    it("needs a Pulumi backend, and a secrets provider for a self-managed one", () => {
        const aws = { AWS_PROFILE: "sandbox" };
        expect(detectCredentials({ ...aws }, tools).ready).toBe(false);
        expect(detectCredentials({ ...aws, PULUMI_ACCESS_TOKEN: "pul-x" }, tools)).toMatchObject({ ready: true, missing: [] });
        const diy = detectCredentials({ ...aws, PULUMI_BACKEND_URL: "s3://state-bucket" }, tools);
        expect(diy.ready).toBe(false);
        expect(diy.missing[0]).toMatch(/PULUMI_CONFIG_PASSPHRASE.*PULUMI_SECRETS_PROVIDER/);
        expect(detectCredentials({ ...aws, PULUMI_BACKEND_URL: "s3://state-bucket", PULUMI_SECRETS_PROVIDER: "awskms://alias/pulumi" }, tools)).toMatchObject({
            ready: true,
            backend: "self-managed (s3://state-bucket)",
        });
        // A Pulumi Cloud URL with a token is not self-managed.
        expect(detectCredentials({ ...aws, PULUMI_BACKEND_URL: "https://api.pulumi.com", PULUMI_ACCESS_TOKEN: "pul-x" }, tools).ready).toBe(true);
    });

    it("the not-run banner says NOT RUN, never pass, and lists what is missing", () => {
        const banner = notRunBanner(["no AWS credentials"]);
        expect(banner).toContain("INTEGRATION TEST NOT RUN");
        expect(banner).toContain("NOT a pass");
        expect(banner).toContain("no AWS credentials");
        expect(banner).toContain(String(NOT_RUN_EXIT_CODE));
        expect(NOT_RUN_EXIT_CODE).not.toBe(0);
        expect(NOT_RUN_EXIT_CODE).not.toBe(1);
    });

    it("turns an assumed-role session into the role's ARN, and refuses a user", () => {
        expect(roleArnFromCallerArn("arn:aws:sts::123456789012:assumed-role/integration-runner/GitHubActions")).toBe(ADMIN);
        expect(roleArnFromCallerArn(ADMIN)).toBe(ADMIN);
        expect(() => roleArnFromCallerArn("arn:aws:iam::123456789012:user/alice")).toThrow(/IT_ADMIN_ROLE_ARN/);
    });
});

describe("the ephemeral stack's config", () => {
    const suffix = timestampSuffix(new Date("2026-11-28T20:03:01.123Z"));
    const config = ephemeralStackConfig(devConfig, { suffix, region: "us-east-2", adminRoleArn: ADMIN, publicAccessCidrs: ["198.51.100.7/32"] });
    const parsed = parsePlatformConfig({ project: "eks-platform", stack: ephemeralStackName(suffix), values: asRuntimeValues(config) });
    const dev = parsePlatformConfig({ project: "eks-platform", stack: "dev", values: asRuntimeValues(devConfig) });

    it("is named it-<timestamp> and passes the program's own config validation", () => {
        expect(suffix).toBe("20261128200301");
        expect(ephemeralStackName(suffix)).toBe("it-20261128200301");
        expect(parsed.clusterName).toBe("eks-platform-it-20261128200301");
        expect(parsed.region).toBe("us-east-2");
        expect(parsed.tags).toMatchObject({ "platform.eks.aws/ephemeral": "true", "platform.eks.aws/integration-run": suffix, ...dev.tags });
    });

    it("shrinks every node group to one node and keeps both roles", () => {
        expect(parsed.nodeGroups.map((g) => [g.role, g.minSize, g.desiredSize, g.maxSize])).toEqual([
            ["system", 1, 1, 2],
            ["application", 1, 1, 2],
        ]);
        expect(parsed.nodeGroups.map((g) => [g.instanceTypes, g.capacityType, g.diskSizeGiB])).toEqual(dev.nodeGroups.map((g) => [g.instanceTypes, g.capacityType, g.diskSizeGiB]));
        expect(parsed.addons.karpenter.cpuLimit).toBeLessThanOrEqual(8);
    });

    it("keeps every security setting of dev", () => {
        expect(parsed.environment).toBe(dev.environment);
        expect(parsed.kubernetesVersion).toBe(dev.kubernetesVersion);
        expect(parsed.endpoint.publicAccess).toBe(dev.endpoint.publicAccess);
        expect(parsed.endpoint.publicAccessCidrs).toEqual(["198.51.100.7/32"]);
        expect(parsed.network).toEqual(dev.network);
        expect(parsed.tenants).toEqual(dev.tenants);
        expect(parsed.controlPlaneLogRetentionDays).toBe(dev.controlPlaneLogRetentionDays);
        const { karpenter: itKarpenter, ...itOthers } = parsed.addons;
        const { karpenter: devKarpenter, ...devOthers } = dev.addons;
        expect(itOthers).toEqual(devOthers);
        expect({ ...itKarpenter, cpuLimit: 0, memoryLimitGiB: 0 }).toEqual({ ...devKarpenter, cpuLimit: 0, memoryLimitGiB: 0 });
    });

    it("grants only the runner's role, with break-glass defaulting to it", () => {
        expect(parsed.access).toEqual({ platformAdminRoleArns: [ADMIN], developerRoleArns: [], viewerRoleArns: [], ciRoleArns: [], deployerRoleArn: ADMIN, breakGlassRoleArn: ADMIN });
    });

    it("does not change the dev config it was given", () => {
        const before = JSON.stringify(devConfig);
        ephemeralStackConfig(devConfig, { suffix: "x1", adminRoleArn: ADMIN });
        expect(JSON.stringify(devConfig)).toBe(before);
        expect(ephemeralStackConfig(devConfig, { suffix: "x1", adminRoleArn: ADMIN })["eks-platform:endpoint"]).toEqual(devConfig["eks-platform:endpoint"]);
    });

    it("refuses to open the endpoint to the internet, a non-dev base and a bad suffix", () => {
        expect(() => ephemeralStackConfig(devConfig, { suffix, adminRoleArn: ADMIN, publicAccessCidrs: ["0.0.0.0/0"] })).toThrow(/internet/);
        expect(() => ephemeralStackConfig({ ...devConfig, "eks-platform:environment": "prod" }, { suffix, adminRoleArn: ADMIN })).toThrow(/dev/);
        expect(() => ephemeralStackConfig(devConfig, { suffix: "It_1", adminRoleArn: ADMIN })).toThrow(/suffix/);
    });
});

describe("node readiness per node group role", () => {
    it("both groups Ready; Karpenter's unlabelled node is not counted", () => {
        const nodes = fixture("nodes-ready.json");
        expect(nodesReady(nodes, "system")).toEqual({ ok: true, total: 1, ready: 1, problems: [] });
        expect(nodesReady(nodes, "application")).toEqual({ ok: true, total: 1, ready: 1, problems: [] });
        expect(nodesReady(nodes, "system", 2).ok).toBe(false);
    });

    it("a NotReady application node fails the application group only, with its reason", () => {
        const nodes = fixture("nodes-application-notready.json");
        expect(nodesReady(nodes, "system").ok).toBe(true);
        const app = nodesReady(nodes, "application");
        expect(app.ok).toBe(false);
        expect(app.problems).toEqual(["ip-10-20-2-44.eu-west-1.compute.internal: Ready=False (KubeletNotReady)"]);
    });

    it("no node of a role, a cordoned node and a non-list are failures", () => {
        expect(nodesReady({ kind: "List", items: [] }, "system").problems[0]).toMatch(/at least 1 node.*found 0/);
        const nodes = fixture("nodes-ready.json") as { items: { spec: Record<string, unknown> }[] };
        nodes.items[0].spec.unschedulable = true;
        expect(nodesReady(nodes, "system").problems).toEqual(["ip-10-20-1-17.eu-west-1.compute.internal: cordoned (unschedulable)"]);
        expect(() => nodesReady(fixture("backup-completed.json"), "system")).toThrow(/NodeList/);
    });
});

describe("add-on pod readiness", () => {
    it("covers the five add-on namespaces", () => {
        expect(ADDON_NAMESPACES).toEqual(["karpenter", "external-secrets", "velero", "trivy-system", "monitoring"]);
    });

    it("all Karpenter replicas Ready", () => {
        expect(podsReady(fixture("pods-karpenter-ready.json"))).toEqual({ ok: true, total: 2, ready: 2, problems: [] });
    });

    it("ignores a failed Trivy scan job's pod, judges the operator", () => {
        expect(podsReady(fixture("pods-trivy-with-scan-job.json"))).toEqual({ ok: true, total: 1, ready: 1, problems: [] });
    });

    it("a CrashLoopBackOff Velero pod fails with its reason and restart count", () => {
        const result = podsReady(fixture("pods-velero-crashloop.json"));
        expect(result.ok).toBe(false);
        expect(result.ready).toBe(1);
        expect(result.problems).toEqual(["velero/velero-5f6b7c8d9-2tq7n: velero: CrashLoopBackOff (6 restarts)"]);
    });

    it("a namespace without pods is not ready", () => {
        expect(podsReady(fixture("pods-empty.json")).ok).toBe(false);
    });
});

describe("Velero backup and restore", () => {
    it("Completed is done and ok", () => {
        expect(veleroPhase(fixture("backup-completed.json"), "Backup")).toMatchObject({ done: true, ok: true, phase: "Completed" });
        expect(veleroPhase(fixture("restore-completed.json"), "Restore")).toMatchObject({ done: true, ok: true, phase: "Completed" });
    });

    it("InProgress keeps waiting", () => {
        expect(veleroPhase(fixture("backup-inprogress.json"), "Backup")).toMatchObject({ done: false, ok: false, phase: "InProgress" });
    });

    it("PartiallyFailed is done and fails, with the error count", () => {
        const check = veleroPhase(fixture("backup-partiallyfailed.json"), "Backup");
        expect(check).toMatchObject({ done: true, ok: false, phase: "PartiallyFailed" });
        expect(check.detail).toContain("errors=2");
    });

    it("FailedValidation is done and fails, with the validation error", () => {
        const check = veleroPhase(fixture("restore-failedvalidation.json"), "Restore");
        expect(check).toMatchObject({ done: true, ok: false, phase: "FailedValidation" });
        expect(check.detail).toContain("not found");
    });

    it("a phase-less new object keeps waiting; the wrong kind is an error", () => {
        expect(veleroPhase({ kind: "Backup", metadata: { name: "b" } }, "Backup").done).toBe(false);
        expect(() => veleroPhase(fixture("backup-completed.json"), "Restore")).toThrow(/Restore/);
    });

    it("the Backup and Restore the test applies target one namespace in the velero namespace", () => {
        const backup = backupManifest("it-1", "it-restore-1");
        expect(backup).toMatchObject({ apiVersion: "velero.io/v1", kind: "Backup", metadata: { namespace: "velero" }, spec: { includedNamespaces: ["it-restore-1"], storageLocation: "default" } });
        expect(restoreManifest("it-1", "it-1", "it-restore-1")).toMatchObject({ kind: "Restore", metadata: { namespace: "velero" }, spec: { backupName: "it-1", includedNamespaces: ["it-restore-1"] } });
        // The recorded Backup is what such a manifest becomes.
        const recorded = backupManifest("it-20261128200301", "it-restore-20261128200301") as { spec: object };
        expect((fixture("backup-completed.json") as { spec: unknown }).spec).toMatchObject(recorded.spec);
    });

    it("the restored ConfigMap must carry the data it was backed up with", () => {
        const cm = fixture("configmap-restored.json");
        expect(configMapMatches(cm, { run: "20261128200301", payload: "velero round trip" }).ok).toBe(true);
        expect(configMapMatches(cm, { run: "another run" })).toEqual({ ok: false, detail: "keys differ after restore: run" });
        expect(configMapMatches(fixture("pods-empty.json"), {}).ok).toBe(false);
    });
});

describe("cleanup helpers", () => {
    it("empties a versioned bucket in batches of 1000, delete markers included", () => {
        const versions = Array.from({ length: 1500 }, (_, i) => ({ Key: `backups/b/${i}`, VersionId: `v${i}`, IsLatest: true }));
        const payloads = deleteObjectsPayloads({ Versions: versions, DeleteMarkers: [{ Key: "k", VersionId: "d1" }] });
        expect(payloads.map((p) => p.Objects.length)).toEqual([1000, 501]);
        expect(payloads[1].Objects.at(-1)).toEqual({ Key: "k", VersionId: "d1" });
        expect(deleteObjectsPayloads({})).toEqual([]);
    });

    it("finds the Velero bucket in a stack export", () => {
        const deployment = {
            resources: [
                { type: "aws:s3/bucket:Bucket", urn: "urn:pulumi:it::eks-platform::platform:index:Velero$aws:s3/bucket:Bucket::velero-backups", outputs: { bucket: "velero-backups-abc" } },
                { type: "aws:s3/bucket:Bucket", urn: "urn:pulumi:it::eks-platform::platform:index:Network$aws:s3/bucket:Bucket::flow-logs", outputs: { bucket: "flow" } },
            ],
        };
        expect(veleroBucketNames(deployment)).toEqual(["velero-backups-abc"]);
        expect(veleroBucketNames({})).toEqual([]);
    });
});
