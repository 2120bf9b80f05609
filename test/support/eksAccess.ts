/**
 * EKS access entries as the EKS API keeps them, which the mocks cannot: creating a cluster with
 * bootstrapClusterCreatorAdminPermissions (always on with `@pulumi/eks` and an authentication
 * mode) gives the creating principal an entry with AmazonEKSClusterAdminPolicy at cluster scope;
 * a principal has at most one entry per cluster (a second CreateAccessEntry answers 409
 * ResourceInUseException); an access policy can only be associated with an existing entry
 * (ResourceNotFoundException otherwise).
 */
import type { Recorded, RecordedResource } from "../harness";

export const CLUSTER_ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

export interface ModeledEntry {
    principalArn: string;
    type: string;
    kubernetesGroups: string[];
    /** Policy ARNs with their scope, e.g. `...AmazonEKSClusterAdminPolicy@cluster`. */
    policies: string[];
    createdBy: "eks-bootstrap" | string;
}

export class EksAccessEntries {
    readonly entries = new Map<string, ModeledEntry>();
    readonly errors: string[] = [];

    /** The cluster as CreateCluster leaves it: one entry, the creator's. */
    constructor(creatorArn: string) {
        this.entries.set(creatorArn, { principalArn: creatorArn, type: "STANDARD", kubernetesGroups: [], policies: [`${CLUSTER_ADMIN_POLICY_ARN}@cluster`], createdBy: "eks-bootstrap" });
    }

    createAccessEntry(entry: RecordedResource): void {
        const principalArn = String(entry.props.principalArn);
        if (this.entries.has(principalArn)) {
            this.errors.push(`${entry.name}: 409 ResourceInUseException: the cluster already has an access entry for ${principalArn} (created by ${this.entries.get(principalArn)!.createdBy})`);
            return;
        }
        const groups = (entry.props.kubernetesGroups as string[] | undefined) ?? [];
        this.entries.set(principalArn, { principalArn, type: String(entry.props.type ?? "STANDARD"), kubernetesGroups: [...groups], policies: [], createdBy: entry.name });
    }

    associateAccessPolicy(association: RecordedResource): void {
        const principalArn = String(association.props.principalArn);
        const entry = this.entries.get(principalArn);
        if (!entry) {
            this.errors.push(`${association.name}: ResourceNotFoundException: no access entry for ${principalArn}`);
            return;
        }
        const scope = (association.props.accessScope as { type?: string } | undefined)?.type ?? "?";
        entry.policies.push(`${String(association.props.policyArn)}@${scope}`);
    }
}

/**
 * Replays a plan's access entries and policy associations against a cluster created by
 * `creatorArn`, in an order the engine may choose: every entry before the associations, and an
 * association only after the entry it depends on (a missing dependency is an error too).
 */
export function replayAccess(recorded: Recorded, creatorArn: string): EksAccessEntries {
    const model = new EksAccessEntries(creatorArn);
    const entries = recorded.ofType("aws:eks/accessEntry:AccessEntry");
    for (const entry of entries) model.createAccessEntry(entry);
    for (const association of recorded.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")) {
        const own = entries.find((e) => e.props.principalArn === association.props.principalArn);
        if (own && !recorded.dependsOn(association, own)) model.errors.push(`${association.name}: may run before ${own.name} (no dependency): ResourceNotFoundException`);
        model.associateAccessPolicy(association);
    }
    return model;
}
