/**
 * A small RBAC authorizer over recorded resources: which (Cluster)Roles does a group get
 * through which bindings, and does any of their rules allow a verb on a resource in a
 * namespace? It follows Kubernetes' matching (`*` matches anything, `resource/subresource`
 * strings, resourceNames restrict to named objects), so a wildcard slipped in anywhere is
 * counted as the grant it is rather than missed. Like the API server, it defaults a binding's
 * empty `roleRef.apiGroup` (and a User's or Group's subject `apiGroup`) to
 * `rbac.authorization.k8s.io`, then rejects what the server's validation rejects (another API
 * group, a roleRef kind the binding cannot name, a role or binding without a name): a rejected
 * object grants nothing, and `pulumi up` fails on it.
 */
import type { RecordedResource } from "./../harness";

export interface Rule {
    apiGroups?: string[];
    resources?: string[];
    verbs?: string[];
    resourceNames?: string[];
    nonResourceURLs?: string[];
}

export interface Grant {
    binding: string;
    role: string;
    /** Namespace the grant is limited to; undefined = cluster-wide. */
    namespace?: string;
    rules: Rule[];
}

export interface Request {
    verb: string;
    apiGroup: string;
    /** `pods`, or `pods/exec` for a subresource. */
    resource: string;
    namespace?: string;
    resourceName?: string;
}

const RBAC_GROUP = "rbac.authorization.k8s.io";

const kind = (r: RecordedResource) => r.type.split(":").pop();
const meta = (r: RecordedResource) => (r.props.metadata ?? {}) as { name?: string; namespace?: string };

function matches(list: string[] | undefined, value: string): boolean {
    return (list ?? []).some((item) => item === "*" || item === value);
}

function resourceMatches(list: string[] | undefined, resource: string): boolean {
    const [base, sub] = resource.split("/");
    return (list ?? []).some((item) => item === "*" || item === resource || (sub !== undefined && item === `${base}/*`) || (sub !== undefined && item === `*/${sub}`));
}

export function ruleAllows(rule: Rule, request: Request): boolean {
    if (!matches(rule.verbs, request.verb)) return false;
    if (!matches(rule.apiGroups, request.apiGroup)) return false;
    if (!resourceMatches(rule.resources, request.resource)) return false;
    // A rule limited to named objects only grants those (and never list/watch/create of the kind).
    if (rule.resourceNames && rule.resourceNames.length > 0) return request.resourceName !== undefined && rule.resourceNames.includes(request.resourceName);
    return true;
}

interface RoleRef {
    apiGroup?: string;
    kind?: string;
    name?: string;
}

interface Subject {
    kind: string;
    name: string;
    apiGroup?: string;
}

/** What the API server's validation says about a binding after its defaulting (empty: accepted). */
export function bindingErrors(binding: RecordedResource): string[] {
    const errors: string[] = [];
    const ref = (binding.props.roleRef ?? {}) as RoleRef;
    if (!meta(binding).name) errors.push("metadata.name: required");
    if ((ref.apiGroup || RBAC_GROUP) !== RBAC_GROUP) errors.push(`roleRef.apiGroup: "${ref.apiGroup}" not supported`);
    const kinds = kind(binding) === "ClusterRoleBinding" ? ["ClusterRole"] : ["Role", "ClusterRole"];
    if (!kinds.includes(ref.kind ?? "")) errors.push(`roleRef.kind: "${ref.kind}" not supported (${kinds.join(", ")})`);
    if (!ref.name) errors.push("roleRef.name: required");
    for (const [i, subject] of ((binding.props.subjects ?? []) as Subject[]).entries()) {
        if (!subject.name) errors.push(`subjects[${i}].name: required`);
        const apiGroup = subject.apiGroup || (subject.kind === "ServiceAccount" ? "" : RBAC_GROUP);
        const expected = { User: RBAC_GROUP, Group: RBAC_GROUP, ServiceAccount: "" }[subject.kind];
        if (expected === undefined) errors.push(`subjects[${i}].kind: "${subject.kind}" not supported`);
        else if (apiGroup !== expected) errors.push(`subjects[${i}].apiGroup: "${subject.apiGroup}" not supported`);
    }
    return errors;
}

/** Unknown role references (built-in ClusterRoles, roles from elsewhere) are reported, never assumed harmless. */
export class RbacModel {
    readonly unresolved: string[] = [];
    /** Objects the API server would refuse, with why; they grant nothing. */
    readonly rejected: string[] = [];
    private readonly roles = new Map<string, Rule[]>();
    private readonly bindings: RecordedResource[] = [];

    constructor(resources: RecordedResource[]) {
        for (const r of resources) {
            const isRole = kind(r) === "Role" || kind(r) === "ClusterRole";
            const isBinding = kind(r) === "RoleBinding" || kind(r) === "ClusterRoleBinding";
            if (!isRole && !isBinding) continue;
            const errors = isRole ? (meta(r).name ? [] : ["metadata.name: required"]) : bindingErrors(r);
            if (errors.length > 0) {
                this.rejected.push(`${kind(r)}/${meta(r).namespace ?? ""}/${meta(r).name ?? ""}: ${errors.join("; ")}`);
                continue;
            }
            if (kind(r) === "Role") this.roles.set(`Role/${meta(r).namespace}/${meta(r).name}`, (r.props.rules ?? []) as Rule[]);
            if (kind(r) === "ClusterRole") this.roles.set(`ClusterRole/${meta(r).name}`, (r.props.rules ?? []) as Rule[]);
            if (isBinding) this.bindings.push(r);
        }
    }

    /** Every binding's subjects (kind/name). */
    subjects(): { kind: string; name: string; binding: string; roleRef: string }[] {
        return this.bindings.flatMap((b) => {
            const ref = b.props.roleRef as { kind: string; name: string };
            return ((b.props.subjects ?? []) as { kind: string; name: string }[]).map((s) => ({ kind: s.kind, name: s.name, binding: `${kind(b)}/${meta(b).namespace ?? ""}/${meta(b).name}`, roleRef: `${ref.kind}/${ref.name}` }));
        });
    }

    /** What `group` is granted, binding by binding. */
    grantsFor(group: string): Grant[] {
        const grants: Grant[] = [];
        for (const b of this.bindings) {
            const subjects = (b.props.subjects ?? []) as { kind: string; name: string }[];
            if (!subjects.some((s) => s.kind === "Group" && s.name === group)) continue;
            const ref = b.props.roleRef as { kind: string; name: string };
            const namespace = kind(b) === "RoleBinding" ? meta(b).namespace : undefined;
            const key = ref.kind === "Role" ? `Role/${namespace}/${ref.name}` : `ClusterRole/${ref.name}`;
            const rules = this.roles.get(key);
            const binding = `${kind(b)}/${namespace ?? ""}/${meta(b).name}`;
            if (!rules) {
                this.unresolved.push(`${binding} -> ${key}`);
                continue;
            }
            grants.push({ binding, role: key, namespace, rules });
        }
        return grants;
    }

    /** The grants that allow `request` to `group` (empty: denied). */
    allowedBy(group: string, request: Request): Grant[] {
        return this.grantsFor(group).filter(
            (g) => (g.namespace === undefined || request.namespace === undefined || g.namespace === request.namespace) && g.rules.some((rule) => ruleAllows(rule, request)),
        );
    }

    can(group: string, request: Request): boolean {
        return this.allowedBy(group, request).length > 0;
    }
}
