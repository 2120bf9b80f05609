/**
 * The AWS Load Balancer Controller: values against the pinned chart, IngressClassParams against
 * the pinned CRDs, its IAM policy against AWS's catalogue and the simulator, its namespace's
 * traffic, where it runs, and the pack judging tenants' load balancers with the plan's own
 * Namespaces and IngressClassParams.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
    AwsLoadBalancerController,
    DEFAULT_SSL_POLICY,
    ingressClassManifests,
    loadBalancerControllerValues,
} from "../components/awsLoadBalancerController";
import { loadBalancerControllerPolicy } from "../components/awsLoadBalancerController.iam";
import { CHARTS } from "../components/shared/helm";
import type { PolicyDocument } from "../components/shared/iamDocuments";
import { policyResourcesOf } from "../plan";
import { evaluatePolicies } from "../policy/engine";
import { fakeClusterContext } from "./fixtures/cluster";
import { helmValues as values, planStack, recordedJson, runComponent, updateConfig, type Recorded, type RecordedResource } from "./harness";
import { crdErrors, type CustomResource } from "./support/crdSchema";
import { unknownValuePaths } from "./support/helmValues";
import { allActions, simulate, unknownActions, writeActionsOnAnyResource } from "./support/iam";
import { chartDefaults, UPSTREAM_DIR, upstreamAvailable, upstreamPins } from "./support/upstream";

const CHART = "aws-load-balancer-controller";
const VERSION = CHARTS.awsLoadBalancerController.version;
const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const CLUSTER = "test-cluster";
const VPC = "vpc-0123456789abcdef0";
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** Rendered whole with toYaml (templates/deployment.yaml): the defaults are one example, not the list of fields. */
const FREE_FORM = ["securityContext", "podSecurityContext"];

async function build(overrides: { prod?: boolean; monitoring?: boolean } = {}): Promise<Recorded> {
    const { recorded } = await runComponent(
        () =>
            new AwsLoadBalancerController("aws-load-balancer-controller", {
                cluster: fakeClusterContext({ name: CLUSTER, region: REGION, highAvailability: overrides.prod ?? false, protectStateful: overrides.prod ?? false }),
                monitoring: overrides.monitoring === false ? undefined : { crds: [] },
            }),
        { region: REGION, accountId: ACCOUNT },
    );
    return recorded;
}

let dev: Recorded;
let prod: Recorded;
beforeAll(async () => {
    dev = await build();
    prod = await build({ prod: true });
});
const release = (recorded: Recorded): RecordedResource => recorded.one(RELEASE, "aws-load-balancer-controller");

describe.skipIf(!upstreamAvailable)("Helm values against the pinned chart aws-load-balancer-controller 3.5.0", () => {
    it("is the pinned chart", () => {
        expect(upstreamPins()[CHART]).toBe(VERSION);
        expect(release(dev).inputs).toMatchObject({ chart: CHART, version: "3.5.0", repositoryOpts: { repo: "https://aws.github.io/eks-charts" } });
    });

    it("sets only keys the chart reads, in every environment", () => {
        for (const recorded of [dev, prod]) expect(unknownValuePaths(values(release(recorded)), chartDefaults(CHART, VERSION), FREE_FORM)).toEqual([]);
        const withoutMonitoring = loadBalancerControllerValues({ clusterName: CLUSTER, region: REGION, vpcId: VPC, highAvailability: true, monitoringEnabled: false, tags: {} });
        expect(unknownValuePaths(withoutMonitoring, chartDefaults(CHART, VERSION), FREE_FORM)).toEqual([]);
    });

    it("the key check catches a misspelt key", () => {
        expect(unknownValuePaths({ defaultTargetTyp: "ip", serviceMonitor: { enable: true } }, chartDefaults(CHART, VERSION), FREE_FORM).map((p) => p.path)).toEqual([
            "defaultTargetTyp",
            "serviceMonitor.enable",
        ]);
    });
});

describe("the controller's settings", () => {
    it("region and VPC are given (pods cannot reach IMDS at hop limit 1); target type ip; internal by default; the TLS 1.3 policy", () => {
        expect(values(release(dev))).toMatchObject({
            clusterName: CLUSTER,
            region: REGION,
            vpcId: VPC,
            defaultTargetType: "ip",
            defaultLoadBalancerScheme: "internal",
            defaultSSLPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        });
        expect(DEFAULT_SSL_POLICY).toMatch(/^ELBSecurityPolicy-TLS13-/);
    });

    it("keeps its own webhook certificate across upgrades, without cert-manager", () => {
        expect(values(release(dev))).toMatchObject({ enableCertManager: false, keepTLSSecret: true, webhookBindPort: 9443 });
    });

    it("two replicas with a disruption budget in prod, one without in dev", () => {
        expect([values(release(prod)).replicaCount, values(release(prod)).podDisruptionBudget]).toEqual([2, { maxUnavailable: 1 }]);
        expect([values(release(dev)).replicaCount, values(release(dev)).podDisruptionBudget]).toEqual([1, {}]);
    });

    it("runs on the system nodes, restricted, with requests and limits", () => {
        const v = values(release(prod));
        expect(v.nodeSelector).toEqual({ "platform.eks.aws/node-role": "system" });
        expect(v.tolerations).toEqual([{ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoSchedule" }]);
        expect(v.resources.requests).toBeDefined();
        expect(v.resources.limits).toBeDefined();
        expect(v.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
        expect(v.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    });

    it("renders its ServiceMonitor only with monitoring, and then waits for the Prometheus CRDs", async () => {
        expect(values(release(dev)).serviceMonitor).toEqual({ enabled: true });
        expect(values(release(await build({ monitoring: false }))).serviceMonitor).toEqual({ enabled: false });
    });

    it("the Service mutator (fail closed) admits only tenant namespaces: other charts' Services never wait for the controller", () => {
        expect(values(release(dev)).serviceMutatorWebhookConfig).toEqual({ failurePolicy: "Fail", namespaceSelectors: [{ key: "platform.eks.aws/tenant", operator: "Exists" }] });
    });

    it("waits for its Pod Identity association and its permissions; the IngressClasses wait for the release (its webhook admits them)", () => {
        const association = dev.one("aws:eks/podIdentityAssociation:PodIdentityAssociation");
        expect(association.inputs).toMatchObject({ namespace: "aws-load-balancer-controller", serviceAccount: values(release(dev)).serviceAccount.name });
        expect(dev.dependsOn(release(dev), association)).toBe(true);
        expect(dev.dependsOn(release(dev), dev.one("aws:iam/rolePolicy:RolePolicy"))).toBe(true);
        const classes = dev.ofType("kubernetes:networking.k8s.io/v1:IngressClass").concat(dev.ofType("kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams"));
        expect(classes).toHaveLength(4);
        for (const r of classes) expect(dev.dependsOn(r, release(dev)), r.name).toBe(true);
    });
});

describe.skipIf(!upstreamAvailable)("IngressClassParams against the pinned CRDs (strictly, CEL rules included)", () => {
    const params = () => ingressClassManifests().filter((m) => m.kind === "IngressClassParams");

    it("both validate", () => {
        expect(params()).toHaveLength(2);
        for (const manifest of params()) expect(crdErrors(CHART, VERSION, manifest as CustomResource), manifest.metadata.name).toEqual([]);
    });

    it("the validator refuses a field the CRD does not have and a scheme it does not know", () => {
        const [internal] = params();
        expect(crdErrors(CHART, VERSION, { ...internal, spec: { ...internal.spec, listenPorts: [443] } } as CustomResource).join()).toMatch(/listenPorts/);
        expect(crdErrors(CHART, VERSION, { ...internal, spec: { ...internal.spec, scheme: "public" } } as CustomResource).join()).toMatch(/scheme/);
    });

    it("alb is internal for every namespace and the default class; alb-internet-facing admits only the namespaces labelled as allowed", () => {
        const byName = Object.fromEntries(ingressClassManifests().map((m) => [`${m.kind}/${m.metadata.name}`, m]));
        expect(byName["IngressClassParams/alb"].spec).toEqual({ scheme: "internal", targetType: "ip", ipAddressType: "ipv4", sslPolicy: DEFAULT_SSL_POLICY });
        expect(byName["IngressClass/alb"].metadata.annotations).toEqual({ "ingressclass.kubernetes.io/is-default-class": "true" });
        expect(byName["IngressClassParams/alb-internet-facing"].spec).toMatchObject({ scheme: "internet-facing", namespaceSelector: { matchLabels: { "platform.eks.aws/internet-facing": "allowed" } } });
        for (const name of ["alb", "alb-internet-facing"]) {
            expect(byName[`IngressClass/${name}`].spec).toEqual({ controller: "ingress.k8s.aws/alb", parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name } });
        }
    });
});

describe("IAM: the controller's policy", () => {
    const policy = loadBalancerControllerPolicy({ partition: "aws", region: REGION, accountId: ACCOUNT, clusterName: CLUSTER, vpcId: VPC });
    const elb = (resource: string) => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:${resource}`;
    const ec2 = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;
    const principal = `arn:aws:iam::${ACCOUNT}:role/${CLUSTER}-load-balancer-controller`;
    const ask = (action: string, resource: string, context: Record<string, string> = {}, catalogueGap?: string) =>
        simulate({
            principal,
            action,
            resource,
            resourceAccount: ACCOUNT,
            identityPolicies: [policy],
            context: { "aws:RequestedRegion": REGION, ...context },
            resourceTypeNotInCatalogue: catalogueGap,
        });
    /** The catalogue lists the tagging actions on classic load balancers only (one prefix, two APIs). */
    const V2_TAGGING = "ELBv2 AddTags/RemoveTags on target groups, listeners and rules";
    const tag = (kind: "RequestTag" | "ResourceTag", cluster: string) => ({ [`aws:${kind}/elbv2.k8s.aws/cluster`]: cluster });
    const alb = elb("loadbalancer/app/k8s-payments-web-0123456789/0123456789abcdef");

    it("is the one the component attaches", () => {
        expect(recordedJson(dev.one("aws:iam/rolePolicy:RolePolicy"))).toEqual(policy);
    });

    it("every action exists in AWS's catalogue, and no write is allowed on every resource", async () => {
        expect(await unknownActions(policy)).toEqual([]);
        expect(await writeActionsOnAnyResource(policy)).toEqual([]);
    });

    it.skipIf(!upstreamAvailable)("grants no action the upstream v3.5.0 policy does not; what it leaves out serves features turned off", () => {
        const upstream = JSON.parse(readFileSync(join(UPSTREAM_DIR, "iam", "aws-load-balancer-controller-3.5.0", "iam_policy.json"), "utf8")) as PolicyDocument;
        const ours = new Set(allActions(policy));
        const theirs = new Set(allActions(upstream));
        expect([...ours].filter((a) => !theirs.has(a))).toEqual([]);
        const left = [...theirs].filter((a) => !ours.has(a)).sort();
        expect(left).toEqual(
            [
                "iam:GetServerCertificate",
                "iam:ListServerCertificates",
                "shield:CreateProtection",
                "shield:DeleteProtection",
                "shield:DescribeProtection",
                "shield:GetSubscriptionState",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "elasticloadbalancing:SetWebAcl",
            ].sort(),
        );
        expect(values(release(dev))).toMatchObject({ enableWaf: false, enableWafv2: false, enableShield: false });
    });

    it("may create a load balancer and a target group tagged for this cluster, and no other", async () => {
        expect(await ask("elasticloadbalancing:CreateLoadBalancer", alb, tag("RequestTag", CLUSTER))).toBe("Allowed");
        expect(await ask("elasticloadbalancing:CreateTargetGroup", elb("targetgroup/k8s-payments-web-0123456789/0123456789abcdef"), tag("RequestTag", CLUSTER))).toBe("Allowed");
        expect(await ask("elasticloadbalancing:CreateLoadBalancer", alb, tag("RequestTag", "other-cluster"))).not.toBe("Allowed");
        expect(await ask("elasticloadbalancing:CreateLoadBalancer", alb)).not.toBe("Allowed");
        expect(await ask("elasticloadbalancing:AddTags", alb, { ...tag("RequestTag", CLUSTER), "elasticloadbalancing:CreateAction": "CreateLoadBalancer" })).toBe("Allowed");
    });

    it("may modify and delete load balancers, target groups and security groups tagged for this cluster, and not another cluster's", async () => {
        for (const action of ["elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:SetSecurityGroups"]) {
            expect(await ask(action, alb, tag("ResourceTag", CLUSTER)), action).toBe("Allowed");
            expect(await ask(action, alb, tag("ResourceTag", "other-cluster")), action).not.toBe("Allowed");
            expect(await ask(action, alb), action).not.toBe("Allowed");
        }
        const targetGroup = elb("targetgroup/k8s-other-0123456789/0123456789abcdef");
        expect(await ask("elasticloadbalancing:RegisterTargets", targetGroup, tag("ResourceTag", CLUSTER))).toBe("Allowed");
        expect(await ask("elasticloadbalancing:RegisterTargets", targetGroup, tag("ResourceTag", "other-cluster"))).not.toBe("Allowed");
        expect(await ask("elasticloadbalancing:CreateListener", alb, tag("ResourceTag", "other-cluster"))).not.toBe("Allowed");
        const group = ec2("security-group/sg-0123456789abcdef0");
        expect(await ask("ec2:DeleteSecurityGroup", group, tag("ResourceTag", CLUSTER))).toBe("Allowed");
        expect(await ask("ec2:DeleteSecurityGroup", group, tag("ResourceTag", "other-cluster"))).not.toBe("Allowed");
    });

    it("may not move the cluster tag of what it owns", async () => {
        expect(await ask("elasticloadbalancing:AddTags", alb, { ...tag("ResourceTag", CLUSTER), "aws:RequestTag/ingress.k8s.aws/stack": "payments/web" })).toBe("Allowed");
        expect(await ask("elasticloadbalancing:AddTags", alb, { ...tag("ResourceTag", CLUSTER), ...tag("RequestTag", "other-cluster") })).not.toBe("Allowed");
    });

    it("opens the nodes' security group to its load balancers in this cluster's VPC only; everything in this account and Region", async () => {
        const nodes = ec2("security-group/sg-0nodes");
        expect(await ask("ec2:AuthorizeSecurityGroupIngress", nodes, { "ec2:Vpc": ec2(`vpc/${VPC}`) })).toBe("Allowed");
        expect(await ask("ec2:AuthorizeSecurityGroupIngress", nodes, { "ec2:Vpc": ec2("vpc/vpc-0fedcba9876543210") })).not.toBe("Allowed");
        expect(await ask("ec2:DeleteSecurityGroup", nodes, { "ec2:Vpc": ec2(`vpc/${VPC}`) })).not.toBe("Allowed");
        expect(await ask("elasticloadbalancing:CreateLoadBalancer", `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/x/1`, tag("RequestTag", CLUSTER))).not.toBe("Allowed");
    });

    it("creates and tags Network Load Balancers as it does Application Load Balancers", async () => {
        const nlb = elb("loadbalancer/net/k8s-payments-tcp-0123456789/0123456789abcdef");
        expect(await ask("elasticloadbalancing:CreateLoadBalancer", nlb, tag("RequestTag", CLUSTER))).toBe("Allowed");
        expect(await ask("elasticloadbalancing:DeleteLoadBalancer", nlb, tag("ResourceTag", CLUSTER))).toBe("Allowed");
        expect(await ask("elasticloadbalancing:DeleteLoadBalancer", nlb, tag("ResourceTag", "other-cluster"))).not.toBe("Allowed");
    });

    it("tags a target group at its creation only when the tag names this cluster", async () => {
        const targetGroup = elb("targetgroup/k8s-payments-web-0123456789/0123456789abcdef");
        const atCreation = { "elasticloadbalancing:CreateAction": "CreateTargetGroup" };
        expect(await ask("elasticloadbalancing:AddTags", targetGroup, { ...tag("RequestTag", CLUSTER), ...atCreation }, V2_TAGGING)).toBe("Allowed");
        expect(await ask("elasticloadbalancing:AddTags", targetGroup, { ...tag("RequestTag", "other-cluster"), ...atCreation }, V2_TAGGING)).not.toBe("Allowed");
        expect(await ask("elasticloadbalancing:AddTags", targetGroup, tag("RequestTag", CLUSTER), V2_TAGGING)).not.toBe("Allowed");
    });

    it("evaluates the v2 tagging requests without the resource-type check only while the catalogue lacks those types", async () => {
        await expect(ask("elasticloadbalancing:AddTags", alb, tag("RequestTag", CLUSTER), V2_TAGGING)).rejects.toThrow(/catalogue now knows the resource type/);
    });

    it("manages the listeners and rules of Application and Network Load Balancers, and only those", async () => {
        for (const type of ["app", "net"]) {
            const listener = elb(`listener/${type}/k8s-payments-web-0123456789/0123456789abcdef/fedcba9876543210`);
            const rule = elb(`listener-rule/${type}/k8s-payments-web-0123456789/0123456789abcdef/fedcba9876543210/0011223344556677`);
            expect(await ask("elasticloadbalancing:ModifyListener", listener), listener).toBe("Allowed");
            expect(await ask("elasticloadbalancing:CreateRule", listener), listener).toBe("Allowed");
            expect(await ask("elasticloadbalancing:ModifyRule", rule), rule).toBe("Allowed");
            expect(await ask("elasticloadbalancing:DeleteRule", rule), rule).toBe("Allowed");
            expect(await ask("elasticloadbalancing:AddTags", listener, {}, V2_TAGGING), listener).toBe("Allowed");
            expect(await ask("elasticloadbalancing:RemoveTags", rule, {}, V2_TAGGING), rule).toBe("Allowed");
        }
        expect(await ask("elasticloadbalancing:ModifyListener", elb("listener/gwy/k8s-x-0123456789/0123456789abcdef/fedcba9876543210"))).not.toBe("Allowed");
    });

    it("changes listener attributes only on this cluster's load balancers", async () => {
        const listener = elb("listener/app/k8s-payments-web-0123456789/0123456789abcdef/fedcba9876543210");
        expect(await ask("elasticloadbalancing:ModifyListenerAttributes", listener, tag("ResourceTag", CLUSTER))).toBe("Allowed");
        expect(await ask("elasticloadbalancing:ModifyListenerAttributes", listener, tag("ResourceTag", "other-cluster"))).not.toBe("Allowed");
        expect(await ask("elasticloadbalancing:ModifyListenerAttributes", listener)).not.toBe("Allowed");
    });

    it("reads only in its own Region", async () => {
        expect(await ask("elasticloadbalancing:DescribeLoadBalancers", "*")).toBe("Allowed");
        expect(await ask("elasticloadbalancing:DescribeLoadBalancers", "*", { "aws:RequestedRegion": "us-east-1" })).not.toBe("Allowed");
        expect(await ask("ec2:DescribeSecurityGroups", "*", { "aws:RequestedRegion": "us-east-1" })).not.toBe("Allowed");
    });

    it("creates the Elastic Load Balancing service-linked role and no other service's", async () => {
        const role = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`;
        expect(await ask("iam:CreateServiceLinkedRole", role, { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" })).toBe("Allowed");
        expect(await ask("iam:CreateServiceLinkedRole", role, { "iam:AWSServiceName": "autoscaling.amazonaws.com" })).not.toBe("Allowed");
        expect(await ask("iam:CreateServiceLinkedRole", role)).not.toBe("Allowed");
    });

    it("creates security groups in the cluster's VPC only, tagged for this cluster", async () => {
        const group = ec2("security-group/*");
        const cluster = tag("RequestTag", CLUSTER);
        expect(await ask("ec2:CreateSecurityGroup", ec2(`vpc/${VPC}`), cluster)).toBe("Allowed");
        expect(await ask("ec2:CreateSecurityGroup", ec2("vpc/vpc-0fedcba9876543210"), cluster)).not.toBe("Allowed");
        expect(await ask("ec2:CreateSecurityGroup", group, cluster)).toBe("Allowed");
        expect(await ask("ec2:CreateSecurityGroup", group, tag("RequestTag", "other-cluster"))).not.toBe("Allowed");
        expect(await ask("ec2:CreateSecurityGroup", group)).not.toBe("Allowed");
    });

    it("tags a security group at its creation only with this cluster's tag, and retags only its own", async () => {
        const group = ec2("security-group/sg-0123456789abcdef0");
        const atCreation = { "ec2:CreateAction": "CreateSecurityGroup" };
        expect(await ask("ec2:CreateTags", group, { ...atCreation, ...tag("RequestTag", CLUSTER) })).toBe("Allowed");
        expect(await ask("ec2:CreateTags", group, { ...atCreation, ...tag("RequestTag", "other-cluster") })).not.toBe("Allowed");
        expect(await ask("ec2:CreateTags", group, { "ec2:CreateAction": "RunInstances", ...tag("RequestTag", CLUSTER) })).not.toBe("Allowed");
        expect(await ask("ec2:CreateTags", group, tag("RequestTag", CLUSTER))).not.toBe("Allowed");
        for (const action of ["ec2:CreateTags", "ec2:DeleteTags"]) {
            expect(await ask(action, group, tag("ResourceTag", CLUSTER)), action).toBe("Allowed");
            expect(await ask(action, group, tag("ResourceTag", "other-cluster")), action).not.toBe("Allowed");
            expect(await ask(action, group), action).not.toBe("Allowed");
        }
    });

    it("trust: only aws-load-balancer-controller/aws-load-balancer-controller of this cluster, through Pod Identity", async () => {
        const role = dev.ofType("aws:iam/role:Role").find((r) => r.inputs.name === `${CLUSTER}-load-balancer-controller`)!;
        const trust = recordedJson(role, "assumeRolePolicy");
        const clusterArn = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
        const assume = (namespace: string, serviceAccount: string) =>
            simulate({
                principal: "pods.eks.amazonaws.com",
                action: "sts:AssumeRole",
                resource: principal,
                resourceAccount: ACCOUNT,
                resourcePolicy: trust,
                context: {
                    "aws:SourceAccount": ACCOUNT,
                    "aws:SourceArn": clusterArn,
                    "aws:RequestTag/eks-cluster-arn": clusterArn,
                    "aws:RequestTag/kubernetes-namespace": namespace,
                    "aws:RequestTag/kubernetes-service-account": serviceAccount,
                },
            });
        expect(await assume("aws-load-balancer-controller", "aws-load-balancer-controller")).toBe("Allowed");
        expect(await assume("payments", "aws-load-balancer-controller")).not.toBe("Allowed");
        expect(await assume("aws-load-balancer-controller", "default")).not.toBe("Allowed");
    });
});

describe("its namespace", () => {
    it("restricted Pod Security, and exactly the NetworkPolicies it needs (API server, AWS APIs, Pod Identity, webhook from the control plane, scrapes)", () => {
        const ns = dev.one("kubernetes:core/v1:Namespace");
        expect((ns.inputs.metadata as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        const policies = dev.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => (p.inputs.metadata as { name: string }).name).sort();
        expect(policies).toEqual(["allow-apiserver", "allow-aws-apis", "allow-dns-to-coredns", "allow-pod-identity", "allow-scrape-from-monitoring", "allow-webhook-from-control-plane", "default-deny-all"]);
        const quota = (dev.one("kubernetes:core/v1:ResourceQuota").inputs.spec as { hard: Record<string, string> }).hard;
        expect(quota["services.loadbalancers"]).toBe("0");
    });
});

describe.each(["dev", "prod"])("the %s plan", (stack) => {
    it("installs the controller, exports the classes and namespace, and the pack passes", async () => {
        const { plan, recorded } = await planStack(stack);
        const controller = recorded.one(RELEASE, "aws-load-balancer-controller");
        expect(values(controller).vpcId).toBe(plan.document.outputs.vpcId);
        expect(plan.document.outputs).toMatchObject({ ingressClassName: "alb", internetFacingIngressClassName: "alb-internet-facing", loadBalancerControllerNamespace: "aws-load-balancer-controller", loadBalancerClass: "service.k8s.aws/nlb" });
        expect(plan.document.policy.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    }, 60_000);
});

describe("the pack judges tenants' load balancers with the plan's Namespaces and IngressClassParams", () => {
    const ACM = "arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const internetFacing = (namespace: string) => [
        {
            urn: `urn:pulumi:dev::team::kubernetes:networking.k8s.io/v1:Ingress::${namespace}-shop`,
            type: "kubernetes:networking.k8s.io/v1:Ingress",
            name: `${namespace}-shop`,
            props: { metadata: { name: "shop", namespace, annotations: { "alb.ingress.kubernetes.io/certificate-arn": ACM } }, spec: { ingressClassName: "alb-internet-facing" } },
        },
        {
            urn: `urn:pulumi:dev::team::kubernetes:core/v1:Service::${namespace}-shop-tcp`,
            type: "kubernetes:core/v1:Service",
            name: `${namespace}-shop-tcp`,
            props: {
                metadata: { name: "shop-tcp", namespace, annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing", "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": ACM, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "*" } },
                spec: { type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb", ports: [{ port: 443, targetPort: 8443 }] },
            },
        },
    ];
    const refusals = async (internetFacingTenant: boolean) => {
        const { plan } = await planStack("dev", {
            transformConfig: updateConfig<Array<Record<string, unknown>>>("tenants", (tenants) => tenants.map((t) => (t.name === "payments" ? { ...t, internetFacing: internetFacingTenant } : t))),
        });
        const report = evaluatePolicies([...policyResourcesOf(plan.run.resources), ...internetFacing("payments")], plan.policyConfig);
        return report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy}: ${v.message}`);
    };

    it("blocks an internet-facing Ingress and Service in a tenant config does not allow", async () => {
        expect((await refusals(false)).sort()).toEqual([
            "k8s-internal-load-balancer: Ingress payments/shop is an internet-facing load balancer (IngressClass alb-internet-facing pins scheme internet-facing) in namespace payments, which may not face the internet",
            "k8s-internal-load-balancer: Service payments/shop-tcp is an internet-facing load balancer (annotation service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing) in namespace payments, which may not face the internet",
        ]);
    }, 60_000);

    it("passes them once config allows the tenant (`internetFacing`, which labels its Namespace)", async () => {
        expect(await refusals(true)).toEqual([]);
    }, 60_000);
});
