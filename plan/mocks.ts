import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { availabilityZoneCount, MINIMUM_AVAILABILITY_ZONES } from "../config/regions";

type State = Record<string, unknown>;

export interface MockEnvironment {
    region: string;
    accountId: string;
    /** `pulumi preview` of a new stack: provider-computed outputs stay unknown. */
    preview: boolean;
    /** Outputs of the stacks the program reads with `new pulumi.StackReference(name)`, by stack name. */
    stackReferences?: Record<string, StackReferenceOutputs>;
    /** The IAM role whose session runs the deployment (default: a role named `plan`). */
    callerRoleArn?: string;
    /** EKS clusters that already exist in the account and region (default: none, a first `pulumi up`). */
    existingClusters?: string[];
}

/** What a referenced stack exports; `secretOutputNames` are read back as secrets. */
export interface StackReferenceOutputs {
    outputs: Record<string, unknown>;
    secretOutputNames?: string[];
}

/** Stable fake identifiers: the same resource gets the same id in every run. */
function hexId(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function uuidFrom(seed: string): string {
    const h = hexId(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Realistic provider outputs for a first `pulumi up`: what AWS, the EKS component and the
 * Kubernetes provider would hand back, so every input that depends on them resolves.
 */
export class PlanMocks implements pulumi.runtime.Mocks {
    constructor(private readonly env: MockEnvironment) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
        const seed = `${args.type}::${args.name}`;
        if (args.type === "pulumi:pulumi:StackReference") return this.stackReference(String(args.inputs.name ?? args.name));
        if (this.env.preview) return { id: undefined, state: { ...args.inputs } };
        const state = { ...args.inputs, ...this.computedOutputs(args, seed) };
        return { id: (state.id as string | undefined) ?? `${args.name}-${hexId(seed, 8)}`, state };
    }

    /** Read (not created) even in preview: the engine fails on a stack it cannot find, and so do we. */
    private stackReference(name: string): { id: string; state: State } {
        const references = this.env.stackReferences ?? {};
        const referenced = references[name];
        if (!referenced) throw new Error(`unknown stack reference "${name}" (mocked stacks: ${Object.keys(references).join(", ") || "none"})`);
        return { id: name, state: { name, outputs: referenced.outputs, secretOutputNames: referenced.secretOutputNames ?? [] } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const { region, accountId } = this.env;
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity": {
                // A role session, as `pulumi up` from CI or with assumed credentials runs.
                const role = this.callerRoleArn();
                return { accountId, arn: `arn:aws:sts::${accountId}:assumed-role/${role.split("/").pop()}/pulumi`, userId: "AROAPLAN:pulumi", id: accountId };
            }
            case "aws:eks/getClusters:getClusters":
                return { names: [...(this.env.existingClusters ?? [])], id: region };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            case "aws:index/getRegion:getRegion":
                return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
            case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                // As many zones as AWS publishes for the Region; a Region the table lacks gets AWS's minimum.
                const count = availabilityZoneCount(region) ?? MINIMUM_AVAILABILITY_ZONES;
                const names = ["a", "b", "c", "d", "e", "f"].slice(0, count).map((s) => `${region}${s}`);
                return { names, zoneIds: names.map((_, i) => `${region.slice(0, 3)}1-az${i + 1}`), id: region };
            }
            case "aws:eks/getCluster:getCluster": {
                // The data source names the CA list `certificateAuthorities` (the resource: `certificateAuthority`).
                const cluster = this.eksClusterOutputs(String(args.inputs.name));
                return { ...cluster, certificateAuthorities: [cluster.certificateAuthority] };
            }
            case "aws:ec2/getVpc:getVpc": {
                // Bring-your-own network: the VPC exists; its CIDR is what the cluster context needs.
                const id = String(args.inputs.id);
                return { ...args.inputs, id, cidrBlock: "10.0.0.0/16", arn: `arn:aws:ec2:${region}:${accountId}:vpc/${id}`, enableDnsSupport: true, enableDnsHostnames: true, state: "available" };
            }
            case "aws:ec2/getSubnet:getSubnet": {
                // Bring-your-own network: one of eight /19s of the mocked VPC (10.0.0.0/16), by id.
                const id = String(args.inputs.id);
                const index = parseInt(hexId(id, 2), 16) % 8;
                return { ...args.inputs, id, cidrBlock: `10.0.${index * 32}.0/19`, vpcId: "vpc-existing", availabilityZone: `${region}a` };
            }
            case "aws:iam/getSessionContext:getSessionContext": {
                // An assumed-role session ARN resolves to its role; any other ARN is its own issuer.
                const arn = String(args.inputs.arn);
                const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
                // IAM would add the role's path (the mock knows it for the caller's own role).
                const caller = this.callerRoleArn();
                const issuerArn = session ? (caller.split("/").pop() === session[3] ? caller : `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`) : arn;
                return { arn, issuerArn, issuerName: issuerArn.split("/").pop(), issuerId: "AROAPLAN", sessionName: session?.[4] ?? "", id: arn };
            }
            default:
                return { ...args.inputs };
        }
    }

    private callerRoleArn(): string {
        return this.env.callerRoleArn ?? `arn:aws:iam::${this.env.accountId}:role/plan`;
    }

    private computedOutputs(args: pulumi.runtime.MockResourceArgs, seed: string): State {
        const { region, accountId } = this.env;
        const inputs = args.inputs as State;
        const name = (inputs.name as string | undefined) ?? `${args.name}-${hexId(seed, 7)}`;
        switch (args.type) {
            case "aws:ec2/vpc:Vpc":
                return { id: `vpc-${hexId(seed, 17)}`, arn: `arn:aws:ec2:${region}:${accountId}:vpc/vpc-${hexId(seed, 17)}` };
            case "aws:ec2/subnet:Subnet":
                return { id: `subnet-${hexId(seed, 17)}` };
            case "aws:ec2/securityGroup:SecurityGroup":
                return { id: `sg-${hexId(seed, 17)}`, name };
            case "aws:ec2/launchTemplate:LaunchTemplate":
                return { id: `lt-${hexId(seed, 17)}`, latestVersion: 1, defaultVersion: 1 };
            case "aws:ec2/natGateway:NatGateway":
                return { id: `nat-${hexId(seed, 17)}` };
            case "aws:ec2/eip:Eip":
                return { id: `eipalloc-${hexId(seed, 17)}`, publicIp: "198.51.100.10" };
            case "aws:ec2/internetGateway:InternetGateway":
                return { id: `igw-${hexId(seed, 17)}` };
            case "aws:ec2/routeTable:RouteTable":
                return { id: `rtb-${hexId(seed, 17)}` };
            case "aws:kms/key:Key": {
                const keyId = uuidFrom(seed);
                return { id: keyId, keyId, arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}` };
            }
            case "aws:kms/alias:Alias":
                return { arn: `arn:aws:kms:${region}:${accountId}:${name}` };
            case "aws:iam/role:Role":
                return { id: name, name, arn: `arn:aws:iam::${accountId}:role/${name}`, uniqueId: `AROA${hexId(seed, 16).toUpperCase()}` };
            case "aws:iam/policy:Policy":
                return { id: `arn:aws:iam::${accountId}:policy/${name}`, name, arn: `arn:aws:iam::${accountId}:policy/${name}` };
            case "aws:iam/instanceProfile:InstanceProfile":
                return { id: name, name, arn: `arn:aws:iam::${accountId}:instance-profile/${name}` };
            case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
                return { arn: `arn:aws:iam::${accountId}:oidc-provider/${String(inputs.url ?? "").replace(/^https:\/\//, "")}` };
            case "aws:s3/bucket:Bucket": {
                const bucket = (inputs.bucket as string | undefined) ?? `${args.name}-${hexId(seed, 7)}`;
                return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, region };
            }
            case "aws:sqs/queue:Queue": {
                const queueName = name;
                return { id: `https://sqs.${region}.amazonaws.com/${accountId}/${queueName}`, name: queueName, url: `https://sqs.${region}.amazonaws.com/${accountId}/${queueName}`, arn: `arn:aws:sqs:${region}:${accountId}:${queueName}` };
            }
            case "aws:cloudwatch/logGroup:LogGroup":
                return { id: name, name, arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}` };
            case "aws:cloudwatch/eventRule:EventRule":
                return { id: name, name, arn: `arn:aws:events:${region}:${accountId}:rule/${name}` };
            case "aws:secretsmanager/secret:Secret":
                return { id: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${hexId(seed, 6)}`, arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${hexId(seed, 6)}` };
            case "aws:eks/cluster:Cluster":
                return this.eksClusterOutputs(name);
            case "aws:eks/nodeGroup:NodeGroup":
                return { arn: `arn:aws:eks:${region}:${accountId}:nodegroup/${inputs.clusterName}/${inputs.nodeGroupName ?? name}/${uuidFrom(seed)}`, nodeGroupName: inputs.nodeGroupName ?? name };
            case "eks:index:Cluster":
                return this.eksComponentOutputs(name);
            case "eks:index:ManagedNodeGroup":
                return { nodeGroup: undefined, nodeGroupName: inputs.nodeGroupName ?? name };
            case "random:index/randomPassword:RandomPassword":
                return { result: `pw-${hexId(seed, 24)}` };
            default:
                return args.type.startsWith("aws:") && !("arn" in inputs) ? { arn: `arn:aws:${args.type.split(":")[1].split("/")[0]}:${region}:${accountId}:${name}` } : {};
        }
    }

    private eksClusterOutputs(name: string): State {
        const { region, accountId } = this.env;
        const seed = `eks-cluster::${name}`;
        const oidcId = hexId(seed, 32).toUpperCase();
        return {
            id: name,
            name,
            arn: `arn:aws:eks:${region}:${accountId}:cluster/${name}`,
            endpoint: `https://${oidcId}.gr7.${region}.eks.amazonaws.com`,
            certificateAuthority: { data: Buffer.from(`plan-ca-${name}`).toString("base64") },
            identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}` }] }],
            vpcConfig: { clusterSecurityGroupId: `sg-${hexId(`${seed}cluster`, 17)}` },
            status: "ACTIVE",
        };
    }

    /**
     * `@pulumi/eks` components are remote: under mocks none of their children register, so
     * the outputs downstream code reads must come from here.
     */
    private eksComponentOutputs(name: string): State {
        const seed = `eks-cluster::${name}`;
        const cluster = this.eksClusterOutputs(name);
        const endpoint = cluster.endpoint as string;
        const issuer = (cluster.identities as Array<{ oidcs: Array<{ issuer: string }> }>)[0].oidcs[0].issuer;
        const kubeconfig = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": (cluster.certificateAuthority as { data: string }).data } }],
            contexts: [{ name: "aws", context: { cluster: name, user: "aws" } }],
            "current-context": "aws",
            users: [{ name: "aws", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", name, "--region", this.env.region] } } }],
        };
        return {
            // A resource reference in the real engine (the component's aws:eks/cluster:Cluster child);
            // here its identifiers, so that plan checks know what names this cluster.
            eksCluster: { id: name, name, arn: cluster.arn },
            kubeconfig,
            kubeconfigJson: JSON.stringify(kubeconfig),
            oidcProviderArn: `arn:aws:iam::${this.env.accountId}:oidc-provider/${issuer.replace(/^https:\/\//, "")}`,
            oidcProviderUrl: issuer.replace(/^https:\/\//, ""),
            oidcIssuer: issuer.replace(/^https:\/\//, ""),
            clusterSecurityGroupId: (cluster.vpcConfig as { clusterSecurityGroupId: string }).clusterSecurityGroupId,
            nodeSecurityGroupId: `sg-${hexId(`${seed}nodes`, 17)}`,
        };
    }
}
