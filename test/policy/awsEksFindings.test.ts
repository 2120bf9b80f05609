// What the EKS policies report, word for word, on the cases a real account produces: node roles
// and every way ECR write rights reach them, the vpc-cni switch in each of its spellings, the
// component cluster and its own aws.eks.Cluster child, dated support phases, and the EC2 metadata
// options instances inherit from launch templates.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EKS_VERSION_TABLE } from "../../policy/lib/eksVersions";
import { awsCluster, eksComponentCluster, notEvaluatedOf, resource, UNKNOWN, violationsOf, vpcCniAddon } from "./helpers";

type Props = Record<string, any>;

const doc = (...Statement: Props[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const trustedBy = (...services: string[]) => doc({ Effect: "Allow", Principal: { Service: services.length === 1 ? services[0] : services }, Action: "sts:AssumeRole" });
const ECR = "eks-node-role-ecr-read-only";
const nodeRole = (props: Props = {}, name = "nodes") => resource("aws:iam/role:Role", { name, assumeRolePolicy: trustedBy("ec2.amazonaws.com"), ...props }, name);
const rolePolicy = (role: string, ...statements: Props[]) => resource("aws:iam/rolePolicy:RolePolicy", { role, policy: doc(...statements) }, `${role}-inline`);
const allow = (Action: string | string[]) => ({ Effect: "Allow", Action, Resource: "*" });

describe("eks-node-role-ecr-read-only", () => {
    it("names every distinct ECR write of a statement, and ignores Deny statements", () => {
        const writes = rolePolicy("nodes", allow(["ecr:PutImage", "ecr:BatchGetImage", "ecr:DeleteRepository", "ecr:PutImage"]));
        expect(violationsOf(ECR, [nodeRole(), writes])).toEqual(["node role nodes can write to ECR through role policy nodes-inline: ecr:PutImage, ecr:DeleteRepository"]);
        const denied = rolePolicy("nodes", { Effect: "Deny", Action: "ecr:*", Resource: "*" }, allow("ecr:BatchGetImage"));
        expect(violationsOf(ECR, [nodeRole(), denied])).toEqual([]);
    });

    it("reports an Allow with NotAction unless it excludes ECR pushes", () => {
        const everythingButS3AndIam = rolePolicy("nodes", { Effect: "Allow", NotAction: ["s3:*", "iam:*"], Resource: "*" });
        expect(violationsOf(ECR, [nodeRole(), everythingButS3AndIam])).toEqual(["node role nodes can write to ECR through role policy nodes-inline: NotAction s3:*, iam:*"]);
        const everythingButEcr = rolePolicy("nodes", { Effect: "Allow", NotAction: "ecr:*", Resource: "*" });
        expect(violationsOf(ECR, [nodeRole(), everythingButEcr])).toEqual([]);
    });

    it("reads the role's own managed policy ARNs and inline policies", () => {
        const managed = nodeRole({
            managedPolicyArns: [
                "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
                "arn:aws:iam::123456789012:policy/ci",
            ],
        });
        expect(violationsOf(ECR, [managed])).toEqual(["node role nodes can write to ECR through managed policies: AmazonEC2ContainerRegistryPowerUser"]);
        const pullOnly = nodeRole({ managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"] });
        expect(violationsOf(ECR, [pullOnly])).toEqual([]);
        const inline = nodeRole({ inlinePolicies: [{ name: "push", policy: doc(allow("ecr:PutImage")) }] });
        expect(violationsOf(ECR, [inline])).toEqual(["node role nodes can write to ECR through inline policy push: ecr:PutImage"]);
    });

    it("knows the write-granting AWS-managed policies in every partition, and only AWS's own", () => {
        const attach = (policyArn: string, name: string, extra = {}) => resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "nodes", policyArn }, name, extra);
        const customer = resource("aws:iam/policy:Policy", { name: "AdministratorAccess", policy: doc(allow("ecr:BatchGetImage")) }, "admin-lookalike");
        expect(
            violationsOf(ECR, [
                nodeRole({ managedPolicyArns: ["arn:aws-cn:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"] }),
                attach("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", "gov-admin"),
                attach("arn:aws:iam::123456789012:policy/AdministratorAccess", "own-admin", { dependencies: [customer.urn] }),
                attach(UNKNOWN, "pending", { dependencies: [customer.urn] }),
                customer,
            ]),
        ).toEqual([
            "node role nodes can write to ECR through attachment gov-admin: AdministratorAccess",
            "node role nodes can write to ECR through managed policies: AmazonEC2ContainerRegistryPowerUser",
        ]);
    });

    it("finds a role's policies by its AWS name as well as by dependency", () => {
        const role = nodeRole({ name: "prod-nodes" }, "node-role");
        const inline = rolePolicy("prod-nodes", allow("ecr:*"));
        const attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "prod-nodes", policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess" }, "full");
        expect(violationsOf(ECR, [role, inline, attachment])).toEqual([
            "node role node-role can write to ECR through attachment full: AmazonEC2ContainerRegistryFullAccess",
            "node role node-role can write to ECR through role policy prod-nodes-inline: ecr:*",
        ]);
    });

    it("counts a role as a node role when any trust statement or any listed service is EC2, in every partition", () => {
        const push = (role: string) => rolePolicy(role, allow("ecr:PutImage"));
        const twoStatements = doc(
            { Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
        );
        expect(violationsOf(ECR, [nodeRole({ assumeRolePolicy: twoStatements }, "a"), push("a")])).toEqual(["node role a can write to ECR through role policy a-inline: ecr:PutImage"]);
        const twoServices = trustedBy("ssm.amazonaws.com", "ec2.amazonaws.com");
        expect(violationsOf(ECR, [nodeRole({ assumeRolePolicy: twoServices }, "b"), push("b")])).toEqual(["node role b can write to ECR through role policy b-inline: ecr:PutImage"]);
        const china = trustedBy("ec2.amazonaws.com.cn");
        expect(violationsOf(ECR, [nodeRole({ assumeRolePolicy: china }, "c"), push("c")])).toEqual(["node role c can write to ECR through role policy c-inline: ecr:PutImage"]);
    });

    it("does not call a role whose trust policy is unknown a node role, and says it could not judge it", () => {
        const unknownTrust = [nodeRole({ assumeRolePolicy: UNKNOWN }), rolePolicy("nodes", allow("ecr:PutImage"))];
        expect(violationsOf(ECR, unknownTrust)).toEqual([]);
        expect(notEvaluatedOf(ECR, unknownTrust)).toHaveLength(1);
    });

    it("leaves alone the policies attached to roles that are not node roles, even unreadable ones", () => {
        const app = resource("aws:iam/role:Role", { name: "app", assumeRolePolicy: trustedBy("pods.eks.amazonaws.com") }, "app");
        const customer = resource("aws:iam/policy:Policy", { policy: UNKNOWN }, "app-policy");
        const attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "app", policyArn: UNKNOWN }, "app-attach", { dependencies: [app.urn, customer.urn] });
        const stack = [nodeRole(), app, customer, attachment];
        expect(violationsOf(ECR, stack)).toEqual([]);
        expect(notEvaluatedOf(ECR, stack)).toEqual([]);
    });
});

describe("eks-vpc-cni-network-policy", () => {
    const VPC_CNI = "eks-vpc-cni-network-policy";

    it("judges only the vpc-cni add-on: other add-ons need no network policy switch", () => {
        const coredns = resource("aws:eks/addon:Addon", { clusterName: "cluster", addonName: "coredns" }, "coredns");
        expect(violationsOf(VPC_CNI, [awsCluster(), vpcCniAddon("cluster"), coredns])).toEqual([]);
    });

    it("reports the aws.eks.Addon an eks.Addon component creates, not the component a second time", () => {
        const component = resource("eks:index:Addon", { cluster: UNKNOWN, addonName: "vpc-cni", configurationValues: {} }, "vpc-cni");
        const child = resource("aws:eks/addon:Addon", { clusterName: "cluster", addonName: "vpc-cni", configurationValues: "{}" }, "vpc-cni", { parent: component.urn });
        expect(violationsOf(VPC_CNI, [awsCluster(), component, child])).toEqual([
            'vpc-cni add-on vpc-cni does not set enableNetworkPolicy "true": NetworkPolicies are not enforced',
            'EKS cluster cluster has no vpc-cni add-on with enableNetworkPolicy "true": NetworkPolicies are not enforced',
        ]);
    });

    it("accepts the eks.VpcCniAddon component's enableNetworkPolicy switch", () => {
        const addon = resource("eks:index:VpcCniAddon", { clusterName: "platform", enableNetworkPolicy: true }, "platform-vpc-cni");
        expect(violationsOf(VPC_CNI, [eksComponentCluster({ useDefaultVpcCni: true }), addon])).toEqual([]);
    });

    it("reports an eks.Cluster that manages vpc-cni without network policies, and judges its aws.eks.Cluster child with it", () => {
        expect(violationsOf(VPC_CNI, [eksComponentCluster()])).toEqual(['EKS cluster platform has no vpc-cni add-on with enableNetworkPolicy "true": NetworkPolicies are not enforced']);
        const cluster = eksComponentCluster({ vpcCniOptions: { enableNetworkPolicy: true } });
        const child = resource("aws:eks/cluster:Cluster", { name: "platform-eksCluster-1234567" }, "platform-eksCluster", { parent: cluster.urn });
        expect(violationsOf(VPC_CNI, [cluster, child])).toEqual([]);
    });

    it("matches an add-on to its cluster by the cluster's AWS name", () => {
        expect(violationsOf(VPC_CNI, [awsCluster({ name: "prod-eks" }), vpcCniAddon("prod-eks")])).toEqual([]);
    });

    it("reports no cluster while an enforcing add-on's cluster is unknown, and says so", () => {
        const stack = [awsCluster(), vpcCniAddon(UNKNOWN as unknown as string, undefined, "vpc-cni")];
        expect(violationsOf(VPC_CNI, stack)).toEqual([]);
        expect(notEvaluatedOf(VPC_CNI, stack)).toHaveLength(1);
    });
});

describe("eks-cluster-supported-version on a fixed day (2026-11-30)", () => {
    const VERSION = "eks-cluster-supported-version";
    beforeEach(() => {
        vi.useFakeTimers({ toFake: ["Date"] });
        vi.setSystemTime(new Date("2026-11-30T12:00:00Z"));
    });
    afterEach(() => {
        vi.useRealTimers();
    });

    it("warns when standard support ends within the configured days, not on the day the margin is met", () => {
        // 1.34 leaves standard support on 2026-12-02: two days left.
        expect(violationsOf(VERSION, [awsCluster({ version: "1.34" })], { [VERSION]: { minimumDaysOfStandardSupport: 2 } })).toEqual([]);
        expect(violationsOf(VERSION, [awsCluster({ version: "1.34" })], { [VERSION]: { minimumDaysOfStandardSupport: 3 } })).toEqual([
            "Kubernetes 1.34 leaves EKS standard support on 2026-12-02 (2 days)",
        ]);
    });

    it("reports a version in extended support, one past it, and one the table does not know", () => {
        expect(violationsOf(VERSION, [awsCluster({ version: "1.33" })])).toEqual(["Kubernetes 1.33 left EKS standard support on 2026-07-29 (extended support until 2027-07-29)"]);
        expect(violationsOf(VERSION, [awsCluster({ version: "1.31" })])).toEqual(["Kubernetes 1.31 is past EKS extended support (ended 2026-11-26)"]);
        expect(violationsOf(VERSION, [awsCluster({ version: "1.40" })])).toEqual([
            `Kubernetes 1.40 is not in policy/data/eks-kubernetes-versions.json (reviewed ${EKS_VERSION_TABLE.reviewed}): refresh the table`,
        ]);
    });
});

describe("EKS cluster logging and Secrets encryption messages", () => {
    it("lists every missing control-plane log type", () => {
        expect(violationsOf("eks-cluster-audit-logging", [awsCluster({ enabledClusterLogTypes: ["api", "authenticator", "scheduler"] })])).toEqual([
            "EKS cluster does not enable log types audit, controllerManager",
        ]);
    });

    it("says an aws.eks.Cluster without a Secrets key does not encrypt Secrets", () => {
        expect(violationsOf("eks-cluster-secrets-encryption", [awsCluster({ encryptionConfig: { provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" }, resources: [] } })])).toEqual([
            "EKS cluster does not encrypt Secrets with a KMS key",
        ]);
    });
});

describe("EC2 metadata options of launch templates and instances", () => {
    const lt = (metadataOptions?: Props) => resource("aws:ec2/launchTemplate:LaunchTemplate", metadataOptions ? { metadataOptions } : {}, "lt");
    const instance = (props: Props) => resource("aws:ec2/instance:Instance", { rootBlockDevice: { encrypted: true }, ...props }, "vm");

    it("judges launch templates: IMDSv1 left on, unset tokens, and a hop limit above 1", () => {
        expect(violationsOf("ec2-imdsv2-required", [lt({ httpTokens: "optional" })])).toEqual(["allows IMDSv1 (httpTokens is optional)"]);
        expect(violationsOf("ec2-imdsv2-required", [lt()])).toEqual(["allows IMDSv1 (httpTokens is unset)"]);
        expect(violationsOf("ec2-imds-hop-limit", [lt({ httpTokens: "required", httpPutResponseHopLimit: 2 })])).toEqual(["sets the IMDS hop limit to 2"]);
    });

    it("judges an instance's own metadata options even when it starts from a launch template (they override the template's)", () => {
        const fromTemplate = { launchTemplate: { id: "lt-0123456789abcdef0", version: "$Latest" } };
        expect(violationsOf("ec2-imdsv2-required", [instance({ ...fromTemplate, metadataOptions: { httpTokens: "optional" } })])).toEqual(["allows IMDSv1 (httpTokens is optional)"]);
        expect(violationsOf("ec2-imdsv2-required", [instance(fromTemplate)])).toEqual([]);
    });

    it("judges an instance whose launch template is explicitly null as one without a template", () => {
        expect(violationsOf("ec2-imdsv2-required", [instance({ launchTemplate: null })])).toEqual(["allows IMDSv1 (httpTokens is unset)"]);
    });
});
