import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AccessConfig, EndpointConfig } from "../config/cluster";
import { cidrsOverlap } from "../config/cidr";
import { clusterSecretsKeyPolicy, eksAccessPolicyArn, logGroupKeyPolicy, type AccountScope } from "./cluster.iam";

/** Kubernetes groups that access entries map IAM roles to; the namespace baseline binds them. */
export const DEVELOPERS_GROUP = "platform:developers";
export const VIEWERS_GROUP = "platform:viewers";
export const CI_DEPLOYERS_GROUP = "platform:ci-deployers";

export const CLUSTER_ADMIN_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** The one tag that Karpenter finds subnets and the node security group by. */
export const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";

export function controlPlaneLogGroupName(clusterName: string): string {
    return `/aws/eks/${clusterName}/cluster`;
}

/**
 * The Kubernetes service range, set explicitly so that the `kubernetes` Service's ClusterIP (its
 * first address) is known to the network policies before the cluster exists. EKS's own choice
 * when none is given: 172.20.0.0/16, or 10.100.0.0/16 when the VPC overlaps it. Fixed at
 * creation: changing it replaces the cluster.
 */
export function serviceCidrFor(vpcCidr: string): string {
    return cidrsOverlap(vpcCidr, "172.20.0.0/16") ? "10.100.0.0/16" : "172.20.0.0/16";
}

export interface ClusterArgs {
    clusterName: string;
    kubernetesVersion: string;
    network: {
        vpcId: pulumi.Input<string>;
        privateSubnetIds: pulumi.Input<string[]>;
        /** The Kubernetes service range (serviceCidrFor). */
        serviceCidr: pulumi.Input<string>;
    };
    endpoint: EndpointConfig;
    /** Private addresses a deploy runner inside the VPC connects from: 443 on the cluster security group is opened to them. */
    deployRunnerCidrs?: string[];
    access: AccessConfig;
    controlPlaneLogRetentionDays: number;
    tags: Record<string, string>;
    /** prod: keys, the log group and the cluster are protected (keys also retained on delete). */
    protectStateful: boolean;
}

export interface AccessGrant {
    kind: "deployer" | "admin" | "developer" | "viewer" | "ci";
    roleArn: string;
    group?: string;
    /**
     * Who creates the principal's access entry. `eks-bootstrap`: EKS itself, when the cluster is
     * created, for the principal creating it, with AmazonEKSClusterAdminPolicy at cluster scope
     * (`@pulumi/eks` always sets bootstrapClusterCreatorAdminPermissions with an authentication
     * mode). `program`: an AccessEntry below. A principal has at most one entry per cluster: a
     * second CreateAccessEntry for the creator fails with 409 ResourceInUseException.
     */
    entry: "eks-bootstrap" | "program";
    /** For the deployer: the lists that also name it (their grants are contained in cluster admin). */
    alsoListedAs?: string[];
}

/**
 * Every principal with what it is granted. The deployer (who creates the cluster) is cluster
 * admin through EKS's bootstrap entry; when a list also names it, that grant merges into the
 * bootstrap entry (cluster admin contains it) instead of becoming a second entry.
 */
export function accessGrants(access: AccessConfig): AccessGrant[] {
    const listed: AccessGrant[] = [
        ...access.platformAdminRoleArns.map((roleArn) => ({ kind: "admin" as const, roleArn, entry: "program" as const })),
        ...access.developerRoleArns.map((roleArn) => ({ kind: "developer" as const, roleArn, group: DEVELOPERS_GROUP, entry: "program" as const })),
        ...access.viewerRoleArns.map((roleArn) => ({ kind: "viewer" as const, roleArn, group: VIEWERS_GROUP, entry: "program" as const })),
        ...access.ciRoleArns.map((roleArn) => ({ kind: "ci" as const, roleArn, group: CI_DEPLOYERS_GROUP, entry: "program" as const })),
    ];
    const merged = listed.filter((grant) => grant.roleArn === access.deployerRoleArn);
    const deployer: AccessGrant = { kind: "deployer", roleArn: access.deployerRoleArn, entry: "eks-bootstrap", alsoListedAs: merged.map((grant) => grant.kind) };
    return [deployer, ...listed.filter((grant) => grant.roleArn !== access.deployerRoleArn)];
}

/**
 * Refuses, before any resource is registered, a run that would create the cluster as someone
 * other than the configured deployer: EKS would make that principal the bootstrap admin (an
 * entry outside the code) and the deployer would get no entry at all; were that principal also
 * listed, its own entry would fail with 409. Once the cluster exists any admin may run
 * `pulumi up`. Both lookups are reads, so `pulumi preview` fails the same way.
 */
export async function checkClusterCreator(clusterName: string, deployerRoleArn: string): Promise<void> {
    const { names } = await aws.eks.getClusters({});
    if (names.includes(clusterName)) return;
    const caller = await aws.getCallerIdentity({});
    // EKS names the creator by its IAM role, not by the assumed-role session.
    const { issuerArn } = await aws.iam.getSessionContext({ arn: caller.arn });
    if (issuerArn !== deployerRoleArn) {
        throw new pulumi.RunError(
            `EKS cluster ${clusterName} does not exist yet and would be created by ${issuerArn}, but access.deployerRoleArn is ${deployerRoleArn}. ` +
                `EKS makes the principal that creates a cluster its bootstrap admin: run the first \`pulumi up\` as ${deployerRoleArn}, ` +
                `or set access.deployerRoleArn to the role you deploy with.`,
        );
    }
}

/** `arn:aws:iam::1:role/path/name` -> `name`: a stable, readable logical name. */
function roleName(roleArn: string): string {
    return roleArn.split("/").pop() ?? roleArn;
}

/**
 * The EKS control plane: `@pulumi/eks` for the cluster itself, and raw `@pulumi/aws` resources
 * for everything that must be provable (keys, the control-plane log group, access entries),
 * since the component's own children are not visible to tests or policies.
 */
export class Cluster extends pulumi.ComponentResource {
    readonly name: string;
    /** The cluster's name as an output of the created cluster (see ClusterContext.liveName). */
    readonly liveName: pulumi.Output<string>;
    readonly eksCluster: eks.Cluster;
    readonly provider: k8s.Provider;
    readonly secretsKey: aws.kms.Key;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly accountId: pulumi.Output<string>;
    readonly partition: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly certificateAuthority: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly oidcIssuer: pulumi.Output<string>;
    readonly kubeconfigJson: pulumi.Output<string>;
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    readonly nodeSecurityGroupId: pulumi.Output<string>;
    readonly accessEntries: aws.eks.AccessEntry[];

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:Cluster", name, {}, opts);
        const parent = this;
        const { clusterName, tags, protectStateful } = args;
        const stateful = { parent, protect: protectStateful };
        this.name = clusterName;

        const identity = aws.getCallerIdentityOutput({}, { parent });
        const partition = aws.getPartitionOutput({}, { parent });
        const region = aws.getRegionOutput({}, { parent });
        this.accountId = identity.accountId;
        this.partition = partition.partition;
        const scope: pulumi.Output<AccountScope> = pulumi
            .all([partition.partition, region.region, identity.accountId])
            .apply(([p, r, a]) => ({ partition: p, region: r, accountId: a }));

        this.secretsKey = new aws.kms.Key(
            `${name}-secrets`,
            {
                description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${clusterName}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: scope.apply((s) => JSON.stringify(clusterSecretsKeyPolicy(s))),
                tags,
            },
            { ...stateful, retainOnDelete: protectStateful },
        );
        new aws.kms.Alias(`${name}-secrets`, { name: `alias/${clusterName}-eks-secrets`, targetKeyId: this.secretsKey.keyId }, { parent });

        // EKS writes to /aws/eks/<name>/cluster, creating it unencrypted and kept forever if it does
        // not exist when logging is enabled: create it first, with a key and a retention.
        const logGroupName = controlPlaneLogGroupName(clusterName);
        const logsKey = new aws.kms.Key(
            `${name}-control-plane-logs`,
            {
                description: `Control-plane logs of EKS cluster ${clusterName}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: scope.apply((s) => JSON.stringify(logGroupKeyPolicy(s, logGroupName))),
                tags,
            },
            { ...stateful, retainOnDelete: protectStateful },
        );
        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-control-plane`,
            { name: logGroupName, retentionInDays: args.controlPlaneLogRetentionDays, kmsKeyId: logsKey.arn, tags },
            stateful,
        );

        const discovery = { [KARPENTER_DISCOVERY_TAG]: clusterName };
        this.eksCluster = new eks.Cluster(
            name,
            {
                name: clusterName,
                version: args.kubernetesVersion,
                vpcId: args.network.vpcId,
                // Control-plane ENIs and nodes in private subnets only; load balancers find the
                // public subnets by their tags.
                privateSubnetIds: args.network.privateSubnetIds,
                kubernetesServiceIpAddressRange: args.network.serviceCidr,
                nodeAssociatePublicIpAddress: false,
                authenticationMode: eks.AuthenticationMode.Api,
                enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
                encryptionConfigKeyArn: this.secretsKey.arn,
                endpointPrivateAccess: true,
                endpointPublicAccess: args.endpoint.publicAccess,
                publicAccessCidrs: args.endpoint.publicAccess ? args.endpoint.publicAccessCidrs : undefined,
                createOidcProvider: true,
                // Node groups, and every add-on, are created below where they can be seen and ordered.
                skipDefaultNodeGroup: true,
                bootstrapSelfManagedAddons: false,
                useDefaultVpcCni: true,
                corednsAddonOptions: { enabled: false },
                kubeProxyAddonOptions: { enabled: false },
                upgradePolicy: { supportType: "STANDARD" },
                deletionProtection: protectStateful,
                tags,
                clusterTags: tags,
                // Karpenter's EC2NodeClass selects exactly one security group: the node group's.
                nodeSecurityGroupTags: { ...tags, ...discovery },
                clusterSecurityGroupTags: { ...tags },
            },
            { parent, protect: protectStateful, dependsOn: [this.logGroup] },
        );

        this.kubeconfigJson = this.eksCluster.kubeconfigJson;
        this.oidcProviderArn = this.eksCluster.oidcProviderArn;
        this.oidcIssuer = this.eksCluster.oidcIssuer;
        this.clusterSecurityGroupId = this.eksCluster.clusterSecurityGroupId;
        this.nodeSecurityGroupId = this.eksCluster.nodeSecurityGroupId;

        // The component's `eksCluster` output is a resource reference; the data source gives the
        // same facts as plain values once the cluster exists. `dependsOn` alone would not hold the
        // lookup back in a preview (the SDK only waits for custom resources' ids, and eks.Cluster is a
        // component): the name is passed through an output the new cluster does not have yet, so a
        // preview of a new stack sees unknowns instead of failing with "cluster not found".
        const describedName = this.eksCluster.oidcIssuer.apply(() => clusterName);
        const described = aws.eks.getClusterOutput({ name: describedName }, { parent, dependsOn: [this.eksCluster] });
        this.liveName = described.name;
        this.arn = described.arn;
        this.endpoint = described.endpoint;
        this.certificateAuthority = described.certificateAuthorities.apply((cas) => cas[0]?.data ?? "");

        this.accessEntries = this.createAccessEntries(name, args, partition.partition);

        // A runner inside the VPC reaches the private endpoint only if the control plane's security
        // group lets it in; every Kubernetes resource waits for that (through the provider).
        const runnerAccess = (args.deployRunnerCidrs ?? []).map(
            (cidr) =>
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-deploy-runner-${cidr.replace(/[./]/g, "-")}`,
                    {
                        securityGroupId: this.clusterSecurityGroupId,
                        ipProtocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        cidrIpv4: cidr,
                        description: "The deploy runner reaches the private API server endpoint",
                        tags,
                    },
                    { parent },
                ),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfigJson, enableServerSideApply: true, deleteUnreachable: false },
            { parent, dependsOn: runnerAccess },
        );

        this.registerOutputs({
            arn: this.arn,
            endpoint: this.endpoint,
            oidcProviderArn: this.oidcProviderArn,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
            secretsKeyArn: this.secretsKey.arn,
            // Cluster admin through EKS's bootstrap entry, not through an AccessEntry of this program.
            bootstrapAdminRoleArn: args.access.deployerRoleArn,
        });
    }

    /**
     * The deployer: nothing here, EKS's bootstrap entry is its cluster-admin entry (see
     * accessGrants). Admins: an access entry plus the cluster-admin access policy at cluster scope.
     * Everyone else: an access entry with a Kubernetes group and no access policy; RBAC in the
     * baseline decides.
     */
    private createAccessEntries(name: string, args: ClusterArgs, partition: pulumi.Output<string>): aws.eks.AccessEntry[] {
        const parent = this;
        return accessGrants(args.access)
            .filter((grant) => grant.entry === "program")
            .map((grant) => {
                const entryName = `${name}-${grant.kind}-${roleName(grant.roleArn)}`;
                const entry = new aws.eks.AccessEntry(
                    entryName,
                    {
                        clusterName: this.liveName,
                        principalArn: grant.roleArn,
                        type: "STANDARD",
                        kubernetesGroups: grant.group ? [grant.group] : undefined,
                        tags: args.tags,
                    },
                    { parent },
                );
                if (grant.kind === "admin") {
                    new aws.eks.AccessPolicyAssociation(
                        entryName,
                        {
                            clusterName: entry.clusterName,
                            principalArn: entry.principalArn,
                            policyArn: partition.apply((p) => eksAccessPolicyArn(p, CLUSTER_ADMIN_ACCESS_POLICY)),
                            accessScope: { type: "cluster" },
                        },
                        { parent },
                    );
                }
                return entry;
            });
    }
}
