/**
 * External Secrets Operator: chart values, ClusterSecretStore, KMS key and IAM, proven offline
 * against the pinned chart (values.yaml and values.schema.json), the pinned CRDs and AWS's
 * action catalogue and a policy simulator.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clusterSecretStoreManifest, ExternalSecrets, externalSecretsValues, storeConditions } from "../components/externalSecrets";
import { externalSecretsPolicy } from "../components/externalSecrets.iam";
import type { PolicyDocument } from "../components/shared/iamDocuments";
import { CHARTS } from "../components/shared/helm";
import { fakeClusterContext } from "./fixtures/cluster";
import { helmValues as values, planStack, recordedJson, runComponent, type Recorded, type RecordedResource } from "./harness";
import { quantity } from "./support/quantity";
import { crdErrors, type CustomResource } from "./support/crdSchema";
import { mergeValues, unknownValuePaths, valuesSchemaErrors } from "./support/helmValues";
import { simulate, unknownActions, writeActionsOnAnyResource } from "./support/iam";
import { chartDefaults, chartValuesSchema, upstreamAvailable, upstreamPins } from "./support/upstream";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const CLUSTER = "test-cluster";
const PREFIX = "test-cluster/apps/";
const CHART = "external-secrets";
const VERSION = CHARTS.externalSecrets.version;
const ALLOWED = ["payments", "database"];

/**
 * The chart renders each `podSecurityContext` as `omit . "enabled" | toYaml` (templates/
 * deployment.yaml, webhook-deployment.yaml, cert-controller-deployment.yaml): every
 * PodSecurityContext field is read although values.yaml lists only `enabled`.
 */
const FREE_FORM = ["podSecurityContext", "webhook.podSecurityContext", "certController.podSecurityContext"];

async function build(overrides: { highAvailability?: boolean; monitoringEnabled?: boolean; protectStateful?: boolean; allowedNamespaces?: string[] } = {}): Promise<Recorded> {
    const { recorded } = await runComponent(
        () =>
            new ExternalSecrets("external-secrets", {
                cluster: fakeClusterContext({
                    name: CLUSTER,
                    region: REGION,
                    highAvailability: overrides.highAvailability ?? true,
                    protectStateful: overrides.protectStateful ?? true,
                }),
                secretsPrefix: PREFIX,
                allowedNamespaces: overrides.allowedNamespaces ?? ALLOWED,
                monitoring: overrides.monitoringEnabled ? { crds: [] } : undefined,
            }),
        { region: REGION, accountId: ACCOUNT },
    );
    return recorded;
}

/** The chart's schema declares draft 2020-12: valuesSchemaErrors evaluates it with ajv's 2020-12 validator. */
function valuesSchema(): object {
    const schema = chartValuesSchema(CHART, VERSION)!;
    expect((schema as { $schema?: string }).$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    return schema;
}

const COMPONENTS = ["", "webhook", "certController"] as const;
const at = (v: Record<string, any>, component: (typeof COMPONENTS)[number]) => (component ? v[component] : v);

let recorded: Recorded;
let release: RecordedResource;
let operatorPolicy: PolicyDocument;
let keyArn: string;
beforeAll(async () => {
    recorded = await build();
    release = recorded.one("kubernetes:helm.sh/v3:Release", "external-secrets");
    operatorPolicy = recordedJson(recorded.one("aws:iam/rolePolicy:RolePolicy"));
    keyArn = String(operatorPolicy.Statement.find((s) => s.Sid === "DecryptThroughSecretsManager")?.Resource);
});

describe.skipIf(!upstreamAvailable)("Helm values against the pinned chart external-secrets 2.9.0", () => {
    it("sets only keys the chart's values.yaml has", () => {
        expect(unknownValuePaths(values(release), chartDefaults(CHART, VERSION), FREE_FORM)).toEqual([]);
    });

    it("the merged values validate against values.schema.json (dev and prod)", async () => {
        const schema = valuesSchema();
        const dev = (await build({ highAvailability: false, monitoringEnabled: true })).one("kubernetes:helm.sh/v3:Release", "external-secrets");
        for (const r of [release, dev]) expect(valuesSchemaErrors(mergeValues(chartDefaults(CHART, VERSION), values(r)), schema)).toEqual([]);
    });

    it("the checkers catch a typo'd key and a wrongly typed value", () => {
        const v = values(release);
        const typo = { ...v, webhook: { ...v.webhook, replicaCont: 2 }, podDisruptionBudgets: { enabled: true } };
        expect(unknownValuePaths(typo, chartDefaults(CHART, VERSION), FREE_FORM).map((p) => p.path).sort()).toEqual(["podDisruptionBudgets", "webhook.replicaCont"]);
        const wrongType = mergeValues(chartDefaults(CHART, VERSION), { ...v, replicaCount: "2", serviceMonitor: { renderMode: "sometimes" } });
        const errors = valuesSchemaErrors(wrongType, valuesSchema()).join("\n");
        expect(errors).toMatch(/\/replicaCount/);
        expect(errors).toMatch(/\/serviceMonitor\/renderMode/);
    });

    it("is pinned to CHARTS, which equals the upstream README pin", () => {
        expect(CHARTS.externalSecrets.version).toBe(upstreamPins()[CHART]);
        expect([release.inputs.chart, release.inputs.version, release.inputs.repositoryOpts]).toEqual([
            CHARTS.externalSecrets.chart,
            CHARTS.externalSecrets.version,
            { repo: CHARTS.externalSecrets.repository },
        ]);
    });

    it("the chart installs (and so upgrades) its CRDs: installCRDs is on and the release does not skip them", () => {
        expect(values(release).installCRDs).toBe(true);
        expect(release.inputs.skipCrds).toBe(false);
        // Upstream default: only v1 is served, which is what the store uses.
        expect((chartDefaults(CHART, VERSION).crds as Record<string, unknown>).unsafeServeV1Beta1).toBe(false);
    });
});

describe("operator, webhook and cert controller placement and sizing", () => {
    it("all three run on system nodes tolerating their taint", () => {
        const { global } = values(release);
        expect(global.nodeSelector["platform.eks.aws/node-role"]).toBe("system");
        expect(global.tolerations).toContainEqual({ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoSchedule" });
        // Per-component values would override the global ones (`default` in the templates): none set.
        for (const c of COMPONENTS) {
            expect(at(values(release), c).nodeSelector ?? {}).toEqual({});
            expect(at(values(release), c).tolerations ?? []).toEqual([]);
        }
    });

    it("every container has CPU and memory requests and limits", () => {
        for (const c of COMPONENTS) {
            const { resources } = at(values(release), c);
            for (const kind of ["requests", "limits"]) expect(Object.keys(resources[kind]).sort(), `${c || "controller"} ${kind}`).toEqual(["cpu", "memory"]);
        }
    });

    it("prod: two replicas of each with PDBs and leader election; dev: one replica and no PDB that would block drains", async () => {
        for (const c of COMPONENTS) {
            expect(at(values(release), c).replicaCount).toBeGreaterThanOrEqual(2);
            expect(at(values(release), c).podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
        }
        expect(values(release).leaderElect).toBe(true);
        const dev = values((await build({ highAvailability: false })).one("kubernetes:helm.sh/v3:Release", "external-secrets"));
        for (const c of COMPONENTS) {
            expect(at(dev, c).replicaCount).toBe(1);
            expect(at(dev, c).podDisruptionBudget.enabled).toBe(false);
        }
    });

    it("runs non-root with restricted security contexts", () => {
        for (const c of COMPONENTS) {
            const v = at(values(release), c);
            expect(v.podSecurityContext).toMatchObject({ enabled: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
            expect(v.securityContext).toMatchObject({
                enabled: true,
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            });
        }
    });

    it("uses the service account the Pod Identity association names", () => {
        const association = recorded.one("aws:eks/podIdentityAssociation:PodIdentityAssociation");
        expect(association.inputs).toMatchObject({ clusterName: CLUSTER, namespace: "external-secrets", serviceAccount: values(release).serviceAccount.name });
        expect(recorded.dependsOn(release, association)).toBe(true);
    });

    it("renders a ServiceMonitor only with the monitoring stack", async () => {
        expect(values(release).serviceMonitor.enabled).toBe(false);
        expect(externalSecretsValues({ highAvailability: true, monitoringEnabled: true }).serviceMonitor).toEqual({ enabled: true });
    });
});

describe.skipIf(!upstreamAvailable)("ClusterSecretStore against the pinned CRD", () => {
    const store = () => recorded.one("kubernetes:external-secrets.io/v1:ClusterSecretStore");

    it("the registered object validates (undeclared fields are errors)", () => {
        expect(crdErrors(CHART, VERSION, store().inputs as unknown as CustomResource)).toEqual([]);
    });

    it("the checker catches an undeclared field", () => {
        const s = store().inputs as unknown as CustomResource;
        const spec = s.spec as { provider: { aws: object } };
        const typo = { ...s, spec: { ...spec, provider: { aws: { ...spec.provider.aws, regoin: REGION } } } };
        expect(crdErrors(CHART, VERSION, typo).join("\n")).toMatch(/regoin/);
    });

    it("reads Secrets Manager in the stack's region with the operator's own identity (no auth block)", () => {
        const spec = store().inputs.spec as Record<string, any>;
        expect(spec.provider).toEqual({ aws: { service: "SecretsManager", region: REGION } });
    });

    it("is usable only from the allowed namespaces, and never from all when none are allowed", async () => {
        expect((store().inputs.spec as Record<string, unknown>).conditions).toEqual([{ namespaces: ALLOWED }]);
        // ESO treats an empty conditions list as "every namespace".
        expect(storeConditions([])).not.toEqual([]);
        const none = await clusterSecretStoreManifest({ name: "s", region: REGION, allowedNamespaces: [] });
        expect(crdErrors(CHART, VERSION, none)).toEqual([]);
        const regexes = (none.spec.conditions as Array<{ namespaceRegexes: string[] }>)[0].namespaceRegexes.map((r) => new RegExp(r));
        for (const ns of ["payments", "default", "kube-system", "a"]) expect(regexes.some((r) => r.test(ns))).toBe(false);
    });

    it("is created after the chart (CRD and admission webhook)", () => {
        expect(recorded.dependsOn(store(), release)).toBe(true);
        expect(store().provider).toContain("test-k8s");
    });
});

describe("platform secrets KMS key", () => {
    it("rotates, is protected in prod, has an alias", async () => {
        const key = recorded.one("aws:kms/key:Key");
        expect(key.inputs.enableKeyRotation).toBe(true);
        expect(key.protect).toBe(true);
        expect(recorded.one("aws:kms/alias:Alias").inputs.name).toBe(`alias/${CLUSTER}-platform-secrets`);
        expect((await build({ protectStateful: false })).one("aws:kms/key:Key").protect).toBe(false);
    });

    it("key policy: usable by account principals only through Secrets Manager in this region", async () => {
        const keyPolicy = recordedJson(recorded.one("aws:kms/key:Key"));
        expect(await unknownActions(keyPolicy)).toEqual([]);
        const principal = `arn:aws:iam::${ACCOUNT}:role/${CLUSTER}-external-secrets-operator`;
        const decrypt = (context: Record<string, string>) =>
            simulate({ principal, action: "kms:Decrypt", resource: keyArn, resourceAccount: ACCOUNT, resourcePolicy: keyPolicy, identityPolicies: [operatorPolicy], context });
        expect(await decrypt({ "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT })).toBe("Allowed");
        expect(await decrypt({ "kms:CallerAccount": ACCOUNT })).not.toBe("Allowed");
        expect(await decrypt({ "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT })).not.toBe("Allowed");
        // Administration never includes an unconditioned grant (a way around ViaService).
        const admin = keyPolicy.Statement.find((s) => s.Sid === "AccountAdministersKeyThroughIam")!;
        expect([admin.Action].flat()).not.toContain("kms:CreateGrant");
        expect([admin.Action].flat().some((a) => /^kms:(Create|Decrypt|\*)/.test(a!) && a !== "kms:CreateAlias")).toBe(false);
    });
});

describe("operator IAM", () => {
    const principal = `arn:aws:iam::${ACCOUNT}:role/${CLUSTER}-external-secrets-operator`;
    const secret = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
    const ask = (action: string, resource: string, context: Record<string, string> = {}) =>
        simulate({ principal, action, resource, resourceAccount: ACCOUNT, identityPolicies: [operatorPolicy], context });

    it("has exactly the four read actions and Decrypt", () => {
        expect(operatorPolicy.Statement.flatMap((s) => [s.Action].flat()).sort()).toEqual(
            ["kms:Decrypt", "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy", "secretsmanager:GetSecretValue", "secretsmanager:ListSecretVersionIds"].sort(),
        );
        expect(keyArn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    });

    it("uses only actions that exist and no write on *", async () => {
        expect(await unknownActions(operatorPolicy)).toEqual([]);
        expect(await writeActionsOnAnyResource(operatorPolicy)).toEqual([]);
        expect(JSON.stringify(operatorPolicy)).not.toContain('"Resource":"*"');
        expect(JSON.stringify(operatorPolicy)).not.toContain("secret:*");
    });

    it("reads secrets under the prefix and nothing else", async () => {
        expect(await ask("secretsmanager:GetSecretValue", secret(`${PREFIX}payments/db-password`))).toBe("Allowed");
        expect(await ask("secretsmanager:DescribeSecret", secret(`${PREFIX}payments/db-password`))).toBe("Allowed");
        expect(await ask("secretsmanager:GetSecretValue", secret("other/payments/db-password"))).not.toBe("Allowed");
        expect(await ask("secretsmanager:GetSecretValue", secret("test-cluster/appsx/db"))).not.toBe("Allowed");
        expect(await ask("secretsmanager:PutSecretValue", secret(`${PREFIX}payments/db-password`))).not.toBe("Allowed");
        expect(await ask("secretsmanager:ListSecrets", "*")).not.toBe("Allowed");
    });

    it("decrypts with the platform key only through Secrets Manager", async () => {
        // KMS needs both the key policy and the identity policy to allow the call.
        const keyPolicy = recordedJson(recorded.one("aws:kms/key:Key"));
        const decrypt = (resource: string, context: Record<string, string>) =>
            simulate({ principal, action: "kms:Decrypt", resource, resourceAccount: ACCOUNT, identityPolicies: [operatorPolicy], resourcePolicy: keyPolicy, context: { "kms:CallerAccount": ACCOUNT, ...context } });
        const viaSecretsManager = { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` };
        expect(await decrypt(keyArn, viaSecretsManager)).toBe("Allowed");
        expect(await decrypt(keyArn, {})).not.toBe("Allowed");
        expect(await decrypt(`arn:aws:kms:${REGION}:${ACCOUNT}:key/other`, viaSecretsManager)).not.toBe("Allowed");
        // The identity policy limits the operator even under a key policy that trusts the account fully.
        const generous: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
        };
        const underGenerous = (context: Record<string, string>) =>
            simulate({ principal, action: "kms:Decrypt", resource: keyArn, resourceAccount: ACCOUNT, identityPolicies: [operatorPolicy], resourcePolicy: generous, context });
        expect(await underGenerous(viaSecretsManager)).toBe("Allowed");
        expect(await underGenerous({})).not.toBe("Allowed");
    });

    it("rejects a prefix that would widen the scope, saying which prefix and what is wrong", () => {
        const withPrefix = (secretsPrefix: string) => () => externalSecretsPolicy({ partition: "aws", region: REGION, accountId: ACCOUNT, secretsPrefix, kmsKeyArn: keyArn });
        expect(withPrefix("apps")).toThrow('secrets prefix "apps" must end with "/" and contain no wildcard');
        expect(withPrefix("*/")).toThrow('secrets prefix "*/" must end with "/" and contain no wildcard');
    });

    it("trust policy: only external-secrets/external-secrets of this cluster via Pod Identity", async () => {
        const role = recorded.ofType("aws:iam/role:Role").find((r) => String(r.inputs.name).endsWith("external-secrets-operator"))!;
        const trust = recordedJson(role, "assumeRolePolicy");
        const clusterArn = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
        const assume = (namespace: string, serviceAccount: string, cluster = clusterArn) =>
            simulate({
                principal: "pods.eks.amazonaws.com",
                action: "sts:AssumeRole",
                resource: `arn:aws:iam::${ACCOUNT}:role/${role.inputs.name}`,
                resourceAccount: ACCOUNT,
                resourcePolicy: trust,
                context: {
                    "aws:SourceAccount": ACCOUNT,
                    "aws:SourceArn": cluster,
                    "aws:RequestTag/eks-cluster-arn": cluster,
                    "aws:RequestTag/kubernetes-namespace": namespace,
                    "aws:RequestTag/kubernetes-service-account": serviceAccount,
                },
            });
        expect(await assume("external-secrets", "external-secrets")).toBe("Allowed");
        expect(await assume("external-secrets", "external-secrets-webhook")).not.toBe("Allowed");
        expect(await assume("payments", "external-secrets")).not.toBe("Allowed");
        expect(await assume("external-secrets", "external-secrets", `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/other`)).not.toBe("Allowed");
    });
});

describe("namespace guardrails", () => {
    it("the quota fits every replica of the three deployments plus one surge pod each, at their limits", () => {
        const hard = (recorded.one("kubernetes:core/v1:ResourceQuota").inputs.spec as { hard: Record<string, string> }).hard;
        let cpu = 0;
        let memory = 0;
        let pods = 0;
        for (const c of COMPONENTS) {
            const v = at(values(release), c);
            pods += v.replicaCount + 1;
            cpu += (v.replicaCount + 1) * quantity(v.resources.limits.cpu);
            memory += (v.replicaCount + 1) * quantity(v.resources.limits.memory);
        }
        expect(cpu).toBeLessThanOrEqual(quantity(hard["limits.cpu"]));
        expect(memory).toBeLessThanOrEqual(quantity(hard["limits.memory"]));
        expect(pods).toBeLessThanOrEqual(Number(hard.pods));
        expect(recorded.one("kubernetes:core/v1:LimitRange").inputs.metadata).toMatchObject({ namespace: "external-secrets" });
    });
});

describe("namespace", () => {
    it("is locked down with the webhook reachable from the control plane on its port", () => {
        const policies = recorded.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => p.inputs as Record<string, any>);
        const webhookIngress = policies.find((p) => p.spec.policyTypes?.includes("Ingress") && p.spec.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "external-secrets-webhook");
        expect(webhookIngress?.spec.ingress[0].ports).toEqual([{ port: values(release).webhook.port, protocol: "TCP" }]);
        expect(recorded.dependsOn(release, recorded.one("kubernetes:core/v1:Namespace"))).toBe(true);
    });
});

describe.skipIf(!upstreamAvailable)("docs/external-secrets.md", () => {
    const doc = readFileSync(join(__dirname, "..", "docs", "external-secrets.md"), "utf8");
    const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]) as Record<string, any>);
    const example = yamlBlocks.find((b) => b.kind === "ExternalSecret")!;

    it("the example ExternalSecret validates against the pinned CRD", () => {
        expect(example).toBeDefined();
        expect(crdErrors(CHART, VERSION, example as CustomResource)).toEqual([]);
    });

    it("uses the platform's store, from an allowed namespace, reading a key under the prefix", () => {
        expect(example.spec.secretStoreRef.kind).toBe("ClusterSecretStore");
        expect((recorded.one("kubernetes:external-secrets.io/v1:ClusterSecretStore").inputs.metadata as { name: string }).name).toBe(example.spec.secretStoreRef.name);
        expect(ALLOWED).toContain(example.metadata.namespace);
        for (const item of example.spec.data) expect(item.remoteRef.key.startsWith("prod/apps/")).toBe(true);
        expect(example.spec.data.map((d: { secretKey: string }) => d.secretKey)).toContain("password");
    });
});

describe("the prod store also admits the monitoring namespace, for Alertmanager's receivers", () => {
    it("lists every tenant and monitoring, and nothing else", async () => {
        const { recorded } = await planStack("prod");
        const store = recorded.one("kubernetes:external-secrets.io/v1:ClusterSecretStore");
        const namespaces = ((store.inputs.spec as any).conditions as Array<{ namespaces: string[] }>).flatMap((c) => c.namespaces);
        expect(namespaces.sort()).toEqual(["analytics", "database", "monitoring", "payments", "storefront"]);
        const external = recorded.one("kubernetes:external-secrets.io/v1:ExternalSecret");
        expect((external.inputs.metadata as any).namespace).toBe("monitoring");
        expect((external.inputs.spec as any).data[0].remoteRef.key).toBe("prod/apps/alertmanager");
    });
});

/** The key policy as the dev plan attaches it: it limits every principal of the account, whatever IAM grants them. */
describe("platform secrets key policy (dev plan)", () => {
    const account = "111122223333";
    const region = "eu-west-1";
    const EVERYTHING: PolicyDocument = { Version: "2012-10-17", Statement: [{ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }] };
    let keyPolicy: PolicyDocument;
    let platformKey: string;
    beforeAll(async () => {
        const key = (await planStack("dev")).recorded.one("aws:kms/key:Key", "external-secrets-secrets");
        keyPolicy = recordedJson(key);
        platformKey = String(key.outputs.arn);
    }, 60_000);
    const onKey = (principal: string, action: string, context: Record<string, string> = {}) =>
        simulate({ principal, action, resource: platformKey, resourceAccount: account, identityPolicies: [EVERYTHING], resourcePolicy: keyPolicy, context });
    const viaSecretsManager = { "kms:ViaService": `secretsmanager.${region}.amazonaws.com`, "kms:CallerAccount": account };

    it("the account administers the key; another account does not", async () => {
        for (const action of ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DescribeKey", "kms:TagResource"]) {
            expect(await onKey(`arn:aws:iam::${account}:role/platform-admins`, action), action).toBe("Allowed");
            expect(await onKey("arn:aws:iam::999988887777:role/platform-admins", action), action).not.toBe("Allowed");
        }
    });

    it("an administrator of the account uses the key only through Secrets Manager in this region", async () => {
        const admin = `arn:aws:iam::${account}:role/platform-admins`;
        for (const action of ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"]) {
            expect(await onKey(admin, action, viaSecretsManager), action).toBe("Allowed");
            expect(await onKey(admin, action, { "kms:CallerAccount": account }), `${action} directly`).not.toBe("Allowed");
            expect(await onKey(admin, action, { ...viaSecretsManager, "kms:ViaService": `s3.${region}.amazonaws.com` }), `${action} via S3`).not.toBe("Allowed");
            expect(await onKey(admin, action, { ...viaSecretsManager, "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" }), `${action} via another region`).not.toBe("Allowed");
            expect(await onKey(admin, action, { ...viaSecretsManager, "kms:CallerAccount": "999988887777" }), `${action} for another account`).not.toBe("Allowed");
        }
    });
});

/** China regions: Secrets Manager's endpoint, as KMS sees it in kms:ViaService, ends in amazonaws.com.cn. */
describe("in the aws-cn partition", () => {
    let documents: { key: PolicyDocument; operator: PolicyDocument };
    beforeAll(async () => {
        const { recorded: china } = await runComponent(
            () =>
                new ExternalSecrets("external-secrets", {
                    cluster: fakeClusterContext({ name: CLUSTER, region: "cn-north-1", partition: pulumi.output("aws-cn") }),
                    secretsPrefix: PREFIX,
                    allowedNamespaces: ALLOWED,
                }),
            { region: "cn-north-1", accountId: ACCOUNT },
        );
        documents = { key: recordedJson(china.one("aws:kms/key:Key")), operator: recordedJson(china.one("aws:iam/rolePolicy:RolePolicy")) };
    });

    it("the key and the operator name the China endpoint of Secrets Manager and aws-cn ARNs", () => {
        const use = documents.key.Statement.find((s) => [s.Action].flat().includes("kms:Decrypt"))!;
        expect(use.Condition).toEqual({ StringEquals: { "kms:ViaService": "secretsmanager.cn-north-1.amazonaws.com.cn", "kms:CallerAccount": ACCOUNT } });
        expect(use.Principal).toEqual({ AWS: `arn:aws-cn:iam::${ACCOUNT}:root` });
        const decrypt = documents.operator.Statement.find((s) => s.Action === "kms:Decrypt")!;
        expect(decrypt.Condition).toEqual({ StringEquals: { "kms:ViaService": "secretsmanager.cn-north-1.amazonaws.com.cn" } });
        const read = documents.operator.Statement.find((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"))!;
        expect(read.Resource).toBe(`arn:aws-cn:secretsmanager:cn-north-1:${ACCOUNT}:secret:${PREFIX}*`);
    });
});
