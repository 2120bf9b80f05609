import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy, podIdentityTrustPolicy, type PolicyDocument } from "./iamDocuments";
import type { ClusterContext } from "./types";

export interface WorkloadIdentityArgs {
    cluster: ClusterContext;
    namespace: string;
    serviceAccount: string;
    /** The role's permissions, built from plain values once the cluster's outputs are known. */
    policy?: pulumi.Input<PolicyDocument>;
    managedPolicyArns?: pulumi.Input<string>[];
    /** `podIdentity` (default) or `irsa` where the workload's SDK cannot use Pod Identity. */
    mechanism?: "podIdentity" | "irsa";
    /** Extra resources the association waits for (e.g. the Pod Identity agent add-on). */
    dependsOn?: pulumi.Resource[];
}

export interface WorkloadIdentity {
    role: aws.iam.Role;
    roleArn: pulumi.Output<string>;
    /** The Pod Identity association (absent with IRSA): pods started before it exists get no credentials. */
    association?: aws.eks.PodIdentityAssociation;
    /**
     * What a workload using this identity waits for: the association (which waits for the role)
     * and the role's permissions, so its first AWS call is neither unauthenticated nor denied.
     */
    ready: pulumi.Resource[];
}

/**
 * The one way a workload gets AWS credentials here: its own role, trusted only by its own
 * service account, with an inline least-privilege policy. Children are created under `parent`.
 */
export function workloadIdentity(parent: pulumi.Resource, name: string, args: WorkloadIdentityArgs): WorkloadIdentity {
    const { cluster, namespace, serviceAccount } = args;
    const trust =
        args.mechanism === "irsa"
            ? pulumi
                  .all([cluster.oidcProviderArn, cluster.oidcIssuer])
                  .apply(([oidcProviderArn, oidcIssuer]) => irsaTrustPolicy({ oidcProviderArn, oidcIssuer, namespace, serviceAccount }))
            : pulumi
                  .all([cluster.accountId, cluster.arn])
                  .apply(([accountId, clusterArn]) => podIdentityTrustPolicy({ accountId, clusterArn, namespace, serviceAccount }));
    const role = new aws.iam.Role(
        name,
        {
            name: `${cluster.name}-${name}`.slice(0, 64),
            description: `${namespace}/${serviceAccount} on EKS cluster ${cluster.name}`,
            assumeRolePolicy: pulumi.jsonStringify(trust),
            maxSessionDuration: 3600,
            tags: cluster.tags,
        },
        { parent },
    );
    const ready: pulumi.Resource[] = [role];
    if (args.policy) {
        ready.push(new aws.iam.RolePolicy(name, { role: role.name, name: `${name}-least-privilege`, policy: pulumi.jsonStringify(args.policy) }, { parent }));
    }
    (args.managedPolicyArns ?? []).forEach((policyArn, index) => {
        ready.push(new aws.iam.RolePolicyAttachment(`${name}-managed-${index}`, { role: role.name, policyArn }, { parent }));
    });
    const association =
        args.mechanism === "irsa"
            ? undefined
            : new aws.eks.PodIdentityAssociation(
                  name,
                  { clusterName: cluster.liveName, namespace, serviceAccount, roleArn: role.arn, tags: cluster.tags },
                  { parent, dependsOn: args.dependsOn },
              );
    if (association) ready.push(association);
    return { role, roleArn: role.arn, association, ready };
}
