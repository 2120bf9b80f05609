/**
 * The control plane as a real `pulumi up` would create it, for the dev and prod stack files:
 * authentication, encryption, logging, endpoint exposure, access entries, the explicit Kubernetes
 * provider, Karpenter discovery and protection of stateful resources.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { accessGrants } from "../components/cluster";
import { clusterSecretsKeyPolicy, flowLogsDeliveryPolicy, flowLogsTrustPolicy, logGroupKeyPolicy, nodeTrustPolicy } from "../components/cluster.iam";
import { SECRET_MARK, UNKNOWN_MARK } from "../plan/record";
import { planStackFile, rawConfig, type PlannedStack } from "./fixtures/stacks";
import { recordedJson, type RecordedResource } from "./harness";
import { CLUSTER_ADMIN_POLICY_ARN, replayAccess } from "./support/eksAccess";
import { unknownActions, writeActionsOnAnyResource } from "./support/iam";

type Props = Record<string, unknown>;
type SelectorTerm = { tags?: Record<string, string>; id?: string; name?: string };

/** Karpenter's selector semantics: terms are ORed; a term's tags all match (`*` matches any value). */
function selectedBy(terms: SelectorTerm[], tags: Props | undefined): boolean {
    return terms.some((term) => {
        if (term.id !== undefined || term.name !== undefined || !term.tags) throw new Error(`selector term ${JSON.stringify(term)}: only tag terms are modelled here`);
        return Object.entries(term.tags).every(([key, value]) => tags !== undefined && key in tags && (value === "*" || tags[key] === value));
    });
}

function props(resource: RecordedResource): Props {
    return resource.props;
}

function policyOf(resource: RecordedResource): { Statement: Array<Record<string, unknown>> } {
    return recordedJson(resource, "policy", "props");
}

describe.each(["dev", "prod"])("cluster (%s stack)", (stack) => {
    let plan: PlannedStack;
    let cluster: RecordedResource;

    beforeAll(async () => {
        plan = await planStackFile(stack);
        cluster = plan.recorded.one("eks:index:Cluster");
    }, 60_000);

    it("is an API-mode cluster with every control-plane log type, secrets encryption and all add-ons managed outside the component", () => {
        const p = props(cluster);
        expect(p.name).toBe(plan.config.clusterName);
        expect(p.version).toBe(plan.config.kubernetesVersion);
        expect(p.authenticationMode).toBe("API");
        // All five: audit (who did what), authenticator (which IAM principal), api, controllerManager, scheduler.
        expect([...(p.enabledClusterLogTypes as string[])].sort()).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        expect(p.skipDefaultNodeGroup).toBe(true);
        expect(p.bootstrapSelfManagedAddons).toBe(false);
        // Neither the component's VPC CNI nor its kube-proxy/CoreDNS add-ons: ours are the only ones.
        expect(p.useDefaultVpcCni).toBe(true);
        expect((p.corednsAddonOptions as Props).enabled).toBe(false);
        expect((p.kubeProxyAddonOptions as Props).enabled).toBe(false);
        expect(p.createOidcProvider).toBe(true);
        expect(p.enableIMDSv2).toBeUndefined();
        expect(p.nodePublicKey).toBeUndefined();
    });

    it("encrypts Secrets with a rotating customer-managed key", () => {
        const key = plan.recorded.one("aws:kms/key:Key", "cluster-secrets");
        expect(key.props.enableKeyRotation).toBe(true);
        expect(cluster.props.encryptionConfigKeyArn).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\//);
        expect(plan.run.outputs.clusterSecretsKmsKeyArn).toBe(cluster.props.encryptionConfigKeyArn);
    });

    it("keeps the private endpoint on and never opens the public endpoint to the world", () => {
        const p = props(cluster);
        expect(p.endpointPrivateAccess).toBe(true);
        if (stack === "prod") {
            expect(p.endpointPublicAccess).toBe(false);
        } else {
            expect(p.endpointPublicAccess).toBe(true);
            expect(p.publicAccessCidrs).toEqual(plan.config.endpoint.publicAccessCidrs);
        }
        const cidrs = (p.publicAccessCidrs as string[] | undefined) ?? [];
        expect(cidrs).not.toContain("0.0.0.0/0");
        if (p.endpointPublicAccess !== false) expect(cidrs.length).toBeGreaterThan(0);
    });

    it("creates the control-plane log group first, KMS-encrypted, with the configured retention", () => {
        const logGroup = plan.recorded.one("aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane");
        const name = `/aws/eks/${plan.config.clusterName}/cluster`;
        expect(logGroup.props.name).toBe(name);
        expect(logGroup.props.retentionInDays).toBe(plan.config.controlPlaneLogRetentionDays);
        const key = plan.recorded.one("aws:kms/key:Key", "cluster-control-plane-logs");
        expect(logGroup.props.kmsKeyId).toMatch(/^arn:aws:kms:/);
        expect(key.props.enableKeyRotation).toBe(true);
        expect(plan.recorded.dependsOn(cluster, logGroup)).toBe(true);
        // CloudWatch Logs may use the key only for this log group (encryption-context condition).
        const logs = policyOf(key).Statement.find((s) => JSON.stringify(s.Principal).includes(`logs.${plan.config.region}.amazonaws.com`));
        expect(logs, "key policy must let CloudWatch Logs of this region use the key").toBeDefined();
        const condition = JSON.stringify(logs!.Condition);
        expect(condition).toContain("kms:EncryptionContext:aws:logs:arn");
        expect(condition).toContain(`log-group:${name}`);
    });

    it("after a first `pulumi up` by the deployer: one entry per principal, admins with cluster admin, everyone else with one group", () => {
        const { access } = plan.config;
        const model = replayAccess(plan.recorded, access.deployerRoleArn);
        expect(model.errors).toEqual([]);
        const admin = [`${CLUSTER_ADMIN_POLICY_ARN}@cluster`];
        expect(model.entries.get(access.deployerRoleArn)).toMatchObject({ createdBy: "eks-bootstrap", policies: admin });
        for (const arn of access.platformAdminRoleArns) expect(model.entries.get(arn)?.policies, arn).toEqual(admin);
        const groups: Array<[string[], string]> = [
            [access.developerRoleArns, "platform:developers"],
            [access.viewerRoleArns, "platform:viewers"],
            [access.ciRoleArns, "platform:ci-deployers"],
        ];
        for (const [arns, group] of groups) {
            expect(arns.length).toBeGreaterThan(0);
            // The deployer's grant merged into its bootstrap entry: cluster admin contains it.
            for (const arn of arns.filter((a) => a !== access.deployerRoleArn)) {
                expect(model.entries.get(arn), arn).toMatchObject({ kubernetesGroups: [group], policies: [] });
            }
        }
        const nodeRoles = plan.recorded.ofType("aws:eks/accessEntry:AccessEntry").filter((e) => e.props.type === "EC2_LINUX").length;
        const principals = new Set([access.deployerRoleArn, ...access.platformAdminRoleArns, ...access.developerRoleArns, ...access.viewerRoleArns, ...access.ciRoleArns]);
        expect(model.entries.size).toBe(principals.size + nodeRoles);
        expect([...model.entries.values()].every((e) => !e.kubernetesGroups.includes("system:masters"))).toBe(true);
    });

    it("lets the deploy runner reach the private endpoint when it runs inside the VPC, before any Kubernetes resource", () => {
        const rules = plan.recorded.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        const provider = plan.recorded.one("pulumi:providers:kubernetes", "cluster-k8s");
        if (plan.config.deployRunner?.network === "vpc") {
            expect(rules.map((r) => ({ sg: r.props.securityGroupId, cidr: r.props.cidrIpv4, from: r.props.fromPort, to: r.props.toPort, protocol: r.props.ipProtocol }))).toEqual(
                plan.config.deployRunner.sourceCidrs.map((cidr) => ({ sg: plan.run.outputs.clusterSecurityGroupId, cidr, from: 443, to: 443, protocol: "tcp" })),
            );
            for (const rule of rules) expect(plan.recorded.dependsOn(provider, rule)).toBe(true);
        } else {
            expect(rules).toEqual([]);
        }
    });

    it("Karpenter's EC2NodeClass selects exactly the node security group and the private subnets of this plan", () => {
        const p = props(cluster);
        const nodeClass = plan.recorded.one("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass");
        const spec = (nodeClass.props as { spec: { subnetSelectorTerms: SelectorTerm[]; securityGroupSelectorTerms: SelectorTerm[] } }).spec;
        expect(spec.securityGroupSelectorTerms).toEqual([{ tags: { "karpenter.sh/discovery": plan.config.clusterName } }]);
        // Every security group the plan creates or tags, with the tags it will carry.
        const securityGroups: Array<[string, Props | undefined]> = [
            ["eks node security group", p.nodeSecurityGroupTags as Props | undefined],
            ["eks cluster security group", { ...(p.tags as Props | undefined), ...(p.clusterSecurityGroupTags as Props | undefined) }],
            ...plan.recorded.resources.filter((r) => /^aws:ec2\/(defaultSecurityGroup|securityGroup):/.test(r.type)).map((sg): [string, Props | undefined] => [sg.name, sg.props.tags as Props | undefined]),
        ];
        expect(securityGroups.filter(([, tags]) => selectedBy(spec.securityGroupSelectorTerms, tags)).map(([name]) => name)).toEqual(["eks node security group"]);
        // Nodes go to the private subnets, every one of them, never a public one.
        const subnets = plan.recorded.ofType("aws:ec2/subnet:Subnet");
        expect(subnets.length).toBeGreaterThan(0);
        const selected = subnets.filter((s) => selectedBy(spec.subnetSelectorTerms, s.props.tags as Props)).map((s) => s.name).sort();
        const privateSubnets = subnets.filter((s) => s.props.mapPublicIpOnLaunch !== true && (s.props.tags as Props)["kubernetes.io/role/internal-elb"] === "1").map((s) => s.name).sort();
        expect(privateSubnets).toHaveLength(stack === "dev" ? 2 : 3);
        expect(selected).toEqual(privateSubnets);
    });

    it("creates every Kubernetes resource through the one explicit provider (server-side apply on)", () => {
        const provider = plan.recorded.one("pulumi:providers:kubernetes", "cluster-k8s");
        expect(String(provider.props.enableServerSideApply)).toBe("true");
        expect(String(provider.props.deleteUnreachable)).toBe("false");
        expect(provider.props.kubeconfig).toBeTruthy();
        const kubernetesResources = plan.recorded.resources.filter((r) => r.type.startsWith("kubernetes:"));
        expect(kubernetesResources.length).toBeGreaterThan(0);
        const strays = kubernetesResources.filter((r) => r.provider !== provider.urn).map((r) => `${r.type} ${r.name} -> ${r.provider}`);
        expect(strays).toEqual([]);
    });

    it(stack === "prod" ? "protects keys, log groups and the cluster" : "leaves dev resources unprotected", () => {
        const keys = plan.recorded.ofType("aws:kms/key:Key").filter((k) => k.name.startsWith("cluster-") || k.name.startsWith("network-"));
        const logGroups = plan.recorded.ofType("aws:cloudwatch/logGroup:LogGroup").filter((l) => l.name.startsWith("cluster-") || l.name.startsWith("network-"));
        expect(keys.length).toBe(3);
        expect(logGroups.length).toBe(2);
        const prod = stack === "prod";
        for (const key of keys) {
            expect(key.protect, key.name).toBe(prod);
            expect(key.retainOnDelete, key.name).toBe(prod);
        }
        for (const logGroup of logGroups) expect(logGroup.protect, logGroup.name).toBe(prod);
        expect(cluster.protect).toBe(prod);
        expect(cluster.props.deletionProtection).toBe(prod);
    });

    it("exports the typed outputs, with the kubeconfig as a secret", () => {
        const o = plan.run.outputs;
        expect(o.kubeconfig).toBe(SECRET_MARK);
        expect(o.clusterName).toBe(plan.config.clusterName);
        expect(o.region).toBe(plan.config.region);
        expect(o.kubernetesVersion).toBe(plan.config.kubernetesVersion);
        expect(o.clusterEndpoint).toMatch(/^https:\/\//);
        expect(o.clusterArn).toBe(`arn:aws:eks:${plan.config.region}:${/::(\d{12}):/.exec(plan.config.access.breakGlassRoleArn)![1]}:cluster/${plan.config.clusterName}`);
        expect(o.clusterCertificateAuthority).toMatch(/^[A-Za-z0-9+/=]+$/);
        expect(o.oidcProviderArn).toMatch(/:oidc-provider\/oidc\.eks\./);
        expect(o.oidcProviderUrl).toMatch(/^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\//);
        expect(o.clusterSecurityGroupId).toMatch(/^sg-/);
        expect(o.nodeSecurityGroupId).toMatch(/^sg-/);
        expect(o.nodeSecurityGroupId).not.toBe(o.clusterSecurityGroupId);
        expect(o.vpcId).toMatch(/^vpc-/);
        expect(o.nodeGroupNames).toEqual(plan.config.nodeGroups.map((g) => g.name));
        const roleArns = o.nodeRoleArns as Record<string, string>;
        expect(Object.keys(roleArns).sort()).toEqual(plan.config.nodeGroups.map((g) => g.name).sort());
        expect(new Set(Object.values(roleArns)).size).toBe(plan.config.nodeGroups.length);
        expect(o.storageClassName).toBe("gp3-encrypted");
    });
});

describe.each(["dev", "prod"])("preview of a new %s stack", (stack) => {
    it("registers the same cluster without crashing on unknown values", async () => {
        const preview = await planStackFile(stack, { preview: true });
        const full = await planStackFile(stack);
        const types = (plan: PlannedStack) => plan.run.resources.map((r) => `${r.type}::${r.name}`).sort();
        expect(types(preview)).toEqual(types(full));
        // What a new cluster cannot know yet stays unknown instead of being looked up and failing.
        expect(preview.run.outputs.clusterEndpoint).toBe(UNKNOWN_MARK);
        expect(preview.run.outputs.kubeconfig).toBe(SECRET_MARK);
        const vpcCni = preview.recorded.one("aws:eks/addon:Addon", "node-addons-vpc-cni");
        expect(JSON.parse(String(vpcCni.props.configurationValues))).toEqual({ enableNetworkPolicy: "true" });
    }, 60_000);
});

describe("IAM and KMS documents", () => {
    const scope = { partition: "aws", region: "eu-west-1", accountId: "111122223333" };

    it("name only actions that exist, and never allow writes on every resource outside key policies", async () => {
        const logGroupArn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vpc/x/flow-logs";
        for (const document of [flowLogsDeliveryPolicy(logGroupArn), flowLogsTrustPolicy(scope), logGroupKeyPolicy(scope, "/aws/eks/x/cluster"), clusterSecretsKeyPolicy(scope), nodeTrustPolicy()]) {
            expect(await unknownActions(document)).toEqual([]);
        }
        expect(await writeActionsOnAnyResource(flowLogsDeliveryPolicy(logGroupArn))).toEqual([]);
    });
});

/**
 * Whoever runs `pulumi up`: EKS gives the creator of a cluster its own admin entry (modeled in
 * test/support/eksAccess.ts). The deployer may be listed as CI, as admin, or nowhere; in every
 * case there is one entry per principal and the deployer is cluster admin by design.
 */
describe("the deployer and EKS's bootstrap entry", () => {
    const dev = rawConfig<Record<string, unknown> & { ciRoleArns: string[]; platformAdminRoleArns: string[] }>("dev", "access");
    const ci = dev.ciRoleArns[0];
    const admin = dev.platformAdminRoleArns[0];
    const outsider = "arn:aws:iam::111122223333:role/pulumi-deployer";
    const cases: Array<[string, string]> = [
        ["listed in ciRoleArns", ci],
        ["listed in platformAdminRoleArns", admin],
        ["in neither list", outsider],
    ];

    it.each(cases)("a deployer %s gets no second entry and is cluster admin through the bootstrap entry", async (_, deployer) => {
        const planned = await planStackFile("dev", { patch: { access: { ...dev, deployerRoleArn: deployer } } });
        const model = replayAccess(planned.recorded, deployer);
        expect(model.errors).toEqual([]);
        expect(model.entries.get(deployer)).toMatchObject({ createdBy: "eks-bootstrap", policies: [`${CLUSTER_ADMIN_POLICY_ARN}@cluster`] });
        expect(planned.recorded.ofType("aws:eks/accessEntry:AccessEntry").filter((e) => e.props.principalArn === deployer)).toEqual([]);
        // Explicit in code: the grant says who creates the entry and which lists it absorbed.
        const grant = accessGrants(planned.config.access).find((g) => g.roleArn === deployer);
        expect(grant).toEqual({ kind: "deployer", roleArn: deployer, entry: "eks-bootstrap", alsoListedAs: deployer === ci ? ["ci"] : deployer === admin ? ["admin"] : [] });
    }, 60_000);

    it("refuses to create a new cluster when someone else runs `pulumi up`, naming both roles", async () => {
        await expect(planStackFile("dev", { callerRoleArn: admin })).rejects.toThrow(
            `EKS cluster eks-platform-dev does not exist yet and would be created by ${admin}, but access.deployerRoleArn is ${ci}`,
        );
    }, 60_000);

    it("lets any admin run `pulumi up` once the cluster exists", async () => {
        const planned = await planStackFile("dev", { callerRoleArn: admin, existingClusters: ["eks-platform-dev"] });
        expect(planned.recorded.ofType("eks:index:Cluster")).toHaveLength(1);
    }, 60_000);
});
