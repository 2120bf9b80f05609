import { beforeAll, describe, expect, it } from "vitest";
import type { PlatformConfig } from "../config";
import { ciDeployerRules, developerRules, viewerRules, type RbacRule } from "../components/accessControl";
import type { Recorded, RecordedResource } from "./harness";
import { kindOf, metadataOf, ofKind, plannedBaseline, STACKS } from "./support/baseline";
import { bindingErrors, RbacModel, ruleAllows, type Request } from "./support/rbac";

/** The Kubernetes groups EKS access entries map IAM roles to (docs/tenants.md). */
const PLATFORM_GROUPS = { developers: "platform:developers", viewers: "platform:viewers", ciDeployers: "platform:ci-deployers" } as const;
const NON_ADMIN_GROUPS: string[] = Object.values(PLATFORM_GROUPS);
/** kubectl exec, attach, port-forward (debug is ephemeralcontainers). */
const EXEC_SUBRESOURCES = ["pods/exec", "pods/attach", "pods/portforward"];
/** Whether developers may get a shell in their pods, per committed stack: never in production. */
const DEVELOPERS_EXEC: Record<(typeof STACKS)[number], boolean> = { dev: true, prod: false };
const READ = ["get", "list", "watch"];
/** Verbs that let a subject grant itself (or others) more than it has. */
const ESCALATING: Request[] = [
    ...["create", "update", "patch"].flatMap((verb) =>
        ["roles", "rolebindings", "clusterroles", "clusterrolebindings"].map((resource) => ({ verb, apiGroup: "rbac.authorization.k8s.io", resource })),
    ),
    { verb: "bind", apiGroup: "rbac.authorization.k8s.io", resource: "clusterroles" },
    { verb: "escalate", apiGroup: "rbac.authorization.k8s.io", resource: "roles" },
    { verb: "impersonate", apiGroup: "", resource: "users" },
    { verb: "impersonate", apiGroup: "", resource: "groups" },
    { verb: "impersonate", apiGroup: "", resource: "serviceaccounts" },
    { verb: "create", apiGroup: "", resource: "serviceaccounts/token" },
    { verb: "create", apiGroup: "certificates.k8s.io", resource: "certificatesigningrequests" },
    { verb: "update", apiGroup: "admissionregistration.k8s.io", resource: "validatingadmissionpolicies" },
    { verb: "patch", apiGroup: "", resource: "namespaces" },
    { verb: "get", apiGroup: "", resource: "nodes/proxy" },
];

function rolesOf(recorded: Recorded): RecordedResource[] {
    return recorded.resources.filter((r) => r.custom && (kindOf(r) === "Role" || kindOf(r) === "ClusterRole"));
}

/** One line of the access table: these verbs on these resources of one API group. */
type Access = [apiGroup: string, resources: string[], verbs: string[]];
const MANAGE = [...READ, "create", "update", "patch", "delete"];
/** Every verb a resource request can carry (bind, escalate and impersonate are covered above). */
const ALL_VERBS = [...MANAGE, "deletecollection"];
/**
 * What developers and CI share in a tenant namespace (docs/tenants.md, RBAC): the workload kinds,
 * their scale (`kubectl scale`, `rollout`), what a rollout reads (ReplicaSets for Deployments,
 * ControllerRevisions for StatefulSets: `rollout history`/`undo`), and what a team debugging its
 * namespace reads: logs, events, endpoints, its quota, limits and NetworkPolicies.
 */
const TEAM_ACCESS: Access[] = [
    ["", ["services", "configmaps", "persistentvolumeclaims", "serviceaccounts"], MANAGE],
    ["apps", ["deployments", "statefulsets"], MANAGE],
    ["apps", ["deployments/scale", "statefulsets/scale"], ["get", "update", "patch"]],
    ["apps", ["replicasets", "controllerrevisions"], READ],
    ["batch", ["jobs", "cronjobs"], MANAGE],
    ["autoscaling", ["horizontalpodautoscalers"], MANAGE],
    ["networking.k8s.io", ["ingresses"], MANAGE],
    ["policy", ["poddisruptionbudgets"], MANAGE],
    ["external-secrets.io", ["externalsecrets"], MANAGE],
    ["", ["pods/log"], ["get"]],
    ["", ["events", "resourcequotas", "limitranges"], READ],
    ["discovery.k8s.io", ["endpointslices"], READ],
    ["networking.k8s.io", ["networkpolicies"], READ],
];
/** Outside production: `kubectl exec`/`attach`/`port-forward` (WebSocket: GET, SPDY: POST) and `kubectl debug` (PATCH; GET/PUT for other clients). */
const DEBUG_ACCESS: Access[] = [
    ["", ["pods/exec", "pods/attach", "pods/portforward"], ["get", "create"]],
    ["", ["pods/ephemeralcontainers"], ["get", "update", "patch"]],
];
const DEVELOPER_ACCESS = (exec: boolean): Access[] => [["", ["pods"], MANAGE], ...TEAM_ACCESS, ...(exec ? DEBUG_ACCESS : [])];
const CI_DEPLOYER_ACCESS: Access[] = [["", ["pods"], READ], ...TEAM_ACCESS];
/** Cluster-wide, read-only; no Secrets, ConfigMaps, subresources or custom resources. */
const VIEWER_ACCESS: Access[] = [
    [
        "",
        ["namespaces", "nodes", "pods", "services", "endpoints", "events", "persistentvolumeclaims", "persistentvolumes", "resourcequotas", "limitranges", "serviceaccounts", "replicationcontrollers"],
        READ,
    ],
    ["apps", ["deployments", "statefulsets", "daemonsets", "replicasets", "controllerrevisions"], READ],
    ["batch", ["jobs", "cronjobs"], READ],
    ["autoscaling", ["horizontalpodautoscalers"], READ],
    ["networking.k8s.io", ["ingresses", "ingressclasses", "networkpolicies"], READ],
    ["policy", ["poddisruptionbudgets"], READ],
    ["discovery.k8s.io", ["endpointslices"], READ],
    ["storage.k8s.io", ["storageclasses"], READ],
    ["rbac.authorization.k8s.io", ["roles", "rolebindings", "clusterroles", "clusterrolebindings"], READ],
];

/** `verb resource.group` (core: `verb resource`), as kubectl names them. */
const requestName = (verb: string, apiGroup: string, resource: string) => `${verb} ${resource}${apiGroup ? `.${apiGroup}` : ""}`;

function expectedRequests(table: Access[]): string[] {
    return table.flatMap(([apiGroup, resources, verbs]) => resources.flatMap((resource) => verbs.map((verb) => requestName(verb, apiGroup, resource)))).sort();
}

/**
 * Every request `group` may make in `namespace` (undefined: cluster-wide), over every resource
 * any table or any role of the plan names and the sensitive ones, by every verb: what is
 * granted beyond the table shows up as well as what is missing.
 */
function allowedRequests(model: RbacModel, recorded: Recorded, group: string, namespace: string | undefined): string[] {
    const named = [VIEWER_ACCESS, DEVELOPER_ACCESS(true), CI_DEPLOYER_ACCESS].flat().flatMap(([apiGroup, resources]) => resources.map((resource) => [apiGroup, resource]));
    const planned = rolesOf(recorded).flatMap((role) =>
        ((role.props.rules ?? []) as RbacRule[]).flatMap((rule) => (rule.apiGroups ?? []).flatMap((apiGroup) => (rule.resources ?? []).map((resource) => [apiGroup, resource]))),
    );
    const sensitive = [["", "secrets"], ["", "configmaps"], ["", "serviceaccounts/token"], ["", "nodes/proxy"], ["apps", "daemonsets"], ["external-secrets.io", "secretstores"]];
    const resources = new Map([...named, ...planned, ...sensitive].map(([apiGroup, resource]) => [`${apiGroup}/${resource}`, { apiGroup, resource }]));
    const allowed: string[] = [];
    for (const { apiGroup, resource } of resources.values()) {
        for (const verb of ALL_VERBS) if (model.can(group, { verb, apiGroup, resource, namespace })) allowed.push(requestName(verb, apiGroup, resource));
    }
    return allowed.sort();
}

describe.each(STACKS)("RBAC, %s stack", (stack) => {
    let config: PlatformConfig;
    let recorded: Recorded;
    let plan: Recorded;
    let model: RbacModel;
    beforeAll(async () => {
        ({ config, recorded, plan } = await plannedBaseline(stack));
        model = new RbacModel(recorded.resources);
    });
    const namespaces = () => ["kube-system", "monitoring", ...config.tenants.map((t) => t.name)];

    it("binds only the platform's groups, only to roles the platform defines (no cluster-admin, no built-ins)", () => {
        for (const group of NON_ADMIN_GROUPS) model.grantsFor(group);
        expect(model.unresolved).toEqual([]);
        const subjects = model.subjects();
        expect(subjects.length).toBeGreaterThan(0);
        for (const subject of subjects) {
            expect(subject.kind, subject.binding).toBe("Group");
            expect(NON_ADMIN_GROUPS as string[]).toContain(subject.name);
            expect(subject.roleRef).not.toMatch(/^ClusterRole\/(cluster-admin|admin|edit|view|system:.*)$/);
        }
        for (const binding of recorded.resources.filter((r) => r.custom && /RoleBinding$/.test(kindOf(r)))) {
            expect((binding.props.roleRef as { name: string }).name).not.toBe("cluster-admin");
        }
    });

    it("no Role or ClusterRole has a wildcard in verbs, resources or apiGroups (or nonResourceURLs)", () => {
        const roles = rolesOf(recorded);
        expect(roles.length).toBe(1 + 2 * config.tenants.length);
        for (const role of roles) {
            for (const rule of (role.props.rules ?? []) as Record<string, string[]>[]) {
                for (const field of ["verbs", "resources", "apiGroups", "nonResourceURLs"]) {
                    for (const value of rule[field] ?? []) expect(value, `${metadataOf(role).namespace}/${metadataOf(role).name} ${field}`).not.toContain("*");
                }
                expect(rule.verbs?.length, "a rule with no verbs is a mistake").toBeGreaterThan(0);
            }
        }
    });

    it("no group but admins can read Secrets, in any namespace, by any read verb", () => {
        for (const group of NON_ADMIN_GROUPS) {
            for (const namespace of [...namespaces(), undefined]) {
                for (const verb of READ) {
                    expect(model.allowedBy(group, { verb, apiGroup: "", resource: "secrets", namespace }), `${group} ${verb} secrets in ${namespace ?? "all namespaces"}`).toEqual([]);
                }
            }
        }
    });

    it("no group can write Secrets either (secrets come through ExternalSecrets)", () => {
        for (const group of NON_ADMIN_GROUPS) {
            for (const verb of ["create", "update", "patch", "delete"]) {
                expect(model.can(group, { verb, apiGroup: "", resource: "secrets" }), `${group} ${verb}`).toBe(false);
            }
        }
    });

    it("no group can escalate: no RBAC writes, bind, escalate, impersonate, token minting, or admission changes", () => {
        for (const group of NON_ADMIN_GROUPS) {
            for (const request of ESCALATING) {
                expect(model.can(group, request), `${group} ${request.verb} ${request.resource}`).toBe(false);
            }
        }
    });

    it(`developers: exec, attach, port-forward and debug ${DEVELOPERS_EXEC[stack] ? "in every tenant namespace" : "nowhere (production)"}`, () => {
        for (const tenant of config.tenants) {
            for (const resource of EXEC_SUBRESOURCES) {
                for (const verb of ["create", "get"]) {
                    const allowed = model.can(PLATFORM_GROUPS.developers, { verb, apiGroup: "", resource, namespace: tenant.name });
                    expect(allowed, `${stack}: developers ${verb} ${resource} in ${tenant.name}`).toBe(DEVELOPERS_EXEC[stack]);
                }
            }
            expect(model.can(PLATFORM_GROUPS.developers, { verb: "patch", apiGroup: "", resource: "pods/ephemeralcontainers", namespace: tenant.name })).toBe(DEVELOPERS_EXEC[stack]);
        }
    });

    it("the stack's developer IAM role reaches exactly those rights: its access entry carries the developers group, and nothing else", () => {
        const account = stack === "dev" ? "111122223333" : "444455556666";
        const entries = plan.ofType("aws:eks/accessEntry:AccessEntry").filter((e) => e.props.principalArn === `arn:aws:iam::${account}:role/developers`);
        expect(entries.map((e) => e.props.kubernetesGroups)).toEqual([["platform:developers"]]);
        const policies = plan.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter((a) => a.props.principalArn === entries[0].props.principalArn);
        expect(policies).toEqual([]);
        const shell = { verb: "create", apiGroup: "", resource: "pods/exec", namespace: "payments" };
        expect(model.can(PLATFORM_GROUPS.developers, shell), `${stack}: developers exec in payments`).toBe(DEVELOPERS_EXEC[stack]);
    });

    it("nobody else execs, anywhere", () => {
        for (const group of [PLATFORM_GROUPS.ciDeployers, PLATFORM_GROUPS.viewers]) {
            for (const resource of [...EXEC_SUBRESOURCES, "pods/ephemeralcontainers"]) {
                for (const verb of ["create", "get", "patch"]) expect(model.can(group, { verb, apiGroup: "", resource }), `${group} ${verb} ${resource}`).toBe(false);
            }
        }
    });

    it("developers manage workloads and read logs in every tenant namespace, and nowhere else", () => {
        const manage: Request[] = [
            { verb: "create", apiGroup: "apps", resource: "deployments" },
            { verb: "patch", apiGroup: "apps", resource: "statefulsets" },
            { verb: "update", apiGroup: "apps", resource: "deployments/scale" },
            { verb: "delete", apiGroup: "batch", resource: "jobs" },
            { verb: "create", apiGroup: "batch", resource: "cronjobs" },
            { verb: "create", apiGroup: "", resource: "pods" },
            { verb: "create", apiGroup: "", resource: "services" },
            { verb: "update", apiGroup: "", resource: "configmaps" },
            { verb: "create", apiGroup: "", resource: "persistentvolumeclaims" },
            { verb: "create", apiGroup: "", resource: "serviceaccounts" },
            { verb: "create", apiGroup: "autoscaling", resource: "horizontalpodautoscalers" },
            { verb: "create", apiGroup: "networking.k8s.io", resource: "ingresses" },
            { verb: "create", apiGroup: "policy", resource: "poddisruptionbudgets" },
            { verb: "create", apiGroup: "external-secrets.io", resource: "externalsecrets" },
            { verb: "get", apiGroup: "", resource: "pods/log" },
        ];
        for (const request of manage) {
            for (const tenant of config.tenants) expect(model.can(PLATFORM_GROUPS.developers, { ...request, namespace: tenant.name }), `${request.verb} ${request.resource} in ${tenant.name}`).toBe(true);
            for (const namespace of ["kube-system", "monitoring", "karpenter"]) {
                expect(model.can(PLATFORM_GROUPS.developers, { ...request, namespace }), `${request.verb} ${request.resource} in ${namespace}`).toBe(false);
            }
        }
    });

    it("developers and CI cannot loosen the guard rails of their namespace", () => {
        const guardRails: Request[] = [
            { verb: "delete", apiGroup: "networking.k8s.io", resource: "networkpolicies" },
            { verb: "create", apiGroup: "networking.k8s.io", resource: "networkpolicies" },
            { verb: "update", apiGroup: "", resource: "resourcequotas" },
            { verb: "delete", apiGroup: "", resource: "limitranges" },
            { verb: "create", apiGroup: "apps", resource: "daemonsets" },
            { verb: "create", apiGroup: "external-secrets.io", resource: "secretstores" },
            { verb: "create", apiGroup: "external-secrets.io", resource: "clustersecretstores" },
        ];
        for (const group of [PLATFORM_GROUPS.developers, PLATFORM_GROUPS.ciDeployers]) {
            for (const request of guardRails) {
                for (const tenant of config.tenants) expect(model.can(group, { ...request, namespace: tenant.name }), `${group} ${request.verb} ${request.resource}`).toBe(false);
            }
        }
    });

    it("CI deployers apply workloads in tenant namespaces only, and create no bare pods", () => {
        const apply: Request[] = [
            { verb: "patch", apiGroup: "apps", resource: "deployments" },
            { verb: "create", apiGroup: "apps", resource: "deployments" },
            { verb: "get", apiGroup: "apps", resource: "deployments" },
            { verb: "create", apiGroup: "", resource: "services" },
            { verb: "create", apiGroup: "external-secrets.io", resource: "externalsecrets" },
        ];
        for (const request of apply) {
            for (const tenant of config.tenants) expect(model.can(PLATFORM_GROUPS.ciDeployers, { ...request, namespace: tenant.name })).toBe(true);
            expect(model.can(PLATFORM_GROUPS.ciDeployers, { ...request, namespace: "kube-system" })).toBe(false);
        }
        expect(model.can(PLATFORM_GROUPS.ciDeployers, { verb: "create", apiGroup: "", resource: "pods", namespace: config.tenants[0].name })).toBe(false);
        // Every CI grant is a RoleBinding in a tenant namespace.
        for (const grant of model.grantsFor(PLATFORM_GROUPS.ciDeployers)) expect(config.tenants.map((t) => t.name)).toContain(grant.namespace);
    });

    it("viewers read cluster-wide, write nothing, and see no ConfigMaps or pod logs", () => {
        expect(model.can(PLATFORM_GROUPS.viewers, { verb: "list", apiGroup: "", resource: "pods" })).toBe(true);
        expect(model.can(PLATFORM_GROUPS.viewers, { verb: "list", apiGroup: "apps", resource: "deployments", namespace: "kube-system" })).toBe(true);
        for (const resource of ["configmaps", "pods/log", "secrets"]) {
            expect(model.can(PLATFORM_GROUPS.viewers, { verb: "get", apiGroup: "", resource }), resource).toBe(false);
        }
        for (const grant of model.grantsFor(PLATFORM_GROUPS.viewers)) {
            for (const rule of grant.rules) expect(rule.verbs?.filter((v) => !READ.includes(v)), grant.role).toEqual([]);
        }
    });

    it("every Role and binding carries the tenant's owners", () => {
        for (const r of recorded.resources.filter((r) => r.custom && ["Role", "RoleBinding"].includes(kindOf(r)))) {
            const tenant = config.tenants.find((t) => t.name === metadataOf(r).namespace)!;
            expect(metadataOf(r).annotations?.["platform.eks.aws/owners"]).toBe(tenant.owners.join(","));
        }
    });

    it(`developers may exactly their row of the table in every tenant namespace (${DEVELOPERS_EXEC[stack] ? "with" : "without"} exec and debug), and nothing outside them`, () => {
        const expected = expectedRequests(DEVELOPER_ACCESS(DEVELOPERS_EXEC[stack]));
        for (const tenant of config.tenants) expect(allowedRequests(model, recorded, PLATFORM_GROUPS.developers, tenant.name), tenant.name).toEqual(expected);
        for (const namespace of ["kube-system", "monitoring", "karpenter", "default"]) expect(allowedRequests(model, recorded, PLATFORM_GROUPS.developers, namespace), namespace).toEqual([]);
    });

    it("CI deployers may exactly their row of the table in every tenant namespace (read pods, never create them), and nothing outside them", () => {
        const expected = expectedRequests(CI_DEPLOYER_ACCESS);
        for (const tenant of config.tenants) expect(allowedRequests(model, recorded, PLATFORM_GROUPS.ciDeployers, tenant.name), tenant.name).toEqual(expected);
        for (const namespace of ["kube-system", "monitoring", "karpenter", "default"]) expect(allowedRequests(model, recorded, PLATFORM_GROUPS.ciDeployers, namespace), namespace).toEqual([]);
    });

    it("viewers may exactly their row of the table, cluster-wide and in every namespace, through the ClusterRole platform-viewer", () => {
        const expected = expectedRequests(VIEWER_ACCESS);
        for (const namespace of [undefined, "kube-system", ...config.tenants.map((t) => t.name)]) expect(allowedRequests(model, recorded, PLATFORM_GROUPS.viewers, namespace), namespace ?? "cluster-wide").toEqual(expected);
        expect(model.grantsFor(PLATFORM_GROUPS.viewers).map((g) => [g.binding, g.role])).toEqual([["ClusterRoleBinding//platform-viewer", "ClusterRole/platform-viewer"]]);
    });

    it("the API server accepts every Role, ClusterRole and binding (after its defaulting), and each binding names a role of the plan", () => {
        expect(model.rejected).toEqual([]);
        const bindings = recorded.resources.filter((r) => r.custom && /RoleBinding$/.test(kindOf(r)));
        expect(bindings).toHaveLength(1 + 2 * config.tenants.length);
        for (const binding of bindings) expect(bindingErrors(binding), metadataOf(binding).name).toEqual([]);
        for (const group of NON_ADMIN_GROUPS) model.grantsFor(group);
        expect(model.unresolved).toEqual([]);
    });

    it("the platform's labels select exactly the roles and bindings of the platform's groups (an auditor's selector), a tenant's label its four", () => {
        const rbacObjects = plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:rbac.authorization.k8s.io/"));
        const selects = (selector: Record<string, string>, r: RecordedResource) => Object.entries(selector).every(([key, value]) => metadataOf(r).labels?.[key] === value);
        const id = (r: RecordedResource) => `${kindOf(r)}/${metadataOf(r).namespace ?? ""}/${metadataOf(r).name}`;
        const tenantObjects = (tenant: string) => ["Role", "RoleBinding"].flatMap((kind) => ["platform-ci-deployer", "platform-developer"].map((name) => `${kind}/${tenant}/${name}`));
        const selected = rbacObjects.filter((r) => selects({ "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "eks-platform" }, r)).map(id);
        expect(selected.sort()).toEqual(["ClusterRole//platform-viewer", "ClusterRoleBinding//platform-viewer", ...config.tenants.flatMap((t) => tenantObjects(t.name))].sort());
        for (const tenant of config.tenants) {
            const ofTenant = rbacObjects.filter((r) => selects({ "platform.eks.aws/tenant": tenant.name }, r)).map(id);
            expect(ofTenant.sort(), tenant.name).toEqual(tenantObjects(tenant.name).sort());
        }
    });
});

describe("the RBAC model rejects what the API server rejects", () => {
    const binding = (type: "RoleBinding" | "ClusterRoleBinding", roleRef: Record<string, string>, subject: Record<string, string> = { kind: "Group", name: "platform:viewers" }): RecordedResource =>
        ({ type: `kubernetes:rbac.authorization.k8s.io/v1:${type}`, custom: true, props: { metadata: { name: "b", namespace: "payments" }, roleRef, subjects: [subject] } }) as unknown as RecordedResource;

    it("defaults an empty roleRef or subject apiGroup, as the server does", () => {
        expect(bindingErrors(binding("ClusterRoleBinding", { kind: "ClusterRole", name: "platform-viewer" }))).toEqual([]);
        expect(bindingErrors(binding("RoleBinding", { apiGroup: "", kind: "Role", name: "r" }, { kind: "Group", name: "g", apiGroup: "" }))).toEqual([]);
    });

    it("rejects another API group, a kind the binding cannot name, a missing role name, a bad subject", () => {
        expect(bindingErrors(binding("RoleBinding", { apiGroup: "rbac", kind: "Role", name: "r" }))).toEqual(['roleRef.apiGroup: "rbac" not supported']);
        expect(bindingErrors(binding("ClusterRoleBinding", { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" }))).toEqual(['roleRef.kind: "Role" not supported (ClusterRole)']);
        expect(bindingErrors(binding("ClusterRoleBinding", { apiGroup: "rbac.authorization.k8s.io", kind: "", name: "" }))).toEqual(['roleRef.kind: "" not supported (ClusterRole)', "roleRef.name: required"]);
        expect(bindingErrors(binding("RoleBinding", { kind: "Role", name: "r" }, { kind: "ServiceAccount", name: "default", apiGroup: "rbac.authorization.k8s.io" }))).toEqual([
            'subjects[0].apiGroup: "rbac.authorization.k8s.io" not supported',
        ]);
        expect(bindingErrors(binding("RoleBinding", { kind: "Role", name: "r" }, { kind: "Team", name: "x" }))).toEqual(['subjects[0].kind: "Team" not supported']);
        const model = new RbacModel([binding("ClusterRoleBinding", { kind: "", name: "platform-viewer" })]);
        expect(model.rejected).toEqual(['ClusterRoleBinding/payments/b: roleRef.kind: "" not supported (ClusterRole)']);
        expect(model.grantsFor("platform:viewers")).toEqual([]);
    });
});

describe("the RBAC rule lists as data", () => {
    const all: [string, RbacRule[]][] = [
        ["developers (prod)", developerRules({ allowExec: false })],
        ["developers (dev)", developerRules({ allowExec: true })],
        ["CI deployers", ciDeployerRules()],
        ["viewers", viewerRules()],
    ];
    it.each(all)("%s: never mention secrets, and list resources once per API group", (_, rules) => {
        for (const rule of rules) expect(rule.resources).not.toContain("secrets");
        const seen = new Set<string>();
        for (const rule of rules) {
            for (const group of rule.apiGroups) {
                for (const resource of rule.resources) {
                    const key = `${group}/${resource}`;
                    expect(seen.has(key), `${key} appears in two rules`).toBe(false);
                    seen.add(key);
                }
            }
        }
    });
});

describe("the checks can fail", () => {
    it("a wildcard rule is recognised as reading Secrets", () => {
        expect(ruleAllows({ apiGroups: ["*"], resources: ["*"], verbs: ["get"] }, { verb: "get", apiGroup: "", resource: "secrets" })).toBe(true);
        expect(ruleAllows({ apiGroups: [""], resources: ["pods/*"], verbs: ["create"] }, { verb: "create", apiGroup: "", resource: "pods/exec" })).toBe(true);
        expect(ruleAllows({ apiGroups: [""], resources: ["secrets"], verbs: ["*"] }, { verb: "list", apiGroup: "", resource: "secrets" })).toBe(true);
        expect(ruleAllows({ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["one"] }, { verb: "list", apiGroup: "", resource: "secrets" })).toBe(false);
    });

    it("a binding to cluster-admin is reported as unresolved, and a ClusterRole granting secrets is found", () => {
        const fake = (type: string, props: Record<string, unknown>): RecordedResource =>
            ({ urn: type, type, name: type, custom: true, remote: false, parent: null, provider: null, dependencies: [], protect: false, retainOnDelete: false, inputs: props, props, id: null, outputs: {}, aliases: [] }) as RecordedResource;
        const model = new RbacModel([
            fake("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", {
                metadata: { name: "oops" },
                roleRef: { kind: "ClusterRole", name: "cluster-admin" },
                subjects: [{ kind: "Group", name: PLATFORM_GROUPS.viewers }],
            }),
            fake("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { metadata: { name: "reader" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }] }),
            fake("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", {
                metadata: { name: "b", namespace: "payments" },
                roleRef: { kind: "ClusterRole", name: "reader" },
                subjects: [{ kind: "Group", name: PLATFORM_GROUPS.developers }],
            }),
        ]);
        model.grantsFor(PLATFORM_GROUPS.viewers);
        expect(model.unresolved).toEqual(["ClusterRoleBinding//oops -> ClusterRole/cluster-admin"]);
        expect(model.can(PLATFORM_GROUPS.developers, { verb: "list", apiGroup: "", resource: "secrets", namespace: "payments" })).toBe(true);
        // A ClusterRole bound by a RoleBinding is limited to that namespace.
        expect(model.can(PLATFORM_GROUPS.developers, { verb: "list", apiGroup: "", resource: "secrets", namespace: "database" })).toBe(false);
    });
});

// Guard against the harness silently recording nothing.
describe("sanity", () => {
    it("the baseline records RBAC objects", async () => {
        const { recorded } = await plannedBaseline("dev");
        expect(ofKind(recorded, "ClusterRole")).toHaveLength(1);
        expect(ofKind(recorded, "ClusterRoleBinding")).toHaveLength(1);
    });
});
