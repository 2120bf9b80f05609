/**
 * examples/consumer: an application team's stack, run under the mocks with the outputs of a
 * real dev plan of the platform behind its StackReference. It must deploy a workload the policy
 * pack accepts, into its tenant namespace, and refuse platform outputs that break the contract.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SECRET_FIELDS } from "../contract/outputs";
import { parsePlatformConfig } from "../config";
import { createPlan, policyResourcesOf } from "../plan";
import { runProgram, PROJECT_DIR, type ProgramRun } from "../plan/run";
import { loadStackConfig, type StackConfigSource } from "../plan/stackConfig";
import { evaluatePolicies, loadPolicyPackConfig, platformPolicyConfigPath, type PolicyPackConfig, type PolicyReport } from "../policy/engine";
import { Recorded, updateConfig } from "./harness";
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
    return evaluatePolicies(policyResourcesOf(run.resources), loadPolicyPackConfig(platformPolicyConfigPath));
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

    it("is exposed through an internal Application Load Balancer: the platform's IngressClass, to the port the platform's config exposes", () => {
        const ingress = recorded.one("kubernetes:networking.k8s.io/v1:Ingress").props as any;
        expect(ingress.spec.ingressClassName).toBe(platformOutputs.ingressClassName);
        expect(ingress.spec.ingressClassName).toBe("alb");
        expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: "payments-api", port: { name: "http" } });
        const service = recorded.one("kubernetes:core/v1:Service").props as any;
        const deployment = recorded.one("kubernetes:apps/v1:Deployment").props as any;
        const port = deployment.spec.template.spec.containers[0].ports.find((p: { name: string }) => p.name === service.spec.ports[0].targetPort).containerPort;
        const payments = parsePlatformConfig(loadStackConfig(PROJECT_DIR, "dev")).tenants.find((t) => t.name === "payments")!;
        expect(payments.expose).toEqual([{ port, scheme: "internal" }]);
        expect(run.outputs).toMatchObject({ ingressName: "payments-api", exposure: "internal" });
    });

    it("exports where to reach the service", () => {
        expect(run.outputs).toMatchObject({ namespace: "payments", serviceHost: "payments-api.payments.svc.cluster.local", clusterName: platformOutputs.clusterName });
    });
});

describe("examples/consumer facing the internet", () => {
    const ACM = "arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const internetFacing = { "payments-app:exposure": "internet-facing", "payments-app:certificateArn": ACM };
    /** The pack with the platform's `internetFacingNamespaces` output as its knob, as docs/tenants.md shows. */
    const packFor = (outputs: Record<string, unknown>) => ({ ...loadPolicyPackConfig(platformPolicyConfigPath), "k8s-internal-load-balancer": { internetFacingNamespaces: outputs.internetFacingNamespaces } });
    const mandatory = (run: ProgramRun, config: PolicyPackConfig) =>
        evaluatePolicies(policyResourcesOf(run.resources), config).violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy}: ${v.message}`);

    it("is refused by the pack while the platform's config does not allow payments", async () => {
        const run = await runConsumer(platformOutputs, internetFacing);
        expect((recordedIngress(run).spec as { ingressClassName: string }).ingressClassName).toBe("alb-internet-facing");
        expect(mandatory(run, packFor(platformOutputs))).toEqual([
            "k8s-internal-load-balancer: Ingress payments/payments-api is an internet-facing load balancer (IngressClass alb-internet-facing is internet-facing) in namespace payments, which may not face the internet",
        ]);
    }, 60_000);

    it("passes once the platform allows payments (`tenants[].internetFacing`), with its ACM certificate", async () => {
        const allowing = await createPlan({
            stack: "dev",
            transformConfig: updateConfig<Array<Record<string, unknown>>>("tenants", (tenants) =>
                tenants.map((t) => (t.name === "payments" ? { ...t, internetFacing: true, expose: [{ port: 9898, scheme: "internet-facing" }] } : t)),
            ),
        });
        const outputs = unsecretedOutputs(allowing.document.outputs);
        expect(outputs.internetFacingNamespaces).toEqual(["payments"]);
        const run = await runConsumer(outputs, internetFacing);
        expect(mandatory(run, packFor(outputs))).toEqual([]);
        expect((recordedIngress(run).metadata as { annotations: Record<string, string> }).annotations["alb.ingress.kubernetes.io/certificate-arn"]).toBe(ACM);
    }, 60_000);
});

function recordedIngress(run: ProgramRun): Record<string, unknown> {
    return new Recorded(run.resources).one("kubernetes:networking.k8s.io/v1:Ingress").props;
}

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

    it("a platform without the AWS Load Balancer Controller: fails saying so", async () => {
        const { ingressClassName: _a, internetFacingIngressClassName: _b, loadBalancerClass: _c, loadBalancerControllerNamespace: _d, internetFacingNamespaces: _e, ...outputs } = platformOutputs;
        await expect(runConsumer(outputs)).rejects.toThrow(/no AWS Load Balancer Controller add-on \(output ingressClassName is absent\)/);
    });

    it("a namespace that is not a tenant of the platform: fails naming it", async () => {
        await expect(runConsumer(platformOutputs, { "payments-app:namespace": "billing" })).rejects.toThrow(/"billing" is not a tenant namespace/);
    });
});
