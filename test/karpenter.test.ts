/**
 * Karpenter: what would break on a real `pulumi up`, proven offline against the pinned chart
 * defaults, the pinned CRDs, AWS's action catalogue and an IAM policy simulator.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Karpenter, karpenterManifests, karpenterValues } from "../components/karpenter";
import { INTERRUPTION_EVENTS } from "../components/karpenter.iam";
import type { PolicyDocument } from "../components/shared/iamDocuments";
import { CHARTS } from "../components/shared/helm";
import { karpenterSchema, type KarpenterConfig } from "../config/addons";
import { fakeClusterContext } from "./fixtures/cluster";
import { helmValues as values, planStack, recordedJson, runComponent, updateConfig, type Recorded, type RecordedResource } from "./harness";
import { quantity } from "./support/quantity";
import { crdErrors, type CustomResource } from "./support/crdSchema";
import { unknownValuePaths } from "./support/helmValues";
import { simulate, unknownActions, writeActionsOnAnyResource } from "./support/iam";
import { chartDefaults, upstreamAvailable, upstreamPins } from "./support/upstream";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const CLUSTER = "test-cluster";
const CHART = "karpenter";
const VERSION = CHARTS.karpenter.version;

/**
 * Rendered with `toYaml` (templates/deployment.yaml): `podSecurityContext` into the pod's
 * securityContext and `nodeSelector` into the pod's nodeSelector, so any field/label is read even
 * though their defaults in values.yaml are non-empty maps.
 */
const FREE_FORM = ["podSecurityContext", "nodeSelector"];

const config: KarpenterConfig = karpenterSchema.parse({
    capacityTypes: ["spot", "on-demand"],
    architectures: ["amd64", "arm64"],
    instanceCategories: ["c", "m"],
    minInstanceGeneration: 6,
    cpuLimit: 32,
    memoryLimitGiB: 128,
    consolidateAfter: "5m",
    expireAfter: "336h",
});

async function build(overrides: { highAvailability?: boolean; monitoringEnabled?: boolean; protectStateful?: boolean } = {}): Promise<Recorded> {
    const { recorded } = await runComponent(
        () =>
            new Karpenter("karpenter", {
                cluster: fakeClusterContext({ name: CLUSTER, region: REGION, highAvailability: overrides.highAvailability ?? true, protectStateful: overrides.protectStateful ?? false }),
                config,
                monitoring: overrides.monitoringEnabled ? { crds: [] } : undefined,
            }),
        { region: REGION, accountId: ACCOUNT },
    );
    return recorded;
}

const customResource = (r: RecordedResource): CustomResource => r.inputs as unknown as CustomResource;

let recorded: Recorded;
let release: RecordedResource;
beforeAll(async () => {
    recorded = await build();
    release = recorded.one("kubernetes:helm.sh/v3:Release", "karpenter");
});

describe.skipIf(!upstreamAvailable)("Helm values against the pinned chart karpenter 1.14.1", () => {
    it("sets only keys the chart's values.yaml has", () => {
        expect(unknownValuePaths(values(release), chartDefaults(CHART, VERSION), FREE_FORM)).toEqual([]);
    });

    it("the checker catches a typo'd key and a key the chart does not read", () => {
        const typo = { ...values(release), settings: { ...values(release).settings, interruptionQueu: "q" }, webhook: { enabled: false } };
        expect(unknownValuePaths(typo, chartDefaults(CHART, VERSION), FREE_FORM).map((p) => p.path)).toEqual(["settings.interruptionQueu", "webhook"]);
        // The container securityContext only reads appArmorProfile/seLinuxOptions/seccompProfile.
        const containerSc = { controller: { securityContext: { runAsNonRoot: true } } };
        expect(unknownValuePaths(containerSc, chartDefaults(CHART, VERSION), FREE_FORM).map((p) => p.path)).toEqual(["controller.securityContext.runAsNonRoot"]);
    });

    it("pins both releases to CHARTS, which equal the upstream README pins", () => {
        const pins = upstreamPins();
        expect(CHARTS.karpenter.version).toBe(pins.karpenter);
        expect(CHARTS.karpenterCrd.version).toBe(pins.karpenter);
        const crd = recorded.one("kubernetes:helm.sh/v3:Release", "karpenter-crd");
        expect([crd.inputs.chart, crd.inputs.version]).toEqual([CHARTS.karpenterCrd.chart, CHARTS.karpenterCrd.version]);
        expect([release.inputs.chart, release.inputs.version]).toEqual([CHARTS.karpenter.chart, CHARTS.karpenter.version]);
    });
});

describe("Karpenter controller release", () => {
    it("manages CRDs in their own release and skips the chart's crds/ directory", () => {
        const crd = recorded.one("kubernetes:helm.sh/v3:Release", "karpenter-crd");
        expect(crd.inputs.skipCrds).toBe(false);
        expect(release.inputs.skipCrds).toBe(true);
        expect(recorded.dependsOn(release, crd)).toBe(true);
    });

    it("gets the cluster settings and the interruption queue NAME", () => {
        const queue = recorded.one("aws:sqs/queue:Queue");
        const { settings } = values(release);
        expect(settings.clusterName).toBe(CLUSTER);
        expect(settings.clusterEndpoint).toMatch(/^https:\/\//);
        expect(settings.interruptionQueue).toBe(queue.inputs.name);
        expect(settings.interruptionQueue).not.toMatch(/^(arn:|https:)/);
    });

    it("sets AWS_REGION for a controller that cannot reach IMDS (hop limit 1)", () => {
        expect(values(release).controller.env).toContainEqual({ name: "AWS_REGION", value: REGION });
    });

    it("runs on system nodes, tolerating their taint, never on nodes it manages", () => {
        const v = values(release);
        expect(v.nodeSelector["platform.eks.aws/node-role"]).toBe("system");
        expect(v.tolerations).toContainEqual({ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoSchedule" });
        const terms = v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
        expect(terms[0].matchExpressions).toContainEqual({ key: "karpenter.sh/nodepool", operator: "DoesNotExist" });
        expect(v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe("kubernetes.io/hostname");
    });

    it("has requests and limits for CPU and memory on the controller container", () => {
        const { resources } = values(release).controller;
        for (const kind of ["requests", "limits"]) expect(Object.keys(resources[kind]).sort()).toEqual(["cpu", "memory"]);
        // GOMEMLIMIT is derived from limits.memory: a request above it would be nonsense.
        expect(resources.requests.memory).toBe(resources.limits.memory);
    });

    it("runs at least two replicas with a PodDisruptionBudget, in HA and in dev", async () => {
        for (const r of [release, (await build({ highAvailability: false })).one("kubernetes:helm.sh/v3:Release", "karpenter")]) {
            expect(values(r).replicas).toBeGreaterThanOrEqual(2);
            expect(values(r).podDisruptionBudget.maxUnavailable).toBe(1);
        }
    });

    it("runs as non-root with a RuntimeDefault seccomp profile", () => {
        const v = values(release);
        expect(v.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(v.controller.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
    });

    it("renders a ServiceMonitor only when the monitoring stack is enabled", async () => {
        expect(values(release).serviceMonitor.enabled).toBe(false);
        const withMonitoring = await build({ monitoringEnabled: true });
        expect(values(withMonitoring.one("kubernetes:helm.sh/v3:Release", "karpenter")).serviceMonitor.enabled).toBe(true);
        const metricsRule = withMonitoring.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => JSON.stringify(p.inputs).includes('"monitoring"'));
        expect(metricsRule).toBeDefined();
    });

    it("waits for its Pod Identity association (credentials are injected at pod creation)", () => {
        const association = recorded.one("aws:eks/podIdentityAssociation:PodIdentityAssociation");
        expect(release.dependencies).toContain(association.urn);
        expect(release.dependencies).toContain(recorded.one("aws:iam/rolePolicy:RolePolicy", "karpenter-controller").urn);
        expect(recorded.dependsOn(release, recorded.one("kubernetes:core/v1:Namespace"))).toBe(true);
    });

    it("in prod the CRD release is protected and retained: destroy or uninstall cannot take the CRDs and every NodePool", async () => {
        const crdRelease = (r: Recorded) => r.one("kubernetes:helm.sh/v3:Release", "karpenter-crd");
        expect([crdRelease(recorded).protect, crdRelease(recorded).retainOnDelete]).toEqual([false, false]);
        const prod = await build({ protectStateful: true });
        expect([crdRelease(prod).protect, crdRelease(prod).retainOnDelete]).toEqual([true, true]);
        // The controller release itself stays freely replaceable.
        expect(prod.one("kubernetes:helm.sh/v3:Release", "karpenter").protect).toBe(false);
    });

    it("values carry exactly the cluster, region, queue and replica count they are given", () => {
        const v = karpenterValues({ clusterName: "c", clusterEndpoint: "https://e", region: "us-east-1", interruptionQueue: "q", monitoringEnabled: false, replicas: 3 }) as Record<string, any>;
        expect(v.settings).toMatchObject({ clusterName: "c", clusterEndpoint: "https://e", interruptionQueue: "q" });
        expect(v.controller.env).toContainEqual({ name: "AWS_REGION", value: "us-east-1" });
        expect(v.replicas).toBe(3);
        expect(v.serviceMonitor.enabled).toBe(false);
    });
});

describe.skipIf(!upstreamAvailable)("EC2NodeClass and NodePool against the pinned CRDs", () => {
    const nodeClass = () => recorded.one("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass");
    const nodePool = () => recorded.one("kubernetes:karpenter.sh/v1:NodePool");

    it("the registered objects validate (undeclared fields are errors)", () => {
        expect(crdErrors(CHART, VERSION, customResource(nodeClass()))).toEqual([]);
        expect(crdErrors(CHART, VERSION, customResource(nodePool()))).toEqual([]);
    });

    it("the checker catches a typo'd field and a wrong type", () => {
        const nc = customResource(nodeClass());
        const spec = nc.spec as Record<string, unknown>;
        const typo = { ...nc, spec: { ...spec, metadataOption: { httpTokens: "required" } } };
        expect(crdErrors(CHART, VERSION, typo).join("\n")).toMatch(/metadataOption/);
        const np = customResource(nodePool());
        const npSpec = np.spec as { disruption: object };
        const badPolicy = { ...np, spec: { ...npSpec, disruption: { ...npSpec.disruption, consolidationPolicy: "WhenIdle" } } };
        expect(crdErrors(CHART, VERSION, badPolicy).join("\n")).toMatch(/consolidationPolicy/);
    });

    it("the node class pins the AMI, uses the node role, discovers by tag, enforces IMDSv2 hop 1 and encrypted gp3", () => {
        const spec = nodeClass().inputs.spec as Record<string, any>;
        const nodeRole = recorded.one("aws:iam/role:Role", "karpenter-node");
        expect(spec.amiSelectorTerms).toEqual([{ alias: config.amiAlias }]);
        expect(spec.amiSelectorTerms[0].alias).not.toMatch(/@latest$/);
        expect(spec.role).toBe(nodeRole.inputs.name);
        expect(spec.instanceProfile).toBeUndefined();
        const discovery = [{ tags: { "karpenter.sh/discovery": CLUSTER } }];
        expect(spec.subnetSelectorTerms).toEqual(discovery);
        expect(spec.securityGroupSelectorTerms).toEqual(discovery);
        expect(spec.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect(spec.blockDeviceMappings.length).toBeGreaterThan(0);
        for (const mapping of spec.blockDeviceMappings) expect(mapping.ebs).toMatchObject({ encrypted: true, volumeType: "gp3" });
    });

    it("the node pool is for application workloads with the configured requirements, limits, consolidation and expiry", () => {
        const spec = nodePool().inputs.spec as Record<string, any>;
        expect(spec.template.metadata.labels).toEqual({ ["platform.eks.aws/node-role"]: "application" });
        expect(spec.template.spec.nodeClassRef).toEqual({ group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: (nodeClass().inputs.metadata as { name: string }).name });
        const requirement = (key: string) => spec.template.spec.requirements.find((r: { key: string }) => r.key === key);
        expect(requirement("karpenter.sh/capacity-type")).toEqual({ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] });
        expect(requirement("kubernetes.io/arch").values).toEqual(["amd64", "arm64"]);
        expect(requirement("karpenter.k8s.aws/instance-category").values).toEqual(["c", "m"]);
        // minInstanceGeneration 6 allows 6 and newer: Gt 5.
        expect(requirement("karpenter.k8s.aws/instance-generation")).toEqual({ key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["5"] });
        expect(spec.limits).toEqual({ cpu: "32", memory: "128Gi" });
        expect(spec.disruption).toMatchObject({ consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "5m" });
        expect(spec.template.spec.expireAfter).toBe("336h");
    });

    it("Bottlerocket gets an encrypted OS and data volume, and restricted tags are dropped", async () => {
        // Bottlerocket pins are semver, AL2023 pins are dated; the config schema accepts both, never @latest.
        expect(karpenterSchema.parse({ amiAlias: "bottlerocket@v1.30.0" }).amiAlias).toBe("bottlerocket@v1.30.0");
        expect(() => karpenterSchema.parse({ amiAlias: "bottlerocket@latest" })).toThrow();
        const manifests = await karpenterManifests({
            clusterName: CLUSTER,
            nodeRoleName: "r",
            nodeClassName: "n",
            nodePoolName: "p",
            config: { ...config, amiAlias: "bottlerocket@v1.30.0" },
            tags: { team: "platform", "kubernetes.io/cluster/test-cluster": "owned", "eks:eks-cluster-name": "x" },
            nodeVolumeGiB: 80,
        });
        const spec = manifests.nodeClass.spec as Record<string, any>;
        expect(spec.blockDeviceMappings.map((m: { deviceName: string }) => m.deviceName)).toEqual(["/dev/xvda", "/dev/xvdb"]);
        expect(spec.tags).toEqual({ team: "platform" });
        expect(crdErrors(CHART, VERSION, manifests.nodeClass)).toEqual([]);
    });

    it("are created after the CRDs and the controller (finalizers run on destroy), and nodes after the access entry", () => {
        const crd = recorded.one("kubernetes:helm.sh/v3:Release", "karpenter-crd");
        for (const cr of [nodeClass(), nodePool()]) {
            expect(recorded.dependsOn(cr, crd)).toBe(true);
            expect(recorded.dependsOn(cr, release)).toBe(true);
            expect(cr.provider).toContain("test-k8s");
        }
        expect(recorded.dependsOn(nodeClass(), recorded.one("aws:eks/accessEntry:AccessEntry"))).toBe(true);
    });
});

describe("namespace guardrails", () => {
    it("the quota fits every replica plus one surge pod at their limits, and a LimitRange exists", () => {
        const hard = (recorded.one("kubernetes:core/v1:ResourceQuota").inputs.spec as { hard: Record<string, string> }).hard;
        const v = values(release);
        const pods = v.replicas + 1;
        expect(pods * quantity(v.controller.resources.limits.cpu)).toBeLessThanOrEqual(quantity(hard["limits.cpu"]));
        expect(pods * quantity(v.controller.resources.limits.memory)).toBeLessThanOrEqual(quantity(hard["limits.memory"]));
        expect(pods).toBeLessThanOrEqual(Number(hard.pods));
        expect(recorded.one("kubernetes:core/v1:LimitRange").inputs.metadata).toMatchObject({ namespace: "karpenter" });
    });
});

describe("node role and access entry", () => {
    it("attaches exactly the four node policies and registers an EC2_LINUX access entry", () => {
        const role = recorded.one("aws:iam/role:Role", "karpenter-node");
        const attached = recorded
            .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.inputs.role === role.inputs.name)
            .map((a) => String(a.inputs.policyArn).split("/").pop())
            .sort();
        expect(attached).toEqual(["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonSSMManagedInstanceCore"]);
        const entry = recorded.one("aws:eks/accessEntry:AccessEntry");
        expect(entry.inputs).toMatchObject({ clusterName: CLUSTER, type: "EC2_LINUX", principalArn: `arn:aws:iam::${ACCOUNT}:role/${role.inputs.name}` });
    });

    it("is assumable by EC2 only", async () => {
        const trust = recordedJson(recorded.one("aws:iam/role:Role", "karpenter-node"), "assumeRolePolicy");
        const nodeRoleArn = `arn:aws:iam::${ACCOUNT}:role/${CLUSTER}-karpenter-node`;
        const assume = (principal: string) => simulate({ principal, action: "sts:AssumeRole", resource: nodeRoleArn, resourceAccount: ACCOUNT, resourcePolicy: trust });
        expect(await assume("ec2.amazonaws.com")).toBe("Allowed");
        expect(await assume("lambda.amazonaws.com")).not.toBe("Allowed");
    });
});

describe("in the aws-cn partition", () => {
    let china: Recorded;
    beforeAll(async () => {
        ({ recorded: china } = await runComponent(
            () =>
                new Karpenter("karpenter", {
                    cluster: fakeClusterContext({ name: CLUSTER, region: "cn-north-1", partition: pulumi.output("aws-cn") }),
                    config,
                }),
            { region: "cn-north-1", accountId: ACCOUNT },
        ));
    });

    it("the node role trusts the China EC2 service principal, and the controller passes it only there", async () => {
        const trust = recordedJson(china.one("aws:iam/role:Role", "karpenter-node"), "assumeRolePolicy");
        expect(trust.Statement.map((s) => s.Principal)).toEqual([{ Service: "ec2.amazonaws.com.cn" }]);
        const controller = recordedJson(china.one("aws:iam/rolePolicy:RolePolicy", "karpenter-controller"));
        const passRole = controller.Statement.filter((s) => s.Action === "iam:PassRole");
        expect(passRole.map((s) => s.Condition)).toEqual([{ StringEquals: { "iam:PassedToService": "ec2.amazonaws.com.cn" } }]);
        // The role ARN is the provider's output (the mocks build it in the aws partition): only its name is the program's.
        expect(passRole.map((s) => String(s.Resource).split(":").pop())).toEqual([`role/${CLUSTER}-karpenter-node`]);
    });
});

describe("interruption handling", () => {
    it("has one EventBridge rule per interruption event, each targeting the queue", () => {
        const queue = recorded.one("aws:sqs/queue:Queue");
        const rules = recorded.ofType("aws:cloudwatch/eventRule:EventRule");
        const patterns = rules.map((r) => recordedJson<{ source: string[]; "detail-type": string[] }>(r, "eventPattern"));
        expect(patterns.flatMap((p) => p["detail-type"]).sort()).toEqual(
            [
                "AWS Health Event",
                "EC2 Capacity Reservation Instance Interruption Warning",
                "EC2 Instance Rebalance Recommendation",
                "EC2 Instance State-change Notification",
                "EC2 Spot Instance Interruption Warning",
            ].sort(),
        );
        expect(patterns.find((p) => p["detail-type"][0] === "AWS Health Event")?.source).toEqual(["aws.health"]);
        expect(Object.keys(INTERRUPTION_EVENTS)).toHaveLength(5);
        const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue.inputs.name}`;
        for (const rule of rules) {
            const targets = recorded.ofType("aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.inputs.rule === rule.inputs.name);
            expect(targets.map((t) => t.inputs.arn)).toEqual([queueArn]);
        }
    });

    it("queue keeps messages 300 s with SQS-managed encryption", () => {
        expect(recorded.one("aws:sqs/queue:Queue").inputs).toMatchObject({ messageRetentionSeconds: 300, sqsManagedSseEnabled: true });
    });

    it("queue policy lets this cluster's rules send, and denies requests without TLS", async () => {
        const queue = recorded.one("aws:sqs/queue:Queue");
        const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue.inputs.name}`;
        const policy = recordedJson(recorded.one("aws:sqs/queuePolicy:QueuePolicy"));
        const ruleArn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${CLUSTER}-karpenter-spot`;
        const send = (principal: string, context: Record<string, string>) =>
            simulate({ principal, action: "sqs:SendMessage", resource: queueArn, resourceAccount: ACCOUNT, resourcePolicy: policy, context });
        expect(await send("events.amazonaws.com", { "aws:SourceArn": ruleArn })).toBe("Allowed");
        expect(await send("events.amazonaws.com", { "aws:SourceArn": `arn:aws:events:${REGION}:999988887777:rule/other` })).not.toBe("Allowed");
        expect(await send("sqs.amazonaws.com", {})).toBe("Allowed");
        expect(await send("events.amazonaws.com", { "aws:SourceArn": ruleArn, "aws:SecureTransport": "false" })).toBe("ExplicitlyDenied");
    });
});

/**
 * The controller's permissions as the dev stack's plan attaches them (the program's own
 * composition, the stack's own region, account and cluster name), judged by the IAM simulator.
 */
describe("controller IAM (dev plan)", () => {
    const ACCOUNT = "111122223333";
    const REGION = "eu-west-1";
    const CLUSTER = "eks-platform-dev";
    const nodeRoleArn = `arn:aws:iam::${ACCOUNT}:role/${CLUSTER}-karpenter-node`;
    const principal = `arn:aws:iam::${ACCOUNT}:role/${CLUSTER}-karpenter-controller`;
    const ec2 = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;
    let controllerPolicy: PolicyDocument;
    let plan: Recorded;
    const ask = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
        simulate({ principal, action, resource, resourceAccount: ACCOUNT, identityPolicies: [controllerPolicy], context });
    const launchTags = {
        [`aws:RequestTag/kubernetes.io/cluster/${CLUSTER}`]: "owned",
        "aws:RequestTag/eks:eks-cluster-name": CLUSTER,
        "aws:RequestTag/karpenter.sh/nodepool": "application",
    };

    beforeAll(async () => {
        plan = (await planStack("dev")).recorded;
        const attached = plan.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.props.role === `${CLUSTER}-karpenter-controller`);
        expect(attached).toHaveLength(1);
        controllerPolicy = recordedJson(attached[0]);
        // The only other grants of the role: none (no managed policy attached).
        expect(plan.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.props.role === `${CLUSTER}-karpenter-controller`)).toEqual([]);
    }, 60_000);

    it("uses only actions that exist and no unscoped write on *", async () => {
        expect(await unknownActions(controllerPolicy)).toEqual([]);
        expect(await writeActionsOnAnyResource(controllerPolicy)).toEqual([]);
        expect(JSON.stringify(controllerPolicy)).not.toMatch(/"Action":"\*"|"Action":\["\*"\]/);
    });

    it("the checkers catch a made-up action and an unscoped write", async () => {
        const bad: PolicyDocument = { Version: "2012-10-17", Statement: [{ Sid: "Bad", Effect: "Allow", Action: ["ec2:RunInstance", "ec2:TerminateInstances"], Resource: "*" }] };
        expect(await unknownActions(bad)).toEqual(["ec2:RunInstance"]);
        expect(await writeActionsOnAnyResource(bad)).toEqual(["Bad: ec2:TerminateInstances (Write)"]);
    });

    /**
     * What the controller does in a cluster's life (Karpenter's reference policy), each as one
     * request with the context AWS would send, and the near misses it must not get: other
     * clusters' resources, another region, a missing ownership tag. `owned`, `pool` and friends
     * are the tags Karpenter puts on what it creates.
     */
    const owned = { [`aws:ResourceTag/kubernetes.io/cluster/${CLUSTER}`]: "owned" };
    const pool = { "aws:ResourceTag/karpenter.sh/nodepool": "application" };
    const requestTags = {
        [`aws:RequestTag/kubernetes.io/cluster/${CLUSTER}`]: "owned",
        "aws:RequestTag/eks:eks-cluster-name": CLUSTER,
        "aws:RequestTag/karpenter.sh/nodepool": "application",
    };
    const profile = (name = "eks-platform-dev_123") => `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`;
    const profileRequestTags = {
        [`aws:RequestTag/kubernetes.io/cluster/${CLUSTER}`]: "owned",
        "aws:RequestTag/eks:eks-cluster-name": CLUSTER,
        "aws:RequestTag/topology.kubernetes.io/region": REGION,
        "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "application",
    };
    const profileTags = { ...owned, "aws:ResourceTag/topology.kubernetes.io/region": REGION, "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "application" };
    const queue = `arn:aws:sqs:${REGION}:${ACCOUNT}:${CLUSTER}-karpenter-interruption`;
    const inRegion = { "aws:RequestedRegion": REGION };
    const without = (context: Record<string, string | string[]>, key: string) => Object.fromEntries(Object.entries(context).filter(([k]) => k !== key));
    type Case = [string, string, string, Record<string, string | string[]>, "Allowed" | "denied"];
    /** The resource types each launch action acts on, as AWS's action catalogue lists them (the simulator rejects others). */
    const actsOn: Record<string, string[]> = {
        "ec2:RunInstances": ["image", "snapshot", "capacity-reservation", "placement-group", "subnet", "security-group", "launch-template", "instance", "volume", "network-interface", "spot-instances-request"],
        "ec2:CreateFleet": ["image", "capacity-reservation", "placement-group", "subnet", "launch-template", "fleet", "instance", "volume"],
        "ec2:CreateLaunchTemplate": ["launch-template"],
    };
    const launch = (action: string, cases: Case[]) => cases.filter(([, , resource]) => actsOn[action].includes(resource.split(":").pop()!.split("/")[0]));
    const cases: Case[] = [
        // Launching: the AMI, its snapshots, capacity reservations and placement groups (any account).
        ...["ec2:RunInstances", "ec2:CreateFleet"].flatMap((action): Case[] =>
            launch(action, [
                ["a public AMI", action, `arn:aws:ec2:${REGION}::image/ami-0abc`, {}, "Allowed"],
                ["its snapshot", action, `arn:aws:ec2:${REGION}::snapshot/snap-0abc`, {}, "Allowed"],
                ["a shared capacity reservation", action, `arn:aws:ec2:${REGION}:999988887777:capacity-reservation/cr-1`, {}, "Allowed"],
                ["a placement group", action, ec2("placement-group/pg-1"), {}, "Allowed"],
                ["an AMI of another region", action, "arn:aws:ec2:us-east-1::image/ami-0abc", {}, "denied"],
                ["a discovered subnet", action, ec2("subnet/subnet-1"), { "aws:ResourceTag/karpenter.sh/discovery": CLUSTER }, "Allowed"],
                ["another cluster's subnet", action, ec2("subnet/subnet-1"), { "aws:ResourceTag/karpenter.sh/discovery": "eks-platform-prod" }, "denied"],
                ["a discovered security group", action, ec2("security-group/sg-1"), { "aws:ResourceTag/karpenter.sh/discovery": CLUSTER }, "Allowed"],
                ["another cluster's security group", action, ec2("security-group/sg-1"), { "aws:ResourceTag/karpenter.sh/discovery": "eks-platform-prod" }, "denied"],
                ["its own launch template", action, ec2("launch-template/lt-1"), { ...owned, ...pool }, "Allowed"],
                ["a launch template of the cluster not made for a node pool", action, ec2("launch-template/lt-1"), owned, "denied"],
                ["another cluster's launch template", action, ec2("launch-template/lt-1"), pool, "denied"],
            ]),
        ),
        // Creating instances, fleets, volumes, ENIs, launch templates and spot requests, tagged for this cluster.
        ...["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"].flatMap((action): Case[] =>
            launch(
                action,
                ["instance/*", "fleet/*", "volume/*", "network-interface/*", "launch-template/*", "spot-instances-request/*"].map((r): Case => [`a new ${r.split("/")[0]}`, action, ec2(r), requestTags, "Allowed"]),
            ),
        ),
        ...Object.keys(requestTags).map((key): Case => [`a new instance without ${key}`, "ec2:RunInstances", ec2("instance/*"), without(requestTags, key), "denied"]),
        ["a new instance in another account", "ec2:RunInstances", "arn:aws:ec2:eu-west-1:999988887777:instance/*", requestTags, "denied"],
        // Tagging at creation, only as part of those calls.
        ...["RunInstances", "CreateFleet", "CreateLaunchTemplate"].map((call): Case => ["tags at creation", "ec2:CreateTags", ec2("instance/i-1"), { ...requestTags, "ec2:CreateAction": call }, "Allowed"]),
        ["tags at creation of something else", "ec2:CreateTags", ec2("volume/vol-1"), { ...requestTags, "ec2:CreateAction": "CreateVolume" }, "denied"],
        ...Object.keys(requestTags).map((key): Case => [`tags at creation without ${key}`, "ec2:CreateTags", ec2("instance/i-1"), { ...without(requestTags, key), "ec2:CreateAction": "RunInstances" }, "denied"]),
        // Tagging its instances afterwards: the node claim and Name, never the ownership tags.
        ["names its node claim on its instance", "ec2:CreateTags", ec2("instance/i-1"), { ...owned, ...pool, "aws:TagKeys": ["karpenter.sh/nodeclaim", "Name"] }, "Allowed"],
        ["the cluster-name tag, with this cluster's name", "ec2:CreateTags", ec2("instance/i-1"), { ...owned, ...pool, "aws:TagKeys": ["eks:eks-cluster-name"], "aws:RequestTag/eks:eks-cluster-name": CLUSTER }, "Allowed"],
        ["the cluster-name tag, with another name", "ec2:CreateTags", ec2("instance/i-1"), { ...owned, ...pool, "aws:TagKeys": ["eks:eks-cluster-name"], "aws:RequestTag/eks:eks-cluster-name": "other" }, "denied"],
        ["moves an instance to another node pool", "ec2:CreateTags", ec2("instance/i-1"), { ...owned, ...pool, "aws:TagKeys": ["karpenter.sh/nodepool"] }, "denied"],
        ["takes ownership of another cluster's instance", "ec2:CreateTags", ec2("instance/i-1"), { ...owned, ...pool, "aws:TagKeys": [`kubernetes.io/cluster/${CLUSTER}`] }, "denied"],
        ["tags an instance of the cluster not launched for a node pool", "ec2:CreateTags", ec2("instance/i-1"), { ...owned, "aws:TagKeys": ["Name"] }, "denied"],
        ["tags another cluster's instance", "ec2:CreateTags", ec2("instance/i-1"), { ...pool, "aws:TagKeys": ["Name"] }, "denied"],
        // Instance profiles for its node classes, in this region.
        ["creates an instance profile", "iam:CreateInstanceProfile", profile(), profileRequestTags, "Allowed"],
        ...Object.keys(profileRequestTags).map((key): Case => [`creates an instance profile without ${key}`, "iam:CreateInstanceProfile", profile(), without(profileRequestTags, key), "denied"]),
        ["tags its instance profile", "iam:TagInstanceProfile", profile(), { ...profileTags, ...profileRequestTags }, "Allowed"],
        ...Object.keys(profileTags).map((key): Case => [`tags an instance profile without ${key}`, "iam:TagInstanceProfile", profile(), { ...without(profileTags, key), ...profileRequestTags }, "denied"]),
        ...Object.keys(profileRequestTags).map((key): Case => [`tags an instance profile, request without ${key}`, "iam:TagInstanceProfile", profile(), { ...profileTags, ...without(profileRequestTags, key) }, "denied"]),
        ...["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"].flatMap((action): Case[] => [
            ["its instance profile", action, profile(), profileTags, "Allowed"],
            ...Object.keys(profileTags).map((key): Case => [`an instance profile without ${key}`, action, profile(), without(profileTags, key), "denied"]),
            ["an instance profile of another region", action, profile(), { ...profileTags, "aws:ResourceTag/topology.kubernetes.io/region": "us-east-1" }, "denied"],
        ]),
        ["reads an instance profile", "iam:GetInstanceProfile", profile(), {}, "Allowed"],
        ["reads another account's instance profile", "iam:GetInstanceProfile", "arn:aws:iam::999988887777:instance-profile/p", {}, "denied"],
        ["lists instance profiles", "iam:ListInstanceProfiles", "*", {}, "Allowed"],
        // Its queue, its cluster, prices and the public AMI parameters.
        ...["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueUrl"].map((action): Case => ["its interruption queue", action, queue, {}, "Allowed"]),
        ["purges its interruption queue", "sqs:PurgeQueue", queue, {}, "denied"],
        ["another queue", "sqs:DeleteMessage", `arn:aws:sqs:${REGION}:${ACCOUNT}:other`, {}, "denied"],
        ...[
            "ec2:DescribeCapacityReservations",
            "ec2:DescribeImages",
            "ec2:DescribeInstances",
            "ec2:DescribeInstanceStatus",
            "ec2:DescribeInstanceTypeOfferings",
            "ec2:DescribeInstanceTypes",
            "ec2:DescribeLaunchTemplates",
            "ec2:DescribePlacementGroups",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSpotPriceHistory",
            "ec2:DescribeSubnets",
        ].flatMap((action): Case[] => [
            ["in its region", action, "*", inRegion, "Allowed"],
            ["in another region", action, "*", { "aws:RequestedRegion": "us-east-1" }, "denied"],
        ]),
        ["describes its cluster", "eks:DescribeCluster", `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`, {}, "Allowed"],
        ["an application's parameter", "ssm:GetParameter", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/payments/db-password`, {}, "denied"],
        ["prices", "pricing:GetProducts", "*", {}, "Allowed"],
    ];

    it("reads only AWS's public parameters (the AMI ids) of its region from SSM", () => {
        // Public parameters have no account in their ARN, which the simulator cannot match: read the statement.
        const reads = controllerPolicy.Statement.filter((s) => [s.Action].flat().includes("ssm:GetParameter"));
        expect(reads.map((s) => [s.Effect, s.Resource, s.Condition])).toEqual([["Allow", `arn:aws:ssm:${REGION}::parameter/aws/service/*`, undefined]]);
    });

    it.each(cases)("%s: %s on %s", async (_what, action, resource, context, expected) => {
        const decision = await ask(action, resource, context);
        if (expected === "Allowed") expect(decision).toBe("Allowed");
        else expect(decision).not.toBe("Allowed");
    });

    it("RunInstances only with the cluster's request tags", async () => {
        expect(await ask("ec2:RunInstances", ec2("instance/*"), launchTags)).toBe("Allowed");
        const { [`aws:RequestTag/kubernetes.io/cluster/${CLUSTER}`]: _owned, ...withoutClusterTag } = launchTags;
        expect(await ask("ec2:RunInstances", ec2("instance/*"), withoutClusterTag)).not.toBe("Allowed");
        expect(await ask("ec2:RunInstances", ec2("instance/*"), { ...launchTags, "aws:RequestTag/eks:eks-cluster-name": "other" })).not.toBe("Allowed");
    });

    it("launches only into subnets and security groups tagged for this cluster's discovery", async () => {
        expect(await ask("ec2:RunInstances", ec2("subnet/subnet-1"), { "aws:ResourceTag/karpenter.sh/discovery": CLUSTER })).toBe("Allowed");
        expect(await ask("ec2:RunInstances", ec2("subnet/subnet-1"), { "aws:ResourceTag/karpenter.sh/discovery": "other" })).not.toBe("Allowed");
        expect(await ask("ec2:RunInstances", ec2("security-group/sg-1"), {})).not.toBe("Allowed");
    });

    it("terminates only instances owned by this cluster's node pools", async () => {
        const clusterOwned = { [`aws:ResourceTag/kubernetes.io/cluster/${CLUSTER}`]: "owned" };
        const nodePool = { "aws:ResourceTag/karpenter.sh/nodepool": "application" };
        expect(await ask("ec2:TerminateInstances", ec2("instance/i-1"), { ...clusterOwned, ...nodePool })).toBe("Allowed");
        expect(await ask("ec2:TerminateInstances", ec2("instance/i-1"), {}), "an untagged instance").not.toBe("Allowed");
        expect(await ask("ec2:TerminateInstances", ec2("instance/i-1"), nodePool), "another cluster's node").not.toBe("Allowed");
        // The system node group's instances (and anything else the cluster owns) carry no node pool tag.
        expect(await ask("ec2:TerminateInstances", ec2("instance/i-1"), clusterOwned), "a cluster instance Karpenter did not launch").not.toBe("Allowed");
        expect(await ask("ec2:DeleteLaunchTemplate", ec2("launch-template/lt-1"), clusterOwned), "a launch template Karpenter did not create").not.toBe("Allowed");
        expect(await ask("ec2:DeleteLaunchTemplate", ec2("launch-template/lt-1"), { ...clusterOwned, ...nodePool })).toBe("Allowed");
    });

    it("passes only the node role, only to EC2", async () => {
        expect(await ask("iam:PassRole", nodeRoleArn, { "iam:PassedToService": "ec2.amazonaws.com" })).toBe("Allowed");
        expect(await ask("iam:PassRole", nodeRoleArn, { "iam:PassedToService": "lambda.amazonaws.com" })).not.toBe("Allowed");
        expect(await ask("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/admin`, { "iam:PassedToService": "ec2.amazonaws.com" })).not.toBe("Allowed");
    });

    it("creates instance profiles only with cluster and region tags; describes only in its region", async () => {
        const profile = `arn:aws:iam::${ACCOUNT}:instance-profile/p`;
        const tags = {
            [`aws:RequestTag/kubernetes.io/cluster/${CLUSTER}`]: "owned",
            "aws:RequestTag/eks:eks-cluster-name": CLUSTER,
            "aws:RequestTag/topology.kubernetes.io/region": REGION,
            "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "application",
        };
        expect(await ask("iam:CreateInstanceProfile", profile, tags)).toBe("Allowed");
        expect(await ask("iam:CreateInstanceProfile", profile, { ...tags, "aws:RequestTag/topology.kubernetes.io/region": "us-east-1" })).not.toBe("Allowed");
        expect(await ask("ec2:DescribeInstances", "*", { "aws:RequestedRegion": REGION })).toBe("Allowed");
        expect(await ask("ec2:DescribeInstances", "*", { "aws:RequestedRegion": "us-east-1" })).not.toBe("Allowed");
    });

    it("reads only its own queue and describes only its own cluster", async () => {
        const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${CLUSTER}-karpenter-interruption`;
        expect(await ask("sqs:ReceiveMessage", queueArn)).toBe("Allowed");
        expect(await ask("sqs:ReceiveMessage", `arn:aws:sqs:${REGION}:${ACCOUNT}:other`)).not.toBe("Allowed");
        expect(await ask("sqs:SendMessage", queueArn)).not.toBe("Allowed");
        expect(await ask("eks:DescribeCluster", `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`)).toBe("Allowed");
        expect(await ask("eks:DescribeCluster", `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/other`)).not.toBe("Allowed");
    });

    it("trust policy: only the karpenter/karpenter service account of this cluster via Pod Identity", async () => {
        const trust = recordedJson(plan.one("aws:iam/role:Role", "karpenter-controller"), "assumeRolePolicy");
        const clusterArn = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
        const context = (namespace: string, serviceAccount: string) => ({
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": clusterArn,
            "aws:RequestTag/eks-cluster-arn": clusterArn,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
        });
        const assume = (ctx: Record<string, string>) =>
            simulate({ principal: "pods.eks.amazonaws.com", action: "sts:AssumeRole", resource: principal, resourceAccount: ACCOUNT, resourcePolicy: trust, context: ctx });
        expect(await assume(context("karpenter", "karpenter"))).toBe("Allowed");
        expect(await assume(context("karpenter", "default"))).not.toBe("Allowed");
        expect(await assume(context("payments", "karpenter"))).not.toBe("Allowed");
        // The association binds the same service account the chart creates.
        const association = plan.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").filter((a) => a.props.roleArn === principal);
        expect(association).toHaveLength(1);
        expect(association[0].inputs).toMatchObject({ namespace: "karpenter", serviceAccount: values(plan.one("kubernetes:helm.sh/v3:Release", "karpenter")).serviceAccount.name, clusterName: CLUSTER });
    });
});

/** The whole program: Karpenter and External Secrets in the dev and prod plans, independent of each other, switchable. */
describe("Karpenter and External Secrets in the dev and prod plans", () => {
    const switchOff = (addon: "karpenter" | "externalSecrets") =>
        updateConfig<Record<string, Record<string, unknown>>>("addons", (addons) => ({ ...addons, [addon]: { ...addons[addon], enabled: false } }));

    it.each(["dev", "prod"])("%s: both add-ons, installed in parallel, with their outputs", async (stack) => {
        const { plan, recorded: all } = await planStack(stack);
        const karpenter = all.one("kubernetes:helm.sh/v3:Release", "karpenter");
        const eso = all.one("kubernetes:helm.sh/v3:Release", "external-secrets");
        expect(all.dependsOn(karpenter, eso)).toBe(false);
        expect(all.dependsOn(eso, karpenter)).toBe(false);
        for (const cr of [all.one("kubernetes:karpenter.sh/v1:NodePool"), all.one("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")]) {
            expect(all.dependsOn(cr, eso)).toBe(false);
        }
        const outputs = plan.run.outputs as Record<string, unknown>;
        for (const key of ["karpenterNodeRoleArn", "karpenterInterruptionQueueName", "karpenterNodePoolName", "externalSecretsStoreName", "platformSecretsKmsKeyArn", "secretsPrefix"]) {
            expect(outputs[key], key).toBeDefined();
        }
        expect(values(karpenter).settings.interruptionQueue).toBe(outputs.karpenterInterruptionQueueName);
        expect(values(eso).replicaCount).toBe(stack === "prod" ? 2 : 1);
        // The private subnets carry the discovery tag the node class selects by (the node
        // security group is tagged inside the remote eks.Cluster component, invisible here).
        const clusterName = values(karpenter).settings.clusterName;
        const tagged = all.ofType("aws:ec2/subnet:Subnet").filter((s) => (s.inputs.tags as Record<string, string>)["karpenter.sh/discovery"] === clusterName);
        expect(tagged.length).toBeGreaterThanOrEqual(2);
        const urns = all.resources.map((r) => r.urn);
        expect(urns.length).toBe(new Set(urns).size);
        // Their ServiceMonitors need the Prometheus CRDs: both wait for those, never for the monitoring release.
        const prometheusCrds = all.one("kubernetes:helm.sh/v3:Release", "monitoring-prometheus-crds");
        const monitoringRelease = all.one("kubernetes:helm.sh/v3:Release", "kube-prometheus-stack");
        for (const addon of [karpenter, eso]) {
            expect(values(addon).serviceMonitor.enabled, addon.name).toBe(true);
            expect(addon.dependencies, addon.name).toContain(prometheusCrds.urn);
            expect(all.dependsOn(addon, monitoringRelease), addon.name).toBe(false);
        }
        expect(all.dependsOn(monitoringRelease, prometheusCrds)).toBe(true);
        expect(all.one("kubernetes:helm.sh/v3:Release", "karpenter-crd").protect).toBe(stack === "prod");
    }, 60_000);

    it("each add-on can be switched off on its own", async () => {
        const noKarpenter = (await planStack("dev", { transformConfig: switchOff("karpenter") })).recorded;
        expect(noKarpenter.ofType("platform:index:Karpenter")).toEqual([]);
        expect(noKarpenter.ofType("platform:index:ExternalSecrets")).toHaveLength(1);
        const noEso = (await planStack("dev", { transformConfig: switchOff("externalSecrets") })).recorded;
        expect(noEso.ofType("platform:index:ExternalSecrets")).toEqual([]);
        expect(noEso.ofType("platform:index:Karpenter")).toHaveLength(1);
    }, 60_000);
});
