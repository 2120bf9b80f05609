/**
 * Velero: the backup bucket must survive and must not leak. Proven offline against the pinned
 * chart (values.yaml + values.schema.json), the pinned Velero CRDs, AWS's action catalogue and
 * an IAM policy simulator fed with the program's own recorded policies.
 */
import { expandIamActions } from "@cloud-copilot/iam-expand";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { VELERO_AWS_PLUGIN_IMAGE, Velero } from "../components/velero";
import { KEY_ADMIN_ACTIONS, type PolicyDocument } from "../components/shared/iamDocuments";
import { CHARTS } from "../components/shared/helm";
import { veleroSchema, type VeleroConfig } from "../config/addons";
import { fakeClusterContext } from "./fixtures/cluster";
import { planStackFile, type PlannedStack } from "./fixtures/stacks";
import { helmValues as values, recordedJson, runComponent, type Recorded, type RecordedResource } from "./harness";
import { evaluatePolicies, loadPolicyPackConfig, platformPolicyConfigPath, type PolicyPackConfig } from "../policy/engine";
import { crdErrors, type CustomResource } from "./support/crdSchema";
import { mergeValues, unknownValuePaths, valuesSchemaErrors } from "./support/helmValues";
import { simulate, statement, unknownActions, writeActionsOnAnyResource } from "./support/iam";
import { chartDefaults, chartDir, chartValuesSchema, upstreamAvailable, upstreamPins } from "./support/upstream";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const CLUSTER = "test-cluster";
const CHART = "velero";
const VERSION = CHARTS.velero.version;
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/break-glass`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/github-actions-deployer`;
const DEVELOPER = `arn:aws:iam::${ACCOUNT}:role/developers`;
const PLATFORM_ADMIN = `arn:aws:iam::${ACCOUNT}:role/platform-admins`;

const S3_ALL: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
const EVERYTHING: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

async function build(overrides: { config?: Partial<VeleroConfig>; prod?: boolean; monitoring?: boolean } = {}): Promise<Recorded> {
    const { recorded } = await runComponent(
        () =>
            new Velero("velero", {
                cluster: fakeClusterContext({ name: CLUSTER, region: REGION, protectStateful: overrides.prod ?? false, highAvailability: overrides.prod ?? false }),
                config: { ...veleroSchema.parse({}), ...overrides.config },
                breakGlassRoleArn: BREAK_GLASS,
                deployerRoleArns: [DEPLOYER],
                monitoring: overrides.monitoring === false ? undefined : { crds: [] },
            }),
        { region: REGION, accountId: ACCOUNT },
    );
    return recorded;
}


let recorded: Recorded;
let release: RecordedResource;
let bucket: RecordedResource;
let bucketPolicy: PolicyDocument;
let rolePolicy: PolicyDocument;
let keyPolicy: PolicyDocument;
let bucketArn: string;
let veleroRoleArn: string;
beforeAll(async () => {
    recorded = await build();
    release = recorded.one("kubernetes:helm.sh/v3:Release", "velero");
    bucket = recorded.one("aws:s3/bucket:Bucket");
    bucketPolicy = recordedJson(recorded.one("aws:s3/bucketPolicy:BucketPolicy"));
    rolePolicy = recordedJson(recorded.one("aws:iam/rolePolicy:RolePolicy"));
    keyPolicy = recordedJson(recorded.one("aws:kms/key:Key"));
    bucketArn = `arn:aws:s3:::${String(bucket.inputs.bucket)}`;
    veleroRoleArn = `arn:aws:iam::${ACCOUNT}:role/${String(recorded.one("aws:iam/role:Role").inputs.name)}`;
});

describe.skipIf(!upstreamAvailable)("Helm values against the pinned chart velero 12.1.0", () => {
    it("is the pinned chart", () => {
        expect(upstreamPins()[CHART]).toBe(VERSION);
    });

    it("sets only keys the chart's values.yaml has", () => {
        expect(unknownValuePaths(values(release), chartDefaults(CHART, VERSION))).toEqual([]);
    });

    it("validates against the chart's values.schema.json after Helm's merge", () => {
        const schema = chartValuesSchema(CHART, VERSION)!;
        expect(schema).toBeDefined();
        expect(valuesSchemaErrors(mergeValues(chartDefaults(CHART, VERSION), values(release)), schema)).toEqual([]);
    });

    it("the checks catch a typo'd key and a wrongly typed value", () => {
        const typo = { ...values(release), deployNodeAgnet: false, configuration: { ...values(release).configuration, backupStorageLocations: [] } };
        expect(unknownValuePaths(typo, chartDefaults(CHART, VERSION)).map((p) => p.path).sort()).toEqual(["configuration.backupStorageLocations", "deployNodeAgnet"]);
        // The pre-12 map form of the storage location is rejected by the schema.
        const mapForm = { ...values(release), configuration: { ...values(release).configuration, backupStorageLocation: { bucket: "b", provider: "aws" } } };
        expect(valuesSchemaErrors(mergeValues(chartDefaults(CHART, VERSION), mapForm), chartValuesSchema(CHART, VERSION)!).length).toBeGreaterThan(0);
    });

    it("the storage locations and the schedule the chart renders validate against the pinned CRDs", () => {
        const v = values(release);
        const [bsl] = v.configuration.backupStorageLocation;
        const [vsl] = v.configuration.volumeSnapshotLocation;
        const resources: CustomResource[] = [
            // As templates/backupstoragelocation.yaml renders them.
            { apiVersion: "velero.io/v1", kind: "BackupStorageLocation", metadata: { name: bsl.name }, spec: { provider: bsl.provider, accessMode: "ReadWrite", default: bsl.default, objectStorage: { bucket: bsl.bucket }, config: bsl.config } },
            { apiVersion: "velero.io/v1", kind: "VolumeSnapshotLocation", metadata: { name: vsl.name }, spec: { provider: vsl.provider, config: vsl.config } },
            ...Object.entries(v.schedules as Record<string, any>).map(([name, s]) => ({ apiVersion: "velero.io/v1", kind: "Schedule", metadata: { name }, spec: { schedule: s.schedule, template: s.template } })),
        ];
        for (const resource of resources) expect(crdErrors(CHART, VERSION, resource), resource.kind).toEqual([]);
        // ...and the validator is strict: a misspelt template field is an error.
        const bad = { ...resources[2], spec: { ...(resources[2].spec as object), template: { ...v.schedules.daily.template, includeNamespaces: ["*"] } } };
        expect(crdErrors(CHART, VERSION, bad).join("\n")).toMatch(/includeNamespaces/);
    });
});

describe("Velero deployment", () => {
    it("holds cluster-admin through the program's own binding (seen at preview), not through the chart's RBAC", () => {
        const binding = recorded.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
        expect(binding.inputs).toMatchObject({
            metadata: { name: "velero-server" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
            subjects: [{ kind: "ServiceAccount", name: "velero-server", namespace: "velero" }],
        });
        // The chart would add the same binding and a `*` Role in its namespace.
        expect(values(release).rbac).toEqual({ create: false });
        expect(recorded.dependsOn(release, binding)).toBe(true);
    });

    it("the pack blocks that binding unless its exemption names exactly it", () => {
        const binding = recorded.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
        const subject = [{ urn: binding.urn, type: binding.type, name: binding.name, props: binding.props }];
        const platform = loadPolicyPackConfig(platformPolicyConfigPath);
        const findings = (config: PolicyPackConfig) => evaluatePolicies(subject, config).violations.filter((v) => v.policy === "k8s-no-cluster-admin-binding").map((v) => v.message);
        expect(findings(platform)).toEqual([]);
        expect(findings({ ...platform, "k8s-no-cluster-admin-binding": "mandatory" })).toEqual(["binds the cluster-admin role"]);
        expect((platform["k8s-no-cluster-admin-binding"] as { exemptObjects: unknown[] }).exemptObjects).toEqual([
            expect.objectContaining({ kind: "ClusterRoleBinding", name: "velero-server" }),
        ]);
    });

    it.skipIf(!upstreamAvailable)("the pinned chart deploys Velero 1.18, the release the plugin pin is paired with", () => {
        const chart = readFileSync(join(chartDir(CHART, VERSION), "Chart.yaml"), "utf8");
        expect(chart).toMatch(/^appVersion:\s*"?1\.18\.\d+"?\s*$/m);
        expect(values(release).image?.tag).toBeUndefined();
    });

    it("installs the AWS plugin that the compatibility table pairs with Velero 1.18 (v1.14.x) as an init container", () => {
        const plugin = (values(release).initContainers as any[]).find((c) => c.name === "velero-plugin-for-aws");
        expect(plugin.image).toBe(VELERO_AWS_PLUGIN_IMAGE);
        expect(plugin.image).toMatch(/^velero\/velero-plugin-for-aws:v1\.14\.\d+$/);
        expect(plugin.volumeMounts).toContainEqual({ mountPath: "/target", name: "plugins" });
        expect(plugin.securityContext.allowPrivilegeEscalation).toBe(false);
        expect(plugin.resources.limits).toBeDefined();
    });

    it("runs without node agent, secrets or hostPath, restricted, sized and on system nodes (the CRD job too)", () => {
        const v = values(release);
        expect(v.deployNodeAgent).toBe(false);
        expect(v.credentials.useSecret).toBe(false);
        expect(v.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(v.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(v.resources.requests).toBeDefined();
        expect(v.resources.limits).toBeDefined();
        expect(v.nodeSelector).toEqual({ ["platform.eks.aws/node-role"]: "system" });
        expect(v.tolerations).toContainEqual(expect.objectContaining({ key: "CriticalAddonsOnly", effect: "NoSchedule" }));
        // templates/upgrade-crds/upgrade-crds.yaml: same pod security context, containerSecurityContext,
        // nodeSelector and tolerations; its own resources.
        expect(v.upgradeCRDs).toBe(true);
        expect(v.upgradeJobResources.limits).toBeDefined();
        expect(v.upgradeCRDsJob.extraVolumeMounts).toContainEqual({ name: "home", mountPath: "/tmp" });
    });

    it("uses IRSA for its own service account, with the role annotated on it", () => {
        const v = values(release);
        expect(v.serviceAccount.server.name).toBe("velero-server");
        expect(v.serviceAccount.server.annotations["eks.amazonaws.com/role-arn"]).toBe(veleroRoleArn);
        const trust = recordedJson(recorded.one("aws:iam/role:Role"), "assumeRolePolicy");
        expect(trust.Statement).toHaveLength(1);
        expect(JSON.stringify(trust.Statement[0].Condition)).toContain("system:serviceaccount:velero:velero-server");
        expect(recorded.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")).toEqual([]);
    });

    it("stores backups in this bucket and snapshots volumes in this region", () => {
        const v = values(release);
        expect(v.configuration.backupStorageLocation).toEqual([{ name: "default", provider: "aws", bucket: bucket.inputs.bucket, default: true, config: { region: REGION } }]);
        expect(v.configuration.volumeSnapshotLocation).toEqual([{ name: "default", provider: "aws", config: { region: REGION } }]);
        expect(v.configuration.extraEnvVars).toContainEqual({ name: "AWS_CLUSTER_NAME", value: CLUSTER });
    });

    it("schedules a daily 02:00 backup kept 720h of every namespace, by default", () => {
        const schedule = values(release).schedules.daily;
        expect(schedule.schedule).toBe("0 2 * * *");
        expect(schedule.template.ttl).toBe("720h");
        expect(schedule.template.includedNamespaces).toEqual(["*"]);
        expect(schedule.template.includeClusterResources).toBe(true);
    });

    it("takes the schedule from config", async () => {
        const custom = await build({ config: { schedule: "30 1 * * *", ttl: "168h" } });
        const schedule = values(custom.one("kubernetes:helm.sh/v3:Release", "velero")).schedules.daily;
        expect(schedule).toMatchObject({ schedule: "30 1 * * *", template: { ttl: "168h" } });
    });

    it("renders a ServiceMonitor only with monitoring, without autodetect (which would silently skip it)", async () => {
        expect(values(release).metrics.serviceMonitor).toEqual({ enabled: true, autodetect: false });
        const off = await build({ monitoring: false });
        expect(values(off.one("kubernetes:helm.sh/v3:Release", "velero")).metrics.serviceMonitor.enabled).toBe(false);
    });

    it("owns a restricted namespace", () => {
        const ns = recorded.one("kubernetes:core/v1:Namespace");
        expect((ns.inputs.metadata as any).labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    });
});

describe("the backup bucket and its companions", () => {
    const companion = (type: string) => recorded.one(type);

    it("versioning, SSE-KMS with its own key, all four public-access blocks and owner-enforced all point at the bucket", () => {
        const id = bucket.inputs.bucket;
        expect(companion("aws:s3/bucketVersioning:BucketVersioning").inputs).toMatchObject({ bucket: id, versioningConfiguration: { status: "Enabled" } });
        const sse = companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs as any;
        expect(sse.bucket).toBe(id);
        expect(sse.rules[0]).toMatchObject({ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true });
        // The same key Velero may use through S3 (not aws/s3).
        expect(sse.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId).toBe(statement(rolePolicy, "UseTheBucketKeyThroughS3").Resource);
        expect(companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
            bucket: id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(companion("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs).toMatchObject({ bucket: id, rule: { objectOwnership: "BucketOwnerEnforced" } });
        expect(companion("aws:s3/bucketPolicy:BucketPolicy").inputs.bucket).toBe(id);
        const lifecycle = companion("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs as any;
        expect(lifecycle.bucket).toBe(id);
        expect(lifecycle.rules[0]).toMatchObject({ status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 30 } });
    });

    it("has a rotating key of its own", () => {
        expect(recorded.one("aws:kms/key:Key").inputs).toMatchObject({ enableKeyRotation: true });
    });

    it("no Object Lock unless configured; with it, the bucket and a default retention", async () => {
        expect(bucket.inputs.objectLockEnabled).toBe(false);
        expect(recorded.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")).toEqual([]);
        const locked = await build({ config: { objectLock: { enabled: true, mode: "COMPLIANCE", retentionDays: 14 } } });
        expect(locked.one("aws:s3/bucket:Bucket").inputs.objectLockEnabled).toBe(true);
        expect(locked.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs).toMatchObject({ rule: { defaultRetention: { mode: "COMPLIANCE", days: 14 } } });
    });

    it("in prod, bucket, key and the bucket's guards are protected and retained on delete; in dev they are not", async () => {
        const prod = await build({ prod: true });
        for (const type of ["aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]) {
            const r = prod.one(type);
            expect({ type, protect: r.protect, retainOnDelete: r.retainOnDelete }).toEqual({ type, protect: true, retainOnDelete: true });
            const dev = recorded.one(type);
            expect({ type, protect: dev.protect, retainOnDelete: dev.retainOnDelete }).toEqual({ type, protect: false, retainOnDelete: false });
        }
    });
});

describe("IAM: every action exists, nothing unscoped", () => {
    it("every action in the role, bucket and key policies exists in AWS's catalogue", async () => {
        for (const doc of [rolePolicy, bucketPolicy, keyPolicy]) expect(await unknownActions(doc)).toEqual([]);
    });

    it("the role has no write action on `*` and no wildcard action", async () => {
        expect(await writeActionsOnAnyResource(rolePolicy)).toEqual([]);
        expect(JSON.stringify(rolePolicy)).not.toMatch(/"Action":"\*"|"[a-z0-9]+:\*"/);
    });

    it("S3 on this bucket only; snapshots deleted only when tagged for this cluster", () => {
        expect(statement(rolePolicy, "ListTheBackupBucket").Resource).toBe(bucketArn);
        expect(statement(rolePolicy, "ReadWriteBackupObjects").Resource).toBe(`${bucketArn}/*`);
        const del = statement(rolePolicy, "DeleteOnlyThisClustersSnapshots");
        expect(del.Condition).toEqual({ StringEquals: { "aws:ResourceTag/kubernetes.io/cluster/test-cluster": "owned" } });
        expect(statement(rolePolicy, "CreateSnapshotsTaggedForThisCluster").Condition).toEqual({ StringEquals: { "aws:RequestTag/kubernetes.io/cluster/test-cluster": "owned" } });
    });

    it("the simulator agrees: Velero may delete its snapshots, not another cluster's", async () => {
        const snapshot = `arn:aws:ec2:${REGION}::snapshot/snap-0123456789abcdef0`;
        const request = (tagValue: string) =>
            simulate({
                principal: veleroRoleArn,
                action: "ec2:DeleteSnapshot",
                resource: snapshot,
                resourceAccount: ACCOUNT,
                context: { "aws:ResourceTag/kubernetes.io/cluster/test-cluster": tagValue },
                identityPolicies: [rolePolicy],
            });
        expect(await request("owned")).toBe("Allowed");
        expect(await request("shared")).not.toBe("Allowed");
    });

    it("the key policy lets the account administer the key but not use it", async () => {
        const root = keyPolicy.Statement.find((s) => JSON.stringify(s.Principal).includes(":root"))!;
        const granted = (await Promise.all((root.Action as string[]).map((a) => expandIamActions(a)))).flat();
        expect(granted).toContain("kms:PutKeyPolicy");
        for (const use of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"]) expect(granted).not.toContain(use);
        expect(KEY_ADMIN_ACTIONS).not.toContain("kms:*");
        // Not even through a grant it would give itself.
        expect(granted).not.toContain("kms:CreateGrant");
        const users = keyPolicy.Statement.filter((s) => (s.Action as string[]).includes("kms:Decrypt")).map((s) => (s.Principal as { AWS: string }).AWS);
        expect(users.sort()).toEqual([BREAK_GLASS, veleroRoleArn].sort());
    });
});

/**
 * THE BREACH TEST. A low-level developer account reads the production backup of the
 * cluster's state: with the program's own bucket policy (read back from what it registered)
 * that request must be explicitly denied, whatever the principal's identity policy says.
 */
describe("breach test: nobody but Velero and break-glass reads a backup", () => {
    const object = () => `${bucketArn}/backups/velero-daily-20260101020000/velero-backup.json`;
    const request = (principal: string, action: string, resource: string, identityPolicies: PolicyDocument[], context: Record<string, string> = {}) =>
        simulate({ principal, action, resource, resourceAccount: ACCOUNT, identityPolicies, resourcePolicy: bucketPolicy, context });

    it("a developer holding s3:* on * is explicitly denied reading, listing and deleting backups", async () => {
        expect(await request(DEVELOPER, "s3:GetObject", object(), [S3_ALL])).toBe("ExplicitlyDenied");
        expect(await request(DEVELOPER, "s3:GetObjectVersion", object(), [S3_ALL])).toBe("ExplicitlyDenied");
        expect(await request(DEVELOPER, "s3:ListBucket", bucketArn, [S3_ALL])).toBe("ExplicitlyDenied");
        expect(await request(DEVELOPER, "s3:DeleteObject", object(), [S3_ALL])).toBe("ExplicitlyDenied");
    });

    it("platform admins with * on * are denied too, and cannot rewrite the bucket policy", async () => {
        expect(await request(PLATFORM_ADMIN, "s3:GetObject", object(), [EVERYTHING])).toBe("ExplicitlyDenied");
        expect(await request(PLATFORM_ADMIN, "s3:PutBucketPolicy", bucketArn, [EVERYTHING])).toBe("ExplicitlyDenied");
        expect(await request(PLATFORM_ADMIN, "s3:DeleteBucketPolicy", bucketArn, [EVERYTHING])).toBe("ExplicitlyDenied");
    });

    it("the Velero role, with its own identity policy, reads and writes backups", async () => {
        expect(await request(veleroRoleArn, "s3:GetObject", object(), [rolePolicy])).toBe("Allowed");
        expect(await request(veleroRoleArn, "s3:PutObject", object(), [rolePolicy])).toBe("Allowed");
        expect(await request(veleroRoleArn, "s3:ListBucket", bucketArn, [rolePolicy])).toBe("Allowed");
        // ...but nothing beyond the plugin's actions.
        expect(await request(veleroRoleArn, "s3:PutBucketPolicy", bucketArn, [rolePolicy])).not.toBe("Allowed");
    });

    it("break-glass reads backups", async () => {
        const breakGlassIdentity: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "*" }] };
        expect(await request(BREAK_GLASS, "s3:GetObject", object(), [breakGlassIdentity])).toBe("Allowed");
    });

    it("non-TLS requests are denied even for Velero", async () => {
        expect(await request(veleroRoleArn, "s3:GetObject", object(), [rolePolicy], { "aws:SecureTransport": "false" })).toBe("ExplicitlyDenied");
    });

    it("the deployer can still manage the bucket's configuration (pulumi up keeps working) but cannot read backups", async () => {
        expect(await request(DEPLOYER, "s3:PutBucketPolicy", bucketArn, [S3_ALL])).toBe("Allowed");
        expect(await request(DEPLOYER, "s3:GetBucketPolicy", bucketArn, [S3_ALL])).toBe("Allowed");
        expect(await request(DEPLOYER, "s3:PutBucketVersioning", bucketArn, [S3_ALL])).toBe("Allowed");
        // HeadBucket (the provider's read of the bucket) needs s3:ListBucket.
        expect(await request(DEPLOYER, "s3:ListBucket", bucketArn, [S3_ALL])).toBe("Allowed");
        expect(await request(DEPLOYER, "s3:GetObject", object(), [S3_ALL])).toBe("ExplicitlyDenied");
        expect(await request(DEPLOYER, "s3:GetObjectVersion", object(), [S3_ALL])).toBe("ExplicitlyDenied");
    });

    it("the test can fail: without the deny statements the developer would be allowed", async () => {
        const tlsOnly: PolicyDocument = { ...bucketPolicy, Statement: bucketPolicy.Statement.filter((s) => s.Sid === "DenyInsecureTransport") };
        expect(await simulate({ principal: DEVELOPER, action: "s3:GetObject", resource: object(), resourceAccount: ACCOUNT, identityPolicies: [S3_ALL], resourcePolicy: tlsOnly })).toBe("Allowed");
    });
});

/**
 * `pulumi destroy`, from what each stack file makes of the bucket. Outside production the stack
 * must destroy cleanly with the deployer's rights: the bucket is force-destroyed (every version
 * deleted, GOVERNANCE retention bypassed) and its policy lets the deployer delete (never read)
 * backups. Protected stacks keep bucket and keys: destroy refuses, and deletes are denied.
 */
describe.each(["dev", "prod"])("pulumi destroy of the %s stack", (stack) => {
    let planned: PlannedStack;
    let policy: PolicyDocument;
    let arn: string;
    let deployer: string;
    beforeAll(async () => {
        planned = await planStackFile(stack);
        policy = recordedJson(planned.recorded.one("aws:s3/bucketPolicy:BucketPolicy", "velero-backups"));
        arn = String(planned.recorded.one("aws:s3/bucket:Bucket", "velero-backups").outputs.arn);
        deployer = planned.config.access.deployerRoleArn;
    }, 60_000);

    const account = () => /::(\d{12}):/.exec(deployer)![1];
    const ask = (principal: string, action: string, resource: string) =>
        simulate({ principal, action, resource, resourceAccount: account(), identityPolicies: [S3_ALL], resourcePolicy: policy });
    const key = () => `${arn}/backups/daily-20261130020000/velero-backup.json`;

    if (stack === "dev") {
        it("force-destroys the bucket and leaves bucket and keys unprotected", () => {
            const bucketResource = planned.recorded.one("aws:s3/bucket:Bucket", "velero-backups");
            expect(bucketResource.props.forceDestroy).toBe(true);
            expect(bucketResource.protect).toBe(false);
            expect(planned.recorded.one("aws:kms/key:Key", "velero-backups").protect).toBe(false);
        });

        it("lets the deployer list and delete every object version and the bucket, but still not read a backup", async () => {
            expect(await ask(deployer, "s3:ListBucketVersions", arn)).toBe("Allowed");
            expect(await ask(deployer, "s3:DeleteObjectVersion", key())).toBe("Allowed");
            expect(await ask(deployer, "s3:DeleteObject", key())).toBe("Allowed");
            expect(await ask(deployer, "s3:BypassGovernanceRetention", key())).toBe("Allowed");
            expect(await ask(deployer, "s3:DeleteBucket", arn)).toBe("Allowed");
            expect(await ask(deployer, "s3:GetObject", key())).toBe("ExplicitlyDenied");
            expect(await ask(deployer, "s3:GetObjectVersion", key())).toBe("ExplicitlyDenied");
        });

        it("still denies deleting backups to everyone else", async () => {
            const developer = planned.config.access.developerRoleArns[0];
            expect(await ask(developer, "s3:DeleteObjectVersion", key())).toBe("ExplicitlyDenied");
            expect(await ask(developer, "s3:PutObject", key())).toBe("ExplicitlyDenied");
        });
    } else {
        it("keeps the bucket and its keys: protected, retained, never force-destroyed", () => {
            const bucketResource = planned.recorded.one("aws:s3/bucket:Bucket", "velero-backups");
            expect(bucketResource.props.forceDestroy).toBe(false);
            expect(bucketResource).toMatchObject({ protect: true, retainOnDelete: true });
            expect(planned.recorded.one("aws:kms/key:Key", "velero-backups")).toMatchObject({ protect: true, retainOnDelete: true });
        });

        it("denies the deployer deleting backups", async () => {
            expect(await ask(deployer, "s3:DeleteObjectVersion", key())).toBe("ExplicitlyDenied");
            expect(await ask(deployer, "s3:BypassGovernanceRetention", key())).toBe("ExplicitlyDenied");
        });
    }
});

/**
 * The role, key and bucket policies as the dev and prod plans attach them, judged by the
 * simulator: what Velero does to back up and restore, and the near misses it must not get.
 */
describe.each(["dev", "prod"])("Velero's documents in the %s plan", (stack) => {
    const ACCOUNT_ID = stack === "prod" ? "444455556666" : "111122223333";
    const region = stack === "prod" ? "eu-central-1" : "eu-west-1";
    const OTHER_ACCOUNT = "999988887777";
    const admins = `arn:aws:iam::${ACCOUNT_ID}:role/platform-admins`;
    const developers = `arn:aws:iam::${ACCOUNT_ID}:role/developers`;
    /** A key policy that leaves every decision to IAM (KMS's default): the role policy alone decides. */
    const delegatingToIam: PolicyDocument = {
        Version: "2012-10-17",
        Statement: [{ Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: "kms:*", Resource: "*" }],
    };
    let planned: PlannedStack;
    let role: PolicyDocument;
    let key: PolicyDocument;
    let bucketGuard: PolicyDocument;
    let velero: string;
    let keyArn: string;
    let backups: string;
    const cluster = `eks-platform-${stack}`;
    const owned = { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: "owned" };
    const requestOwned = { [`aws:RequestTag/kubernetes.io/cluster/${cluster}`]: "owned" };
    const volume = `arn:aws:ec2:${region}:${ACCOUNT_ID}:volume/vol-0123456789abcdef0`;
    const snapshot = `arn:aws:ec2:${region}::snapshot/snap-0123456789abcdef0`;
    const viaS3 = { "kms:ViaService": `s3.${region}.amazonaws.com`, "kms:CallerAccount": ACCOUNT_ID };
    beforeAll(async () => {
        planned = await planStackFile(stack);
        role = recordedJson(planned.recorded.one("aws:iam/rolePolicy:RolePolicy", "velero-irsa-least-privilege"), "policy", "props");
        key = recordedJson(planned.recorded.one("aws:kms/key:Key", "velero-backups"));
        bucketGuard = recordedJson(planned.recorded.one("aws:s3/bucketPolicy:BucketPolicy", "velero-backups"));
        velero = `arn:aws:iam::${ACCOUNT_ID}:role/${String(planned.recorded.one("aws:iam/role:Role", "velero-irsa").inputs.name)}`;
        keyArn = String(planned.recorded.one("aws:kms/key:Key", "velero-backups").outputs.arn);
        backups = String(planned.recorded.one("aws:s3/bucket:Bucket", "velero-backups").outputs.arn);
    }, 60_000);
    const asVelero = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
        simulate({ principal: velero, action, resource, resourceAccount: ACCOUNT_ID, identityPolicies: [role], context });

    it("its role policy alone uses the bucket key only through S3 in its region (under a key policy that defers to IAM)", async () => {
        const useKey = (action: string, context: Record<string, string>) =>
            simulate({ principal: velero, action, resource: keyArn, resourceAccount: ACCOUNT_ID, identityPolicies: [role], resourcePolicy: delegatingToIam, context });
        for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
            expect(await useKey(action, viaS3), action).toBe("Allowed");
            expect(await useKey(action, { "kms:CallerAccount": ACCOUNT_ID }), `${action} directly`).not.toBe("Allowed");
            expect(await useKey(action, { ...viaS3, "kms:ViaService": `secretsmanager.${region}.amazonaws.com` }), `${action} via Secrets Manager`).not.toBe("Allowed");
            expect(await useKey(action, { ...viaS3, "kms:ViaService": "s3.us-east-1.amazonaws.com" }), `${action} via S3 of another region`).not.toBe("Allowed");
        }
        expect(await useKey("kms:ScheduleKeyDeletion", viaS3)).not.toBe("Allowed");
    });

    it("describes volumes and snapshots in its region only", async () => {
        for (const action of ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"]) {
            expect(await asVelero(action, "*", { "aws:RequestedRegion": region }), action).toBe("Allowed");
            expect(await asVelero(action, "*", { "aws:RequestedRegion": "us-east-1" }), action).not.toBe("Allowed");
        }
    });

    it("snapshots only this cluster's volumes, into snapshots tagged for it", async () => {
        expect(await asVelero("ec2:CreateSnapshot", volume, owned)).toBe("Allowed");
        expect(await asVelero("ec2:CreateSnapshot", volume, { "aws:ResourceTag/kubernetes.io/cluster/eks-platform-other": "owned" }), "another cluster's volume").not.toBe("Allowed");
        expect(await asVelero("ec2:CreateSnapshot", volume, {}), "an untagged volume").not.toBe("Allowed");
        expect(await asVelero("ec2:CreateSnapshot", snapshot, requestOwned)).toBe("Allowed");
        expect(await asVelero("ec2:CreateSnapshot", snapshot, {}), "an untagged snapshot").not.toBe("Allowed");
    });

    it("restores only from this cluster's snapshots, into volumes tagged for it", async () => {
        expect(await asVelero("ec2:CreateVolume", snapshot, owned)).toBe("Allowed");
        expect(await asVelero("ec2:CreateVolume", snapshot, { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: "shared" }), "a snapshot not owned").not.toBe("Allowed");
        expect(await asVelero("ec2:CreateVolume", snapshot, {}), "an untagged snapshot").not.toBe("Allowed");
        expect(await asVelero("ec2:CreateVolume", volume, requestOwned)).toBe("Allowed");
        expect(await asVelero("ec2:CreateVolume", volume, {}), "a volume without the cluster tag").not.toBe("Allowed");
    });

    it("tags volumes and snapshots only while creating them", async () => {
        expect(await asVelero("ec2:CreateTags", snapshot, { "ec2:CreateAction": "CreateSnapshot" })).toBe("Allowed");
        expect(await asVelero("ec2:CreateTags", volume, { "ec2:CreateAction": "CreateVolume" })).toBe("Allowed");
        expect(await asVelero("ec2:CreateTags", volume, {}), "retagging an existing volume").not.toBe("Allowed");
        expect(await asVelero("ec2:CreateTags", snapshot, {}), "retagging an existing snapshot").not.toBe("Allowed");
        expect(await asVelero("ec2:CreateTags", volume, { "ec2:CreateAction": "RunInstances" }), "tagging as part of another call").not.toBe("Allowed");
        expect(await asVelero("ec2:CreateTags", `arn:aws:ec2:${region}:${ACCOUNT_ID}:instance/i-1`, { "ec2:CreateAction": "CreateVolume" }), "tagging an instance").not.toBe("Allowed");
    });

    describe("the key policy, whatever IAM grants", () => {
        const onKey = (principal: string, action: string, context: Record<string, string> = {}) =>
            simulate({ principal, action, resource: keyArn, resourceAccount: ACCOUNT_ID, identityPolicies: [EVERYTHING], resourcePolicy: key, context });

        it("lets the account administer the key, never another account", async () => {
            for (const action of ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DescribeKey"]) {
                expect(await onKey(admins, action), action).toBe("Allowed");
                expect(await onKey(`arn:aws:iam::${OTHER_ACCOUNT}:role/platform-admins`, action), action).not.toBe("Allowed");
            }
        });

        it("lets Velero use the key only through S3 of its own account and region", async () => {
            for (const action of ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"]) {
                expect(await onKey(velero, action, viaS3), action).toBe("Allowed");
                expect(await onKey(velero, action, { "kms:CallerAccount": ACCOUNT_ID }), `${action} directly`).not.toBe("Allowed");
                expect(await onKey(velero, action, { ...viaS3, "kms:ViaService": "s3.us-east-1.amazonaws.com" }), `${action} via another region`).not.toBe("Allowed");
                expect(await onKey(velero, action, { ...viaS3, "kms:CallerAccount": OTHER_ACCOUNT }), `${action} for another account`).not.toBe("Allowed");
            }
        });

        it("lets break-glass use the key directly, and nobody else", async () => {
            const breakGlass = planned.config.access.breakGlassRoleArn;
            expect(await onKey(breakGlass, "kms:Decrypt")).toBe("Allowed");
            expect(await onKey(breakGlass, "kms:GenerateDataKey")).toBe("Allowed");
            expect(await onKey(admins, "kms:Decrypt")).not.toBe("Allowed");
        });
    });

    it("the bucket policy lets Velero read and write backups, and denies everyone else", async () => {
        const object = `${backups}/backups/daily-20261130020000/velero-backup.json`;
        const ask = (principal: string, action: string, identity: PolicyDocument) =>
            simulate({ principal, action, resource: object, resourceAccount: ACCOUNT_ID, identityPolicies: [identity], resourcePolicy: bucketGuard });
        for (const action of ["s3:GetObject", "s3:PutObject"]) {
            expect(await ask(velero, action, role), action).toBe("Allowed");
            expect(await ask(developers, action, S3_ALL), action).toBe("ExplicitlyDenied");
        }
        expect(await ask(planned.config.access.breakGlassRoleArn, "s3:GetObject", S3_ALL)).toBe("Allowed");
    });
});
