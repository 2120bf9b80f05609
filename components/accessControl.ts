/**
 * Kubernetes RBAC for the groups that EKS access entries map IAM roles to.
 *
 * - Platform admins get the EKS `AmazonEKSClusterAdminPolicy` access policy on their access
 *   entry: nothing here binds them (and nothing here binds anyone to `cluster-admin`).
 * - Developers and CI deployers get a Role in each tenant namespace (built by TenantNamespace
 *   from the rule lists below).
 * - Viewers get one read-only ClusterRole, bound cluster-wide.
 *
 * Every rule lists its API groups, resources and verbs explicitly: no `*` anywhere, so a CRD
 * installed later grants nothing by accident. The rule lists are plain data, tested on their own.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CI_DEPLOYERS_GROUP, DEVELOPERS_GROUP, VIEWERS_GROUP } from "./cluster";
import type { ClusterContext } from "./shared/types";

/** The Kubernetes groups the cluster's access entries carry (defined with the access entries). */
export const PLATFORM_GROUPS = {
    developers: DEVELOPERS_GROUP,
    viewers: VIEWERS_GROUP,
    ciDeployers: CI_DEPLOYERS_GROUP,
} as const;

export const RBAC_API_GROUP = "rbac.authorization.k8s.io";

export interface RbacRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
}

export const READ_VERBS = ["get", "list", "watch"];
/** Everything `kubectl apply` (client- or server-side), `rollout` and `delete` need; not `deletecollection`. */
export const MANAGE_VERBS = [...READ_VERBS, "create", "update", "patch", "delete"];

/** Interactive access into running containers: developers in non-production only. */
export const EXEC_SUBRESOURCES = ["pods/exec", "pods/attach", "pods/portforward"];

/**
 * The workload kinds a team runs in its namespace. Not here, on purpose:
 * - `secrets`: application secrets come from AWS Secrets Manager through ExternalSecrets; no
 *   person or pipeline reads or writes Secret objects through the API.
 * - `daemonsets`: a tenant has no business on every node.
 * - `networkpolicies` (read only), `resourcequotas`, `limitranges`: the platform's guard rails.
 * - `secretstores` (External Secrets): a namespaced store without `auth` would act with the
 *   operator's own AWS identity; tenants use the platform's ClusterSecretStore.
 * - `serviceaccounts/token`, `bind`, `escalate`, `impersonate`, anything in rbac.authorization.k8s.io.
 */
const WORKLOADS: RbacRule[] = [
    { apiGroups: [""], resources: ["services", "configmaps", "persistentvolumeclaims", "serviceaccounts"], verbs: MANAGE_VERBS },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: MANAGE_VERBS },
    { apiGroups: ["apps"], resources: ["deployments/scale", "statefulsets/scale"], verbs: ["get", "update", "patch"] },
    { apiGroups: ["apps"], resources: ["replicasets", "controllerrevisions"], verbs: READ_VERBS },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: MANAGE_VERBS },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: MANAGE_VERBS },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: MANAGE_VERBS },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: MANAGE_VERBS },
    { apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: MANAGE_VERBS },
];

/** What anyone working in the namespace may look at: its events, guard rails and endpoints. */
const NAMESPACE_READ: RbacRule[] = [
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    { apiGroups: [""], resources: ["events", "resourcequotas", "limitranges"], verbs: READ_VERBS },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ_VERBS },
    { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: READ_VERBS },
];

export interface DeveloperAccess {
    /**
     * `kubectl exec`/`attach`/`port-forward`/`debug` into the team's pods. Off in production:
     * a shell in a production pod reads its mounted credentials and bypasses change control.
     */
    allowExec: boolean;
}

/** Developers in a tenant namespace: manage workloads and bare pods, read logs; no Secrets, no RBAC. */
export function developerRules(access: DeveloperAccess): RbacRule[] {
    const rules: RbacRule[] = [
        { apiGroups: [""], resources: ["pods"], verbs: MANAGE_VERBS },
        ...WORKLOADS,
        ...NAMESPACE_READ,
    ];
    if (access.allowExec) {
        // `get` as well as `create`: kubectl's WebSocket transport opens these with a GET.
        rules.push({ apiGroups: [""], resources: EXEC_SUBRESOURCES, verbs: ["get", "create"] });
        rules.push({ apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["get", "update", "patch"] });
    }
    return rules;
}

/**
 * CI deployers in a tenant namespace: apply and roll out workloads, watch them become ready.
 * No bare pods (controllers create them), no exec, no Secrets: a leaked pipeline credential
 * can neither read application secrets nor plant one; secrets reach workloads through
 * ExternalSecrets, which CI may apply like any other manifest.
 */
export function ciDeployerRules(): RbacRule[] {
    return [{ apiGroups: [""], resources: ["pods"], verbs: READ_VERBS }, ...WORKLOADS, ...NAMESPACE_READ];
}

/**
 * Viewers, cluster-wide, read-only. Deliberately absent:
 * - `secrets`: credentials.
 * - `configmaps`: cluster-wide they include every team's application config (connection
 *   strings, feature flags, sometimes credentials put there by mistake) and kube-system's
 *   cluster config; viewers are auditors and on-call readers, not the teams. Developers still
 *   read their own namespaces' ConfigMaps.
 * - `pods/log`: logs carry request data and whatever an application prints.
 * - `pods/exec` and every other subresource, and custom resources (add them by name when needed).
 */
export function viewerRules(): RbacRule[] {
    return [
        {
            apiGroups: [""],
            resources: [
                "namespaces",
                "nodes",
                "pods",
                "services",
                "endpoints",
                "events",
                "persistentvolumeclaims",
                "persistentvolumes",
                "resourcequotas",
                "limitranges",
                "serviceaccounts",
                "replicationcontrollers",
            ],
            verbs: READ_VERBS,
        },
        { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets", "controllerrevisions"], verbs: READ_VERBS },
        { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: READ_VERBS },
        { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: READ_VERBS },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingressclasses", "networkpolicies"], verbs: READ_VERBS },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: READ_VERBS },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ_VERBS },
        { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: READ_VERBS },
        // Auditors check who may do what; reading RBAC objects grants nothing.
        { apiGroups: [RBAC_API_GROUP], resources: ["roles", "rolebindings", "clusterroles", "clusterrolebindings"], verbs: READ_VERBS },
    ];
}

export const MANAGED_BY_LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "eks-platform" };

function groupSubject(group: string): k8s.types.input.rbac.v1.Subject {
    return { kind: "Group", name: group, apiGroup: RBAC_API_GROUP };
}

export interface NamespaceRoleArgs {
    namespace: string;
    /** Name of the Role and of its RoleBinding. */
    roleName: string;
    group: string;
    rules: RbacRule[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

/** A Role in one namespace and the RoleBinding that grants it to one group. */
export function namespaceRole(name: string, args: NamespaceRoleArgs, opts: pulumi.CustomResourceOptions): { role: k8s.rbac.v1.Role; binding: k8s.rbac.v1.RoleBinding } {
    const metadata = {
        name: args.roleName,
        namespace: args.namespace,
        labels: { ...MANAGED_BY_LABELS, ...args.labels },
        annotations: args.annotations,
    };
    const role = new k8s.rbac.v1.Role(name, { metadata, rules: args.rules }, opts);
    const binding = new k8s.rbac.v1.RoleBinding(
        `${name}-binding`,
        {
            metadata,
            roleRef: { apiGroup: RBAC_API_GROUP, kind: "Role", name: args.roleName },
            subjects: [groupSubject(args.group)],
        },
        { ...opts, dependsOn: [role] },
    );
    return { role, binding };
}

export interface ClusterAccessArgs {
    cluster: ClusterContext;
}

export const VIEWER_CLUSTER_ROLE = "platform-viewer";

/** Cluster-wide RBAC: the read-only viewer ClusterRole, bound to `platform:viewers`. */
export class ClusterAccess extends pulumi.ComponentResource {
    readonly viewerRole: k8s.rbac.v1.ClusterRole;
    readonly viewerBinding: k8s.rbac.v1.ClusterRoleBinding;

    constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:ClusterAccess", name, {}, opts);
        const childOpts = { parent: this, provider: args.cluster.provider };
        const metadata = { name: VIEWER_CLUSTER_ROLE, labels: { ...MANAGED_BY_LABELS } };
        this.viewerRole = new k8s.rbac.v1.ClusterRole(`${name}-viewer`, { metadata, rules: viewerRules() }, childOpts);
        this.viewerBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-viewer-binding`,
            {
                metadata,
                roleRef: { apiGroup: RBAC_API_GROUP, kind: "ClusterRole", name: VIEWER_CLUSTER_ROLE },
                subjects: [groupSubject(PLATFORM_GROUPS.viewers)],
            },
            { ...childOpts, dependsOn: [this.viewerRole] },
        );
        this.registerOutputs({ viewerClusterRole: VIEWER_CLUSTER_ROLE });
    }
}
