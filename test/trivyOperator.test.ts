/**
 * Trivy Operator: values against the pinned chart, placement and security of the operator and
 * its scan jobs, no node collector (no hostPath), CRDs that follow the pinned version.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { TRIVY_OPERATOR_VERSION, TrivyOperator } from "../components/trivyOperator";
import { CHARTS } from "../components/shared/helm";
import { trivySchema, type TrivyConfig } from "../config/addons";
import { fakeClusterContext } from "./fixtures/cluster";
import { helmValues as values, recordedJson, runComponent, type Recorded, type RecordedResource } from "./harness";
import type { PolicyDocument } from "../components/shared/iamDocuments";
import { simulate, unknownActions, writeActionsOnAnyResource } from "./support/iam";
import { unknownValuePaths } from "./support/helmValues";
import { chartDefaults, chartDir, upstreamAvailable, upstreamPins } from "./support/upstream";

const CHART = "trivy-operator";
const VERSION = CHARTS.trivyOperator.version;

async function build(overrides: { config?: Partial<TrivyConfig>; prod?: boolean; monitoring?: boolean } = {}): Promise<Recorded> {
    const { recorded } = await runComponent(() => {
        const cluster = fakeClusterContext({ highAvailability: overrides.prod ?? false, protectStateful: overrides.prod ?? false });
        return new TrivyOperator("trivy-operator", {
            cluster,
            config: { ...trivySchema.parse({}), ...overrides.config },
            monitoring: overrides.monitoring === false ? undefined : { crds: [] },
        });
    });
    return recorded;
}

/**
 * Rendered whole (v0.32.0 templates): `securityContext` with toYaml into the operator container
 * (deployment.yaml), `trivyOperator.scanJobPodTemplateContainerSecurityContext` with toJson into
 * the operator's config (configmaps/operator.yaml). Their non-empty defaults are examples, not a schema.
 */
const FREE_FORM = ["securityContext", "trivyOperator.scanJobPodTemplateContainerSecurityContext"];


let recorded: Recorded;
let release: RecordedResource;
beforeAll(async () => {
    recorded = await build();
    release = recorded.one("kubernetes:helm.sh/v3:Release", "trivy-operator");
});

describe.skipIf(!upstreamAvailable)("Helm values against the pinned chart trivy-operator 0.34.0", () => {
    it("is the pinned chart, and the CRDs come from its app version", () => {
        expect(upstreamPins()[CHART]).toBe(VERSION);
        const appVersion = /appVersion:\s*"?([\d.]+)/.exec(readFileSync(join(chartDir(CHART, VERSION), "Chart.yaml"), "utf8"))?.[1];
        expect(TRIVY_OPERATOR_VERSION).toBe(`v${appVersion}`);
    });

    it("sets only keys the chart's values.yaml has", () => {
        expect(unknownValuePaths(values(release), chartDefaults(CHART, VERSION), FREE_FORM)).toEqual([]);
    });

    it("the checker catches a typo'd key", () => {
        const typo = { ...values(release), operator: { ...values(release).operator, infraAssesmentScannerEnabled: false } };
        expect(unknownValuePaths(typo, chartDefaults(CHART, VERSION), FREE_FORM).map((p) => p.path)).toEqual(["operator.infraAssesmentScannerEnabled"]);
    });

});

describe("the Trivy CRDs", () => {
    it("come from the pinned chart's crds/, installed with the release: no CRD file is fetched", () => {
        expect(release.inputs.skipCrds).toBe(false);
        expect(recorded.resources.filter((r) => r.type.startsWith("kubernetes:yaml/"))).toEqual([]);
    });

    it("are upgraded by hand on a chart bump: docs/trivy.md names the chart version whose CRDs the runbook last applied", () => {
        const doc = readFileSync(join(__dirname, "..", "docs", "trivy.md"), "utf8");
        const documented = /CRDs of chart trivy-operator (\d+\.\d+\.\d+)/.exec(doc)?.[1];
        expect(documented, "docs/trivy.md must say which chart version's CRDs are applied").toBe(VERSION);
    });
});

describe("Trivy Operator", () => {
    it("runs the operator on system nodes, sized and restricted", () => {
        const v = values(release);
        expect(v.nodeSelector).toEqual({ ["platform.eks.aws/node-role"]: "system" });
        expect(v.tolerations).toContainEqual(expect.objectContaining({ key: "CriticalAddonsOnly", effect: "NoSchedule" }));
        expect(v.resources.requests).toBeDefined();
        expect(v.resources.limits).toBeDefined();
        expect(v.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(v.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    });

    it("places, sizes and restricts scan jobs on their own keys", () => {
        const t = values(release).trivyOperator;
        expect(t.scanJobNodeSelector).toEqual({ ["platform.eks.aws/node-role"]: "system" });
        expect(t.scanJobTolerations).toContainEqual(expect.objectContaining({ key: "CriticalAddonsOnly" }));
        expect(t.scanJobPodTemplatePodSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(t.scanJobPodTemplateContainerSecurityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(values(release).trivy.resources.limits).toBeDefined();
        expect(values(release).trivy.command).toBe("image");
    });

    it("turns on vulnerability, config-audit and RBAC reports; off the node collector (hostPath)", () => {
        const o = values(release).operator;
        expect(o).toMatchObject({ vulnerabilityScannerEnabled: true, configAuditScannerEnabled: true, rbacAssessmentScannerEnabled: true, infraAssessmentScannerEnabled: false });
        expect(recorded.one("kubernetes:core/v1:Namespace").inputs.metadata).toMatchObject({ labels: { "pod-security.kubernetes.io/enforce": "restricted" } });
    });

    it("caps the namespace above the operator plus the concurrent scan jobs", () => {
        const hard = (recorded.one("kubernetes:core/v1:ResourceQuota").inputs as any).spec.hard;
        expect(hard["limits.cpu"]).toBe(`${3 + 4 * 3}`);
    });

    it("takes severities and the scan-job limit from config", async () => {
        expect(values(release).trivy.severity).toBe("CRITICAL,HIGH");
        const custom = values((await build({ config: { severities: ["CRITICAL"], scanJobsConcurrentLimit: 7 } })).one("kubernetes:helm.sh/v3:Release", "trivy-operator"));
        expect(custom.trivy.severity).toBe("CRITICAL");
        expect(custom.operator.scanJobsConcurrentLimit).toBe(7);
    });

    it("metrics go to Prometheus only with monitoring", async () => {
        expect(values(release).serviceMonitor.enabled).toBe(true);
        const off = await build({ monitoring: false });
        expect(values(off.one("kubernetes:helm.sh/v3:Release", "trivy-operator")).serviceMonitor.enabled).toBe(false);
    });

    it("in prod: two replicas and a disruption budget; in dev one replica and none", async () => {
        expect(values(release).operator.replicas).toBe(1);
        expect(recorded.ofType("kubernetes:policy/v1:PodDisruptionBudget")).toEqual([]);
        const prod = await build({ prod: true });
        expect(values(prod.one("kubernetes:helm.sh/v3:Release", "trivy-operator")).operator.replicas).toBe(2);
        expect(prod.one("kubernetes:policy/v1:PodDisruptionBudget").inputs.spec).toMatchObject({ minAvailable: 1 });
    });
});

/**
 * Scanning private ECR images: scan jobs run as the operator's service account (trivy-operator
 * v0.32.0 uses OPERATOR_SERVICE_ACCOUNT for every scan job unless they run in the workload's
 * namespace), which carries an IRSA role that may only pull from this account's repositories.
 */
describe("the scan jobs' ECR read identity", () => {
    const ACCOUNT = "111122223333";
    const REGION = "eu-west-1";
    let policy: PolicyDocument;
    let roleArn: string;
    beforeAll(() => {
        policy = recordedJson(recorded.one("aws:iam/rolePolicy:RolePolicy"));
        roleArn = String(recorded.one("aws:iam/role:Role").outputs.arn);
    });
    const pull = (action: string, resource: string) => simulate({ principal: roleArn, action, resource, resourceAccount: /::(\d{12}):/.exec(resource)?.[1] ?? ACCOUNT, identityPolicies: [policy] });
    const repo = (account = ACCOUNT, region = REGION) => `arn:aws:ecr:${region}:${account}:repository/team/payments-api`;

    it("annotates the operator's service account, which the scan jobs run as, with the role", () => {
        const v = values(release);
        expect(v.serviceAccount).toEqual({ create: true, name: "trivy-operator", annotations: { "eks.amazonaws.com/role-arn": roleArn, "eks.amazonaws.com/sts-regional-endpoints": "true" } });
        expect(v.trivyOperator.scanJobsInSameNamespace).toBe(false);
        expect(recorded.dependsOn(release, recorded.one("aws:iam/rolePolicy:RolePolicy"))).toBe(true);
    });

    it("is trusted only by trivy-system/trivy-operator through the cluster's OIDC provider", () => {
        const trust = recordedJson(recorded.one("aws:iam/role:Role"), "assumeRolePolicy");
        const condition = JSON.stringify(trust.Statement[0].Condition);
        expect(condition).toContain('"system:serviceaccount:trivy-system:trivy-operator"');
        expect(trust.Statement[0].Action).toBe("sts:AssumeRoleWithWebIdentity");
    });

    it("names only actions that exist and writes nothing anywhere", async () => {
        expect(await unknownActions(policy)).toEqual([]);
        expect(await writeActionsOnAnyResource(policy)).toEqual([]);
    });

    it("pulls from this account's repositories in this region, and nothing else", async () => {
        expect(await pull("ecr:GetAuthorizationToken", "*")).toBe("Allowed");
        expect(await pull("ecr:BatchGetImage", repo())).toBe("Allowed");
        expect(await pull("ecr:GetDownloadUrlForLayer", repo())).toBe("Allowed");
        expect(await pull("ecr:PutImage", repo())).not.toBe("Allowed");
        expect(await pull("ecr:BatchDeleteImage", repo())).not.toBe("Allowed");
        expect(await pull("ecr:BatchGetImage", repo("999988887777"))).not.toBe("Allowed");
        expect(await pull("ecr:BatchGetImage", repo(ACCOUNT, "us-east-1"))).not.toBe("Allowed");
    });
});
