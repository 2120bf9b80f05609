import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/**
 * What the cluster hands every component that builds on it. Add-ons and the namespace
 * baseline receive this, never the config of the cluster itself.
 */
export interface ClusterContext {
    /** EKS cluster name (known at plan time): for deriving other names, never to refer to the cluster. */
    name: string;
    /**
     * The same name as an output of the created cluster. Every resource that refers to the
     * cluster (access entries, add-ons, Pod Identity associations) takes this one: it carries the
     * dependency, so the engine creates the cluster first (test/references.test.ts).
     */
    liveName: pulumi.Output<string>;
    region: string;
    accountId: pulumi.Output<string>;
    partition: pulumi.Output<string>;
    arn: pulumi.Output<string>;
    endpoint: pulumi.Output<string>;
    certificateAuthority: pulumi.Output<string>;
    /** IAM OIDC provider ARN, for IRSA trust policies. */
    oidcProviderArn: pulumi.Output<string>;
    /** OIDC issuer host and path, without `https://` (the IRSA condition key prefix). */
    oidcIssuer: pulumi.Output<string>;
    vpcId: pulumi.Output<string>;
    vpcCidr: pulumi.Output<string>;
    privateSubnetIds: pulumi.Output<string[]>;
    /**
     * The private subnets' CIDRs: where nodes, pods and the control plane's ENIs (the private
     * endpoint, the API server's calls to webhooks) have their addresses.
     */
    privateSubnetCidrs: pulumi.Output<string[]>;
    /** The public subnets' CIDRs: where internet-facing load balancers have their addresses. */
    publicSubnetCidrs: pulumi.Output<string[]>;
    /** The Kubernetes service range the cluster is created with (ClusterIPs). */
    serviceCidr: pulumi.Output<string>;
    /** The `kubernetes` Service's ClusterIP (first address of the service range): what in-cluster API clients dial. */
    apiServerServiceIp: pulumi.Output<string>;
    /** Ranges that hold no AWS or internet endpoint: the service range, and the VPC when the program owns it (no VPC endpoints). */
    notInternetCidrs: pulumi.Output<string[]>;
    clusterSecurityGroupId: pulumi.Output<string>;
    /** The one security group tagged for Karpenter discovery. */
    nodeSecurityGroupId: pulumi.Output<string>;
    /** The explicit Kubernetes provider; no resource may use an ambient kubeconfig. */
    provider: k8s.Provider;
    /** Pods that must run on system nodes depend on these (system node groups, CNI, kube-proxy, Pod Identity agent, CoreDNS). */
    systemNodesReady: pulumi.Resource[];
    /** Pods that mount persistent volumes also depend on these (the EBS CSI driver and the default StorageClass). */
    volumesReady: pulumi.Resource[];
    /** Name of the default encrypted gp3 StorageClass. */
    storageClassName: string;
    /** Tags for every AWS resource. */
    tags: Record<string, string>;
    /** prod: stateful resources are protected and retained on delete. */
    protectStateful: boolean;
    /** prod: at least two replicas and PodDisruptionBudgets wherever supported. */
    highAvailability: boolean;
}
