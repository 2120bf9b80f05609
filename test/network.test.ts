/**
 * The network for the dev and prod stack files, bring-your-own-network mode, and bad config
 * stopping the program before anything is registered.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { deriveSubnetCidrs } from "../components/network";
import { cidrContains, cidrsOverlap } from "../config/cidr";
import type { ManagedNetworkConfig } from "../config/network";
import { runProgram } from "../plan/run";
import { planStackFile, rawConfig, registeredCount, stackSource, type PlannedStack } from "./fixtures/stacks";

type Props = Record<string, unknown>;
type Tags = Record<string, string>;

describe("derived subnet CIDRs", () => {
    const managed = (vpcCidr: string, azCount: number): ManagedNetworkConfig => ({ mode: "managed", vpcCidr, azCount, natGateways: "single", flowLogRetentionDays: 14 });

    it.each([
        ["10.20.0.0/16", 2],
        ["10.40.0.0/16", 6],
        ["172.16.0.0/20", 6],
    ])("fit %s with %i AZs, without overlaps, nodes getting the larger ranges", (vpcCidr, azCount) => {
        const { privateCidrs, publicCidrs } = deriveSubnetCidrs(managed(vpcCidr, azCount));
        const all = [...privateCidrs, ...publicCidrs];
        expect(privateCidrs).toHaveLength(azCount);
        expect(publicCidrs).toHaveLength(azCount);
        for (const cidr of all) expect(cidrContains(vpcCidr, cidr), cidr).toBe(true);
        for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(cidrsOverlap(all[i], all[j]), `${all[i]} ${all[j]}`).toBe(false);
        const size = (cidr: string) => 2 ** (32 - Number(cidr.split("/")[1]));
        expect(size(privateCidrs[0])).toBe(8 * size(publicCidrs[0]));
    });

    it("uses the configured CIDRs when given", () => {
        const net = { ...managed("10.40.0.0/16", 2), privateSubnetCidrs: ["10.40.0.0/19", "10.40.32.0/19"], publicSubnetCidrs: ["10.40.192.0/22", "10.40.196.0/22"] };
        expect(deriveSubnetCidrs(net)).toEqual({ privateCidrs: net.privateSubnetCidrs, publicCidrs: net.publicSubnetCidrs });
    });
});

describe.each(["dev", "prod"])("managed network (%s stack)", (stack) => {
    let plan: PlannedStack;
    let net: ManagedNetworkConfig;
    const subnets = (kind: "private" | "public") => plan.recorded.ofType("aws:ec2/subnet:Subnet").filter((s) => s.name.startsWith(`network-${kind}-`));

    beforeAll(async () => {
        plan = await planStackFile(stack);
        if (plan.config.network.mode !== "managed") throw new Error(`${stack} is expected to use a managed network`);
        net = plan.config.network;
    }, 60_000);

    it("creates a VPC with DNS, and a private and a public subnet per AZ in distinct AZs", () => {
        const vpc = plan.recorded.one("aws:ec2/vpc:Vpc");
        expect(vpc.props).toMatchObject({ cidrBlock: net.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true });
        for (const kind of ["private", "public"] as const) {
            const list = subnets(kind);
            expect(list).toHaveLength(net.azCount);
            expect(new Set(list.map((s) => s.props.availabilityZone)).size).toBe(net.azCount);
            for (const s of list) {
                expect(cidrContains(net.vpcCidr, String(s.props.cidrBlock))).toBe(true);
                expect(s.props.mapPublicIpOnLaunch).toBe(false);
            }
        }
        if (net.privateSubnetCidrs) expect(subnets("private").map((s) => s.props.cidrBlock)).toEqual(net.privateSubnetCidrs);
        const empty = plan.recorded.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        expect(empty.props.ingress ?? []).toEqual([]);
        expect(empty.props.egress ?? []).toEqual([]);
    });

    it("tags subnets for load balancers, Karpenter and the cluster", () => {
        const name = plan.config.clusterName;
        for (const s of subnets("private")) {
            const tags = s.props.tags as Tags;
            expect(tags["kubernetes.io/role/internal-elb"]).toBe("1");
            expect(tags["karpenter.sh/discovery"]).toBe(name);
            expect(tags[`kubernetes.io/cluster/${name}`]).toBe("shared");
            expect(tags["kubernetes.io/role/elb"]).toBeUndefined();
        }
        for (const s of subnets("public")) {
            const tags = s.props.tags as Tags;
            expect(tags["kubernetes.io/role/elb"]).toBe("1");
            expect(tags[`kubernetes.io/cluster/${name}`]).toBe("shared");
            expect(tags["karpenter.sh/discovery"]).toBeUndefined();
            expect(tags["kubernetes.io/role/internal-elb"]).toBeUndefined();
        }
    });

    it(`routes private egress through ${stack === "prod" ? "a NAT gateway per AZ" : "one NAT gateway"}, public through the internet gateway`, () => {
        const nats = plan.recorded.ofType("aws:ec2/natGateway:NatGateway");
        expect(nats).toHaveLength(net.natGateways === "perAz" ? net.azCount : 1);
        const publicIds = plan.run.outputs.publicSubnetIds as string[];
        for (const nat of nats) expect(publicIds).toContain(nat.props.subnetId);
        const routes = plan.recorded.ofType("aws:ec2/route:Route");
        const privateRoutes = routes.filter((r) => r.props.natGatewayId !== undefined);
        expect(privateRoutes).toHaveLength(net.azCount);
        expect(new Set(privateRoutes.map((r) => r.props.natGatewayId)).size).toBe(nats.length);
        expect(routes.filter((r) => r.props.gatewayId !== undefined && String(r.props.gatewayId).startsWith("igw-"))).toHaveLength(1);
        expect(routes.every((r) => r.props.destinationCidrBlock === "0.0.0.0/0")).toBe(true);
    });

    it("sends all VPC flow logs to a KMS-encrypted log group through a role scoped to that group", () => {
        const flowLog = plan.recorded.one("aws:ec2/flowLog:FlowLog");
        const logGroup = plan.recorded.one("aws:cloudwatch/logGroup:LogGroup", "network-flow-logs");
        expect(flowLog.props.trafficType).toBe("ALL");
        expect(flowLog.props.logDestinationType).toBe("cloud-watch-logs");
        expect(flowLog.props.vpcId).toBe(plan.run.outputs.vpcId);
        expect(String(flowLog.props.logDestination)).toBe(`arn:aws:logs:${plan.config.region}:${/::(\d{12}):/.exec(plan.config.access.breakGlassRoleArn)![1]}:log-group:${logGroup.props.name}`);
        expect(logGroup.props.retentionInDays).toBe(net.flowLogRetentionDays);
        expect(String(logGroup.props.kmsKeyId)).toMatch(/^arn:aws:kms:/);
        const delivery = JSON.parse(String(plan.recorded.one("aws:iam/rolePolicy:RolePolicy", "network-flow-logs").props.policy)) as { Statement: Array<{ Resource: string[] }> };
        const resources = delivery.Statement.flatMap((s) => s.Resource);
        expect(resources).not.toContain("*");
        expect(resources.every((r) => r.startsWith(String(flowLog.props.logDestination)))).toBe(true);
        const trust = JSON.parse(String(plan.recorded.one("aws:iam/role:Role", "network-flow-logs").props.assumeRolePolicy)) as { Statement: Array<Props> };
        expect(trust.Statement[0].Principal).toEqual({ Service: "vpc-flow-logs.amazonaws.com" });
        expect(JSON.stringify(trust.Statement[0].Condition)).toContain("aws:SourceAccount");
    });

    it("hands the cluster the VPC and its private subnets only", () => {
        const cluster = plan.recorded.one("eks:index:Cluster");
        expect(cluster.props.vpcId).toBe(plan.run.outputs.vpcId);
        expect(cluster.props.privateSubnetIds).toEqual(plan.run.outputs.privateSubnetIds);
        expect(cluster.props.publicSubnetIds).toBeUndefined();
        expect(cluster.props.subnetIds).toBeUndefined();
    });
});

describe("bring-your-own network", () => {
    const existing = {
        mode: "existing",
        vpcId: "vpc-0abc12345def67890",
        privateSubnetIds: ["subnet-0aaa11112222", "subnet-0bbb11112222", "subnet-0ccc11112222"],
        publicSubnetIds: ["subnet-0ddd11112222"],
    };

    it.each([false, true])("creates no network resources and uses the given ids (preview: %s)", async (preview) => {
        const plan = await planStackFile("prod", { patch: { network: existing }, preview });
        const networkTypes = ["Vpc", "Subnet", "NatGateway", "InternetGateway", "RouteTable", "Route", "Eip", "FlowLog", "DefaultSecurityGroup"].map((t) => `:${t}`);
        const created = plan.recorded.resources.filter((r) => r.type.startsWith("aws:ec2/") && networkTypes.some((t) => r.type.endsWith(t)));
        expect(created.map((r) => r.type)).toEqual([]);
        expect(plan.recorded.ofType("aws:cloudwatch/logGroup:LogGroup").map((l) => l.props.name)).not.toContain(`/aws/vpc/${plan.config.clusterName}/flow-logs`);
        const cluster = plan.recorded.one("eks:index:Cluster");
        expect(cluster.props.vpcId).toBe(existing.vpcId);
        expect(cluster.props.privateSubnetIds).toEqual(existing.privateSubnetIds);
        for (const ng of plan.recorded.ofType("eks:index:ManagedNodeGroup")) expect(ng.props.subnetIds).toEqual(existing.privateSubnetIds);
        expect(plan.run.outputs.vpcId).toBe(existing.vpcId);
        expect(plan.run.outputs.publicSubnetIds).toEqual(existing.publicSubnetIds);
    }, 60_000);
});

describe("bad config stops the program before any resource exists", () => {
    const nodeGroups = rawConfig<Array<Record<string, unknown>>>("dev", "nodeGroups");
    const network = rawConfig<Record<string, unknown>>("dev", "network");
    const access = rawConfig<Record<string, unknown>>("dev", "access");

    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        [
            "minSize above maxSize",
            { nodeGroups: nodeGroups.map((g, i) => (i === 0 ? { ...g, minSize: 5, maxSize: 3, desiredSize: 3 } : g)) },
            /eks-platform:nodeGroups\[0\]\.minSize = 5: \(5\) must not exceed maxSize \(3\)/,
        ],
        [
            "two node groups sharing a name",
            { nodeGroups: [...nodeGroups, { ...nodeGroups[1] }] },
            /eks-platform:nodeGroups\[2\]\.name = "application": "application" is already used by node group 1; names must be unique/,
        ],
        [
            "overlapping subnets",
            { network: { ...network, privateSubnetCidrs: ["10.20.0.0/19", "10.20.16.0/20"], publicSubnetCidrs: ["10.20.224.0/22", "10.20.228.0/22"] } },
            /privateSubnetCidrs\[1\] = "10\.20\.16\.0\/20": overlaps privateSubnetCidrs\[0\] \(10\.20\.0\.0\/19\)/,
        ],
        [
            "a subnet outside the VPC",
            { network: { ...network, privateSubnetCidrs: ["10.20.0.0/19", "10.99.0.0/19"], publicSubnetCidrs: ["10.20.224.0/22", "10.20.228.0/22"] } },
            /eks-platform:network\.privateSubnetCidrs\[1\] = "10\.99\.0\.0\/19": 10\.99\.0\.0\/19 lies outside the VPC CIDR 10\.20\.0\.0\/16/,
        ],
        [
            // 10.20.128.0 has the first host bit of a /16 set: AWS refuses the VPC (InvalidVpc.Range) after a long create.
            "a VPC CIDR whose only host bit is the one right below the prefix",
            { network: { ...network, vpcCidr: "10.20.128.0/16" } },
            /eks-platform:network\.vpcCidr = "10\.20\.128\.0\/16": has host bits set: a \/16 starts at 10\.20\.0\.0, so write 10\.20\.0\.0\/16/,
        ],
        [
            "a role in two access lists (EKS allows one access entry per principal)",
            { access: { ...access, viewerRoleArns: [...(access.viewerRoleArns as string[]), (access.developerRoleArns as string[])[0]] } },
            /viewerRoleArns\[1\].*is already granted by developerRoleArns\[0\]; a role may appear in only one access list/,
        ],
    ];

    it.each(cases)("%s", async (_label, patch, message) => {
        const error = await runProgram(stackSource("dev", patch)).then(
            () => undefined,
            (e: unknown) => e as Error,
        );
        expect(error, "the program must refuse the config").toBeInstanceOf(Error);
        expect(error!.name).toBe("ConfigError");
        expect(error!.message).toMatch(message);
        expect(error!.message).toContain('Invalid configuration for stack "dev"');
        expect(registeredCount()).toBe(0);
    });

    it("plans an aligned VPC CIDR whose last network bit is set (10.21.0.0/16), with every subnet inside it", async () => {
        const { recorded } = await planStackFile("dev", { patch: { network: { ...network, vpcCidr: "10.21.0.0/16" } } });
        expect(recorded.one("aws:ec2/vpc:Vpc").props.cidrBlock).toBe("10.21.0.0/16");
        const subnets = recorded.ofType("aws:ec2/subnet:Subnet").map((s) => String(s.props.cidrBlock));
        expect(subnets).toHaveLength(4);
        for (const cidr of subnets) expect(cidr).toMatch(/^10\.21\./);
    }, 60_000);

    it("registers resources for the unmodified config (so the zero above means something)", async () => {
        await runProgram(stackSource("dev"));
        expect(registeredCount()).toBeGreaterThan(50);
    }, 60_000);
});
