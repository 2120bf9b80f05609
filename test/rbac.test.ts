import { beforeAll, describe, expect, it } from "vitest";
import type { PlatformConfig } from "../config";
import { ciDeployerRules, developerRules, viewerRules, type RbacRule } from "../components/accessControl";
import type { Recorded, RecordedResource } from "./harness";
import { kindOf, metadataOf, ofKind, plannedBaseline, STACKS } from "./support/baseline";
import { RbacModel, ruleAllows, type Request } from "./support/rbac";

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
