// What the smaller Kubernetes policies report, read the way the API server and admission read
// the object: every offending item named (not only the first), values written as null or empty
// taken as unset, the Pod Security version a control starts at, the exact kinds a policy judges,
// and knobs that refuse values the policy cannot mean.
import { describe, expect, it } from "vitest";
import { container, deployment, evaluate, k8s, notEvaluatedOf, podSpec, resource, UNKNOWN, violationsOf } from "./helpers";

const withContainer = (overrides: Record<string, unknown>) => deployment(podSpec({ containers: [container("app", overrides)] }));
const withSecurityContext = (securityContext: Record<string, unknown>) => withContainer({ securityContext: { ...container().securityContext, ...securityContext } });
const at = (policy: string, minor: number) => ({ [policy]: { podSecurityVersion: `v1.${minor}` } });

describe("hostPath volumes", () => {
    const withVolumes = (volumes: object[]) => deployment(podSpec({ volumes }));

    it("names the volume that mounts the host, and writes ? for a volume without a name", () => {
        expect(violationsOf("k8s-no-host-path-volumes", [withVolumes([{ name: "scratch", emptyDir: {} }, { name: "host-logs", hostPath: { path: "/var/log" } }])])).toEqual([
            'Deployment mounts hostPath volume "host-logs"',
        ]);
        expect(violationsOf("k8s-no-host-path-volumes", [withVolumes([{ hostPath: { path: "/" } }])])).toEqual(['Deployment mounts hostPath volume "?"']);
    });

    it("takes hostPath written as null as unset, as the API server does", () => {
        expect(violationsOf("k8s-no-host-path-volumes", [withVolumes([{ name: "scratch", hostPath: null, emptyDir: {} }])])).toEqual([]);
    });
});

describe("host ports", () => {
    it("lists every host port a container binds, and none it leaves at 0 or unset", () => {
        const ports = [{ containerPort: 80, hostPort: 80 }, { containerPort: 443, hostPort: 443 }, { containerPort: 9090 }, { containerPort: 9091, hostPort: 0 }];
        expect(violationsOf("k8s-no-host-ports", [withContainer({ ports })])).toEqual(['Deployment container "app" uses hostPort 80, 443']);
    });
});

describe("probe and lifecycle hosts (baseline from v1.34)", () => {
    const METADATA_ENDPOINT = "169.254.169.254";

    it("finds a host in a startup probe and in a preStop handler", () => {
        expect(violationsOf("k8s-no-probe-or-lifecycle-host", [withContainer({ startupProbe: { httpGet: { host: METADATA_ENDPOINT, path: "/latest/meta-data/", port: 80 } } })])).toEqual([
            `Deployment container "app" sends probes or lifecycle requests to host ${METADATA_ENDPOINT}`,
        ]);
        expect(violationsOf("k8s-no-probe-or-lifecycle-host", [withContainer({ lifecycle: { preStop: { httpGet: { host: "10.0.0.1", path: "/drain", port: 8080 } } } })])).toEqual([
            'Deployment container "app" sends probes or lifecycle requests to host 10.0.0.1',
        ]);
    });

    it("lists each distinct host once", () => {
        const hosts = withContainer({
            livenessProbe: { tcpSocket: { host: "10.0.0.1", port: 22 } },
            readinessProbe: { httpGet: { host: METADATA_ENDPOINT, port: 80 } },
            lifecycle: { postStart: { httpGet: { host: "10.0.0.1", port: 80 } } },
        });
        expect(violationsOf("k8s-no-probe-or-lifecycle-host", [hosts])).toEqual([`Deployment container "app" sends probes or lifecycle requests to host 10.0.0.1, ${METADATA_ENDPOINT}`]);
    });
});

describe("capabilities: every added capability is named", () => {
    it("from v1.22 (restricted): drop ALL, add only what the knob allows", () => {
        const added = withSecurityContext({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "SYS_ADMIN", "NET_RAW"] } });
        expect(violationsOf("k8s-restricted-capabilities", [added])).toEqual(['Deployment container "app" adds capabilities SYS_ADMIN, NET_RAW']);
    });

    it("before v1.22 (baseline): anything beyond the runtime's default set", () => {
        const added = withSecurityContext({ capabilities: { add: ["CHOWN", "SYS_ADMIN", "NET_ADMIN"] } });
        expect(violationsOf("k8s-restricted-capabilities", [added], at("k8s-restricted-capabilities", 21))).toEqual([
            'Deployment container "app" adds capabilities SYS_ADMIN, NET_ADMIN',
        ]);
    });

    it("a container with no capabilities at all does not drop ALL", () => {
        const bare = withContainer({ securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true } });
        expect(violationsOf("k8s-restricted-capabilities", [bare])).toEqual(['Deployment container "app" does not drop ALL capabilities']);
    });

    it("rejects allowedAddedCapabilities that are not strings", () => {
        expect(() => violationsOf("k8s-restricted-capabilities", [], { "k8s-restricted-capabilities": { allowedAddedCapabilities: [42] } })).toThrow(
            /k8s-restricted-capabilities.*allowedAddedCapabilities\.0 must be string/,
        );
    });
});

describe("UID 0 (restricted from v1.23)", () => {
    const rootPod = () => deployment(podSpec({ securityContext: { ...podSpec().securityContext, runAsUser: 0 } }));
    const rootContainer = () => withSecurityContext({ runAsUser: 0 });

    it("is not a finding at v1.22, where the standard has no runAsUser check", () => {
        expect(violationsOf("k8s-run-as-non-root", [rootPod(), rootContainer()], at("k8s-run-as-non-root", 22))).toEqual([]);
    });

    it("is a finding at v1.23, for the pod and for a container", () => {
        expect(violationsOf("k8s-run-as-non-root", [rootPod()], at("k8s-run-as-non-root", 23))).toEqual(["Deployment runs the pod as UID 0"]);
        expect(violationsOf("k8s-run-as-non-root", [rootContainer()], at("k8s-run-as-non-root", 23))).toEqual(['Deployment container "app" runs as UID 0']);
    });
});

describe("resource requests and limits", () => {
    it("takes a request or limit written as null or empty as missing", () => {
        const blank = withContainer({ resources: { requests: { cpu: null, memory: "" }, limits: { cpu: "200m", memory: "128Mi" } } });
        expect(violationsOf("k8s-resource-requests-limits", [blank])).toEqual(['Deployment container "app" is missing requests.cpu, requests.memory']);
    });
});

describe("disruption budgets that allow no disruption", () => {
    const pdb = (spec: Record<string, unknown>) => k8s("policy/v1:PodDisruptionBudget", { metadata: { name: "web-pdb", namespace: "shop" }, spec: { selector: { matchLabels: { app: "web" } }, ...spec } });

    it("reads maxUnavailable 0 however it is written: 0, \"0%\", or \"0\" (which the API server would refuse as not a percentage)", () => {
        for (const maxUnavailable of [0, "0%", "0"]) {
            expect(violationsOf("k8s-pdb-allows-disruption", [pdb({ maxUnavailable })]), JSON.stringify(maxUnavailable)).toEqual(["PodDisruptionBudget has maxUnavailable 0"]);
        }
    });

    it("reads a percentage the way the API server does, leading zeros included: \"00%\" unavailable and \"0100%\" available allow no disruption", () => {
        expect(violationsOf("k8s-pdb-allows-disruption", [pdb({ maxUnavailable: "00%" })])).toEqual(["PodDisruptionBudget has maxUnavailable 0"]);
        expect(violationsOf("k8s-pdb-allows-disruption", [pdb({ minAvailable: "0100%" })])).toEqual(["PodDisruptionBudget requires 100% of pods available"]);
        expect(violationsOf("k8s-pdb-allows-disruption", [pdb({ maxUnavailable: "010%" }), pdb({ minAvailable: "099%" })])).toEqual([]);
    });

    it("accepts any budget that lets one pod go", () => {
        expect(violationsOf("k8s-pdb-allows-disruption", [pdb({ maxUnavailable: 1 }), pdb({ maxUnavailable: "10%" }), pdb({ minAvailable: "50%" })])).toEqual([]);
    });
});

describe("RBAC: namespaced Roles and RoleBindings are judged like the cluster-wide ones", () => {
    it("reports a namespaced Role with a wildcard verb", () => {
        const role = k8s("rbac.authorization.k8s.io/v1:Role", { metadata: { name: "deployer", namespace: "shop" }, rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] }] });
        expect(violationsOf("k8s-rbac-no-wildcards", [role])).toEqual(["rule 0 has * in verbs"]);
    });

    it("reports a RoleBinding to cluster-admin: full control of the namespace, its Secrets and its RBAC", () => {
        const binding = k8s("rbac.authorization.k8s.io/v1:RoleBinding", {
            metadata: { name: "shop-admins", namespace: "shop" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
            subjects: [{ kind: "Group", name: "shop-developers", apiGroup: "rbac.authorization.k8s.io" }],
        });
        expect(violationsOf("k8s-no-cluster-admin-binding", [binding])).toEqual(["binds the cluster-admin role"]);
    });

    it("claims nothing about other resources that have rules: an S3 lifecycle configuration whose rules are computed is not 'not evaluated' by the RBAC policy", () => {
        const lifecycle = resource("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", { bucket: "logs-123", rules: UNKNOWN }, "logs");
        expect(notEvaluatedOf("k8s-rbac-no-wildcards", [lifecycle])).toEqual([]);
        expect(evaluate([lifecycle]).violations.filter((v) => v.policy === "k8s-rbac-no-wildcards")).toEqual([]);
    });
});

describe("RBAC Patches (server-side apply onto the existing object) are judged like the objects they patch", () => {
    it("reports a RolePatch or ClusterRolePatch that sets wildcard rules", () => {
        const rules = [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }];
        const rolePatch = k8s("rbac.authorization.k8s.io/v1:RolePatch", { metadata: { name: "reader", namespace: "shop" }, rules });
        const clusterRolePatch = k8s("rbac.authorization.k8s.io/v1:ClusterRolePatch", { metadata: { name: "view" }, rules });
        expect(violationsOf("k8s-rbac-no-wildcards", [rolePatch])).toEqual(["rule 0 has * in resources"]);
        expect(violationsOf("k8s-rbac-no-wildcards", [clusterRolePatch])).toEqual(["rule 0 has * in resources"]);
    });

    it("reports a RoleBindingPatch or ClusterRoleBindingPatch that adds subjects to a cluster-admin binding", () => {
        const roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" };
        const subjects = [{ kind: "User", name: "contractor@example.com", apiGroup: "rbac.authorization.k8s.io" }];
        const clusterPatch = k8s("rbac.authorization.k8s.io/v1:ClusterRoleBindingPatch", { metadata: { name: "cluster-admin" }, roleRef, subjects });
        const namespacedPatch = k8s("rbac.authorization.k8s.io/v1:RoleBindingPatch", { metadata: { name: "shop-admins", namespace: "shop" }, roleRef, subjects });
        expect(violationsOf("k8s-no-cluster-admin-binding", [clusterPatch])).toEqual(["binds the cluster-admin role"]);
        expect(violationsOf("k8s-no-cluster-admin-binding", [namespacedPatch])).toEqual(["binds the cluster-admin role"]);
    });
});

describe("plain-text secrets in ConfigMaps", () => {
    it("takes a key written as null as empty (the API server stores it as \"\"), not as a secret", () => {
        const configMap = k8s("core/v1:ConfigMap", { metadata: { name: "settings", namespace: "shop" }, data: { db_password: null, api_token: "abc" } });
        expect(violationsOf("k8s-no-plaintext-secrets", [configMap])).toEqual(["ConfigMap key api_token looks like a secret"]);
    });
});

describe("namespace Pod Security levels", () => {
    it("refuses allowedLevels that would accept a namespace enforcing privileged", () => {
        expect(() => violationsOf("k8s-namespace-pod-security", [], { "k8s-namespace-pod-security": { allowedLevels: ["restricted", "privileged"] } })).toThrow(
            /k8s-namespace-pod-security.*allowedLevels\.1/,
        );
    });
});

describe("helm chart versions of local charts", () => {
    it("needs no version for a v3 Chart built from a directory (LocalChartOpts: `path`, no `chart`)", () => {
        const local = resource("kubernetes:helm.sh/v3:Chart", { path: "charts/app", values: { replicaCount: 2 } }, "app");
        expect(violationsOf("helm-chart-version-pinned", [local])).toEqual([]);
        const remote = resource("kubernetes:helm.sh/v3:Chart", { chart: "ingress-nginx", fetchOpts: { repo: "https://kubernetes.github.io/ingress-nginx" } }, "ingress");
        expect(violationsOf("helm-chart-version-pinned", [remote])).toEqual(["chart ingress-nginx has no version"]);
    });
});
