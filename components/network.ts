import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { subnetOf } from "../config/cidr";
import type { NetworkConfig, ManagedNetworkConfig } from "../config/network";
import { flowLogsDeliveryPolicy, flowLogsTrustPolicy, logGroupKeyPolicy } from "./cluster.iam";

export interface NetworkArgs {
    clusterName: string;
    network: NetworkConfig;
    tags: Record<string, string>;
    /** prod: the flow-log key and log group are protected (and the key retained). */
    protectStateful: boolean;
}

/** Subnet tags that the AWS Load Balancer Controller and Karpenter discover subnets by. */
export function privateSubnetTags(clusterName: string): Record<string, string> {
    return {
        "kubernetes.io/role/internal-elb": "1",
        "karpenter.sh/discovery": clusterName,
        [`kubernetes.io/cluster/${clusterName}`]: "shared",
    };
}

export function publicSubnetTags(clusterName: string): Record<string, string> {
    return { "kubernetes.io/role/elb": "1", [`kubernetes.io/cluster/${clusterName}`]: "shared" };
}

/**
 * The account's zones in the Region, checked against azCount before any subnet can be created
 * (config load already refuses counts above the Region's published zones; an account may see
 * fewer, and a Region missing from config/regions.ts is only checked here).
 */
export function requireZones(names: string[], azCount: number): string[] {
    if (names.length < azCount) {
        throw new pulumi.RunError(
            `network.azCount is ${azCount}, but this account has ${names.length} available Availability Zones in the Region (${names.join(", ")}): set network.azCount to at most ${names.length}`,
        );
    }
    return names;
}

/**
 * Subnet CIDRs when the config gives none: private subnets are the first eighths of the VPC
 * (a /19 each in a /16), public subnets share the last eighth (a /22 each in a /16), so nodes
 * get the addresses and load balancers get enough.
 */
export function deriveSubnetCidrs(net: ManagedNetworkConfig): { privateCidrs: string[]; publicCidrs: string[] } {
    const prefix = Number(net.vpcCidr.split("/")[1]);
    const indexes = [...Array(net.azCount).keys()];
    const publicBlock = subnetOf(net.vpcCidr, prefix + 3, 7);
    return {
        privateCidrs: net.privateSubnetCidrs ?? indexes.map((i) => subnetOf(net.vpcCidr, prefix + 3, i)),
        publicCidrs: net.publicSubnetCidrs ?? indexes.map((i) => subnetOf(publicBlock, prefix + 6, i)),
    };
}

/**
 * Where the cluster lives. `managed`: a VPC with a private (nodes) and a public (load balancers)
 * subnet per AZ, NAT per AZ or one, and flow logs to a KMS-encrypted log group. `existing`: the
 * ids from config, and the VPC's CIDR looked up; nothing is created.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Where nodes, pods (the VPC CNI takes pod IPs from the node's subnet) and the control plane's ENIs are. */
    readonly privateSubnetCidrs: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Where internet-facing load balancers have their addresses (the AWS Load Balancer Controller picks these subnets). */
    readonly publicSubnetCidrs: pulumi.Output<string[]>;
    /** The program owns the VPC: nothing in it but what it creates (no VPC endpoints). */
    readonly ownsVpc: boolean;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:Network", name, {}, opts);
        const net = args.network;
        if (net.mode === "existing") {
            const vpc = aws.ec2.getVpcOutput({ id: net.vpcId }, { parent: this });
            this.vpcId = pulumi.output(net.vpcId);
            this.vpcCidr = vpc.cidrBlock;
            this.privateSubnetIds = pulumi.output(net.privateSubnetIds);
            this.privateSubnetCidrs = pulumi.all(net.privateSubnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, { parent: this }).cidrBlock));
            this.publicSubnetIds = pulumi.output(net.publicSubnetIds);
            this.publicSubnetCidrs = pulumi.all(net.publicSubnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, { parent: this }).cidrBlock));
            this.ownsVpc = false;
        } else {
            const built = this.buildManaged(name, net, args);
            this.vpcId = built.vpcId;
            this.vpcCidr = built.vpcCidr;
            this.privateSubnetIds = built.privateSubnetIds;
            this.privateSubnetCidrs = pulumi.output(deriveSubnetCidrs(net).privateCidrs);
            this.publicSubnetIds = built.publicSubnetIds;
            this.publicSubnetCidrs = pulumi.output(deriveSubnetCidrs(net).publicCidrs);
            this.ownsVpc = true;
        }
        this.registerOutputs({ vpcId: this.vpcId, vpcCidr: this.vpcCidr, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
    }

    private buildManaged(name: string, net: ManagedNetworkConfig, args: NetworkArgs) {
        const { clusterName, tags } = args;
        const parent = this;
        const named = (suffix: string) => ({ ...tags, Name: `${clusterName}-${suffix}` });
        const available = aws.getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }, { parent });
        const zones = { names: available.names.apply((names) => requireZones(names, net.azCount)) };
        const { privateCidrs, publicCidrs } = deriveSubnetCidrs(net);

        const vpc = new aws.ec2.Vpc(name, { cidrBlock: net.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: named("vpc") }, { parent });
        // The default security group of a new VPC allows all traffic between its members: empty it.
        new aws.ec2.DefaultSecurityGroup(name, { vpcId: vpc.id, tags: named("default-deny-all") }, { parent });
        const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: named("igw") }, { parent });

        const publicRouteTable = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: named("public") }, { parent });
        new aws.ec2.Route(`${name}-public-internet`, { routeTableId: publicRouteTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, { parent });

        const publicSubnets = publicCidrs.map((cidrBlock, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-public-${i}`,
                {
                    vpcId: vpc.id,
                    cidrBlock,
                    availabilityZone: zones.names[i],
                    // Load balancers get their public addresses explicitly; nothing else here should.
                    mapPublicIpOnLaunch: false,
                    tags: { ...named(`public-${i}`), ...publicSubnetTags(clusterName) },
                },
                { parent },
            );
            new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRouteTable.id }, { parent });
            return subnet;
        });

        const natCount = net.natGateways === "perAz" ? net.azCount : 1;
        const natGateways = [...Array(natCount).keys()].map((i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: named(`nat-${i}`) }, { parent, dependsOn: [igw] });
            return new aws.ec2.NatGateway(
                `${name}-${i}`,
                { allocationId: eip.id, subnetId: publicSubnets[i].id, connectivityType: "public", tags: named(`nat-${i}`) },
                { parent, dependsOn: [igw] },
            );
        });

        const privateSubnets = privateCidrs.map((cidrBlock, i) => {
            const subnet = new aws.ec2.Subnet(
                `${name}-private-${i}`,
                {
                    vpcId: vpc.id,
                    cidrBlock,
                    availabilityZone: zones.names[i],
                    mapPublicIpOnLaunch: false,
                    tags: { ...named(`private-${i}`), ...privateSubnetTags(clusterName) },
                },
                { parent },
            );
            const routeTable = new aws.ec2.RouteTable(`${name}-private-${i}`, { vpcId: vpc.id, tags: named(`private-${i}`) }, { parent });
            new aws.ec2.Route(
                `${name}-private-${i}-egress`,
                { routeTableId: routeTable.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: natGateways[net.natGateways === "perAz" ? i : 0].id },
                { parent },
            );
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routeTable.id }, { parent });
            return subnet;
        });

        this.buildFlowLogs(name, net, args, vpc);

        return {
            vpcId: vpc.id,
            vpcCidr: vpc.cidrBlock,
            privateSubnetIds: pulumi.all(privateSubnets.map((s) => s.id)),
            publicSubnetIds: pulumi.all(publicSubnets.map((s) => s.id)),
        };
    }

    /** Every accepted and rejected flow, to a log group encrypted with its own key. */
    private buildFlowLogs(name: string, net: ManagedNetworkConfig, args: NetworkArgs, vpc: aws.ec2.Vpc): void {
        const parent = this;
        const { clusterName, tags, protectStateful } = args;
        const stateful = { parent, protect: protectStateful };
        const identity = aws.getCallerIdentityOutput({}, { parent });
        const partition = aws.getPartitionOutput({}, { parent });
        const region = aws.getRegionOutput({}, { parent });
        const scope = pulumi.all([partition.partition, region.region, identity.accountId]).apply(([p, r, a]) => ({ partition: p, region: r, accountId: a }));
        const logGroupName = `/aws/vpc/${clusterName}/flow-logs`;

        const key = new aws.kms.Key(
            `${name}-flow-logs`,
            {
                description: `VPC flow logs of ${clusterName}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: scope.apply((s) => JSON.stringify(logGroupKeyPolicy(s, logGroupName))),
                tags,
            },
            { ...stateful, retainOnDelete: protectStateful },
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: logGroupName, retentionInDays: net.flowLogRetentionDays, kmsKeyId: key.arn, tags },
            stateful,
        );
        const role = new aws.iam.Role(
            `${name}-flow-logs`,
            {
                name: `${clusterName}-vpc-flow-logs`.slice(0, 64),
                description: `Delivers VPC flow logs of ${clusterName} to ${logGroupName}`,
                assumeRolePolicy: scope.apply((s) => JSON.stringify(flowLogsTrustPolicy(s))),
                tags,
            },
            { parent },
        );
        const delivery = new aws.iam.RolePolicy(
            `${name}-flow-logs`,
            { role: role.name, name: "deliver-to-flow-log-group", policy: logGroup.arn.apply((arn) => JSON.stringify(flowLogsDeliveryPolicy(arn))) },
            { parent },
        );
        new aws.ec2.FlowLog(
            name,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 60,
                tags: { ...tags, Name: `${clusterName}-flow-logs` },
            },
            { parent, dependsOn: [delivery] },
        );
    }
}
