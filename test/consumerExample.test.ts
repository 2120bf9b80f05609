/**
 * examples/consumer: an application team's stack, run under the mocks with the outputs of a
 * real dev plan of the platform behind its StackReference. It must deploy a workload the policy
 * pack accepts, into its tenant namespace, and refuse platform outputs that break the contract.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SECRET_FIELDS } from "../contract/outputs";
import { createPlan } from "../plan";
import { runProgram, PROJECT_DIR, type ProgramRun } from "../plan/run";
import { loadStackConfig, type StackConfigSource } from "../plan/stackConfig";
import { evaluatePolicies, loadPolicyPackConfig, platformPolicyConfigPath, type PolicyReport } from "../policy/engine";
import { Recorded } from "./harness";
import { unsecretedOutputs } from "./support/platformOutputs";

const CONSUMER_DIR = join(PROJECT_DIR, "examples", "consumer");
const PLATFORM_STACK = "acme/eks-platform/dev";

let platformOutputs: Record<string, unknown>;

/** The consumer's dev stack file, with the platform stack named concretely. */
function consumerSource(overrides: Record<string, string> = {}): StackConfigSource {
    const source = loadStackConfig(CONSUMER_DIR, "dev");
    return { ...source, values: { ...source.values, "payments-app:platformStack": PLATFORM_STACK, ...overrides } };
}

async function runConsumer(outputs: Record<string, unknown>, overrides: Record<string, string> = {}): Promise<ProgramRun> {
    const stackReferences = { [PLATFORM_STACK]: { outputs, secretOutputNames: SECRET_FIELDS.filter((f) => f in outputs) } };
    return runProgram(consumerSource(overrides), { projectDir: CONSUMER_DIR, stackReferences });
}

function policyReport(run: ProgramRun): PolicyReport {
    return evaluatePolicies(
        run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props, parent: r.parent ?? undefined, provider: r.provider ?? undefined, dependencies: r.dependencies })),
        loadPolicyPackConfig(platformPolicyConfigPath),
    );
}

beforeAll(async () => {
    const platform = await createPlan({ stack: "dev" });
    platformOutputs = unsecretedOutputs(platform.document.outputs);
});

describe("examples/consumer against the dev platform", () => {
    let run: ProgramRun;
    let recorded: Recorded;

    beforeAll(async () => {
        run = await runConsumer(platformOutputs);
        recorded = new Recorded(run.resources);
    });

    it("its stack file names the platform stack and the payments namespace", () => {
        const source = loadStackConfig(CONSUMER_DIR, "dev");
        expect(source.project).toBe("payments-app");
        expect(source.values["payments-app:platformStack"]).toBe("<org>/eks-platform/dev");
        expect(source.values["payments-app:namespace"]).toBe("payments");
    });

    it("passes the policy pack: no mandatory and no advisory violation, nothing left unevaluated", () => {
        const report = policyReport(run);
        expect(report.violations).toEqual([]);
        expect(report.notEvaluated).toEqual([]);
    });

    it("the policy pack does see the workload (a container without its security context fails it)", () => {
        const resources = structuredClone(run.resources);
        const deployment = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
        delete (deployment.props as any).spec.template.spec.containers[0].securityContext;
        const mandatory = policyReport({ ...run, resources }).violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy);
        expect(mandatory).toEqual(expect.arrayContaining(["k8s-no-privilege-escalation", "k8s-restricted-capabilities"]));
    });

    it("builds its Kubernetes provider from the platform's kubeconfig, kept secret, with server-side apply", () => {
        const provider = recorded.one("pulumi:providers:kubernetes", "platform");
        expect(provider.inputs.kubeconfig).toBe("[secret]");
        expect(JSON.parse(String(provider.props.kubeconfig))).toEqual(JSON.parse(String(platformOutputs.kubeconfig)));
        expect(String(provider.props.enableServerSideApply)).toBe("true");
        for (const resource of run.resources.filter((r) => r.type.startsWith("kubernetes:"))) expect(resource.provider, resource.urn).toBe(provider.urn);
    });

    it("deploys into its tenant namespace, on application nodes, with its own ServiceAccount", () => {
        for (const resource of run.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
            expect((resource.props.metadata as { namespace?: string }).namespace, resource.urn).toBe("payments");
        }
        const deployment = recorded.one("kubernetes:apps/v1:Deployment").props as any;
        expect(deployment.spec.replicas).toBe(2);
        const pod = deployment.spec.template.spec;
        expect(pod.nodeSelector).toEqual({ "platform.eks.aws/node-role": "application" });
        expect(pod.serviceAccountName).toBe("payments-api");
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        const [container] = pod.containers;
        expect(container.image).toMatch(/:[\w.-]+$|@sha256:[0-9a-f]{64}$/);
        expect(container.image).not.toMatch(/:latest$/);
        expect(container.resources.requests).toBeDefined();
        expect(container.resources.limits).toBeDefined();
        expect(container.securityContext).toEqual({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(recorded.one("kubernetes:core/v1:ServiceAccount").props.automountServiceAccountToken).toBe(false);
        expect((recorded.one("kubernetes:core/v1:Service").props as any).spec.type).toBe("ClusterIP");
        expect((recorded.one("kubernetes:policy/v1:PodDisruptionBudget").props as any).spec).toMatchObject({ maxUnavailable: 1 });
    });

    it("reads its database password through the platform's ClusterSecretStore, under the platform's prefix", () => {
        const externalSecret = recorded.one("kubernetes:external-secrets.io/v1:ExternalSecret").props as any;
        expect(externalSecret.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: platformOutputs.externalSecretsStoreName });
        for (const entry of externalSecret.spec.data) expect(entry.remoteRef.key.startsWith(`${platformOutputs.secretsPrefix}payments/`)).toBe(true);
        const env = (recorded.one("kubernetes:apps/v1:Deployment").props as any).spec.template.spec.containers[0].env;
        expect(env).toContainEqual({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: externalSecret.spec.target.name, key: "password" } } });
    });

    it("exports where to reach the service", () => {
        expect(run.outputs).toMatchObject({ namespace: "payments", serviceHost: "payments-api.payments.svc.cluster.local", clusterName: platformOutputs.clusterName });
    });
});

describe("examples/consumer refuses a platform it cannot rely on", () => {
    it("a missing required output: fails naming the field", async () => {
        const { clusterEndpoint: _dropped, ...outputs } = platformOutputs;
        await expect(runConsumer(outputs)).rejects.toThrow(/platform outputs contract[\s\S]*clusterEndpoint: is missing/);
    });

    it("an output of the wrong type: fails naming the field", async () => {
        await expect(runConsumer({ ...platformOutputs, privateSubnetIds: "subnet-0123456789abcdef0" })).rejects.toThrow(/privateSubnetIds: .*expected array/);
    });

    it("a platform without External Secrets: fails saying so", async () => {
        const { externalSecretsStoreName: _a, secretsPrefix: _b, platformSecretsKmsKeyArn: _c, ...outputs } = platformOutputs;
        await expect(runConsumer(outputs)).rejects.toThrow(/no External Secrets add-on/);
    });

    it("a namespace that is not a tenant of the platform: fails naming it", async () => {
        await expect(runConsumer(platformOutputs, { "payments-app:namespace": "billing" })).rejects.toThrow(/"billing" is not a tenant namespace/);
    });
});
