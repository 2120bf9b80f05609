/**
 * Modeled time to a ready platform: the longest chain of resources through the recorded
 * dependency graph, each weighted by a typical creation time. Components cost nothing
 * themselves; remote components stand for the AWS work inside them.
 */
import { ResourceGraph } from "./graph";
import type { PlanResourceDocument } from "./index";

/** Typical creation times in seconds (AWS and Helm documentation, and experience; see docs/performance.md). */
export const CREATION_SECONDS: Array<[RegExp, number, string]> = [
    [/^eks:index:Cluster$/, 720, "EKS control plane (incl. OIDC provider, security groups)"],
    [/^aws:eks\/cluster:Cluster$/, 660, "EKS control plane"],
    [/^eks:index:ManagedNodeGroup$|^aws:eks\/nodeGroup:NodeGroup$/, 240, "managed node group, nodes Ready"],
    [/^aws:ec2\/natGateway:NatGateway$/, 120, "NAT gateway"],
    [/^kubernetes:helm\.sh\/v3:Release$/, 150, "Helm release, atomic: pods Ready"],
    [/^aws:eks\/addon:Addon$/, 75, "EKS managed add-on ACTIVE"],
    [/^aws:eks\/podIdentityAssociation:PodIdentityAssociation$|^aws:eks\/accessEntry:AccessEntry$|^aws:eks\/accessPolicyAssociation:AccessPolicyAssociation$/, 10, "EKS API object"],
    [/^aws:ec2\/vpc:Vpc$|^aws:ec2\/subnet:Subnet$|^aws:ec2\/internetGateway:InternetGateway$/, 10, "VPC primitive"],
    [/^aws:iam\//, 8, "IAM (eventual consistency)"],
    [/^aws:kms\/key:Key$/, 5, "KMS key"],
    [/^aws:s3\//, 4, "S3 bucket and settings"],
    [/^kubernetes:apiextensions\.k8s\.io\/v1:CustomResourceDefinition$|^kubernetes:yaml\/v2:ConfigFile$/, 10, "CRDs established"],
    [/^kubernetes:/, 2, "Kubernetes object"],
    [/^aws:/, 5, "other AWS resource"],
];

export function creationSeconds(resource: PlanResourceDocument): number {
    if (!resource.custom && !resource.remote) return 0;
    if (resource.type.startsWith("pulumi:providers:")) return 0;
    return CREATION_SECONDS.find(([pattern]) => pattern.test(resource.type))?.[1] ?? 2;
}

export interface CriticalPath {
    totalSeconds: number;
    chain: Array<{ urn: string; type: string; name: string; seconds: number; finishesAt: number }>;
}

export function criticalPath(resources: PlanResourceDocument[]): CriticalPath {
    const graph = new ResourceGraph(resources);
    const finish = new Map<string, number>();
    const previous = new Map<string, string | undefined>();
    const visiting = new Set<string>();
    const finishOf = (resource: PlanResourceDocument): number => {
        const known = finish.get(resource.urn);
        if (known !== undefined) return known;
        if (visiting.has(resource.urn)) throw new Error(`dependency cycle through ${resource.urn}`);
        visiting.add(resource.urn);
        let start = 0;
        let before: string | undefined;
        for (const dependency of graph.effectiveDependencies(resource)) {
            const at = finishOf(graph.byUrn.get(dependency)!);
            if (at > start) [start, before] = [at, dependency];
        }
        visiting.delete(resource.urn);
        const end = start + creationSeconds(resource);
        finish.set(resource.urn, end);
        previous.set(resource.urn, before);
        return end;
    };
    let last: PlanResourceDocument | undefined;
    for (const resource of resources) if (!last || finishOf(resource) > finishOf(last)) last = resource;
    const chain: CriticalPath["chain"] = [];
    for (let urn = last?.urn; urn; urn = previous.get(urn)) {
        const r = graph.byUrn.get(urn)!;
        chain.unshift({ urn, type: r.type, name: r.name, seconds: creationSeconds(r), finishesAt: finish.get(urn)! });
    }
    return { totalSeconds: last ? finishOf(last) : 0, chain };
}
