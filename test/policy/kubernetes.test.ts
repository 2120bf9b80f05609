// The tricky cases of the Kubernetes policies: where containers hide, what inherits from the
// pod, and how image references and secret names are read.
import { describe, expect, it } from "vitest";
import { ResourceUnderTest } from "../../policy/engine";
import { parseImage, unpinnedReason } from "../../policy/lib/images";
import { looksLikeSecretName } from "../../policy/lib/secrets";
import { container, cronJob, deployment, k8s, notEvaluatedOf, pod, podSpec, resource, UNKNOWN, violationsOf } from "./helpers";

const privileged = { securityContext: { ...container().securityContext, privileged: true } };

describe("containers are found everywhere", () => {
    it("reports a violation that exists only in an init container", () => {
        const spec = podSpec({ initContainers: [container("setup", privileged)] });
        expect(violationsOf("k8s-no-privileged-containers", [deployment(spec)])).toEqual([
            'Deployment init container "setup" runs privileged',
        ]);
    });

    it("reports a root init container in a pod that runs as non-root, the way each is written", () => {
        const root = (securityContext: Record<string, unknown>) => deployment(podSpec({ initContainers: [container("setup", { securityContext: { ...container().securityContext, ...securityContext } })] }));
        expect(violationsOf("k8s-run-as-non-root", [root({ runAsUser: 0 })])).toEqual(['Deployment init container "setup" runs as UID 0']);
        expect(violationsOf("k8s-run-as-non-root", [root({ runAsNonRoot: false })])).toEqual([
            'Deployment init container "setup" does not set runAsNonRoot: true (own or inherited from the pod)',
        ]);
        expect(violationsOf("k8s-run-as-non-root", [root({ runAsNonRoot: true, runAsUser: 10001 })])).toEqual([]);
    });

    it("reports a violation that exists only in an ephemeral container", () => {
        const spec = podSpec({ ephemeralContainers: [{ name: "debugger", image: "busybox:1.36", securityContext: { privileged: true } }] });
        expect(violationsOf("k8s-no-privileged-containers", [pod(spec)])).toEqual(['Pod ephemeral container "debugger" runs privileged']);
    });

    it("does not ask ephemeral containers for resources, but does ask init containers", () => {
        const spec = podSpec({
            ephemeralContainers: [{ name: "debugger", image: "busybox:1.36" }],
            initContainers: [container("setup", { resources: {} })],
        });
        expect(violationsOf("k8s-resource-requests-limits", [pod(spec)])).toEqual([
            'Pod init container "setup" is missing requests.cpu, requests.memory, limits.cpu, limits.memory',
        ]);
    });

    it("reads the pod template of a CronJob", () => {
        expect(violationsOf("k8s-no-privileged-containers", [cronJob(podSpec({ containers: [container("job", privileged)] }))])).toEqual([
            'CronJob container "job" runs privileged',
        ]);
        expect(violationsOf("k8s-no-privileged-containers", [cronJob()])).toEqual([]);
    });

    it("covers StatefulSet, DaemonSet, Job, ReplicaSet and ReplicationController", () => {
        for (const type of ["apps/v1:StatefulSet", "apps/v1:DaemonSet", "batch/v1:Job", "apps/v1:ReplicaSet", "core/v1:ReplicationController"]) {
            const workload = k8s(type, { metadata: { name: "w", namespace: "shop" }, spec: { template: { spec: podSpec({ hostNetwork: true }) } } });
            expect(violationsOf("k8s-no-host-namespaces", [workload]), type).toHaveLength(1);
        }
    });
});

describe("pod-level security context", () => {
    it("inherits runAsNonRoot from the pod", () => {
        expect(violationsOf("k8s-run-as-non-root", [deployment()])).toEqual([]);
    });

    it("still denies a container that sets runAsUser 0 under a pod with runAsNonRoot true", () => {
        const spec = podSpec({ containers: [container("app", { securityContext: { ...container().securityContext, runAsUser: 0 } })] });
        expect(violationsOf("k8s-run-as-non-root", [deployment(spec)])).toEqual(['Deployment container "app" runs as UID 0']);
    });

    it("lets a container override the pod's runAsNonRoot", () => {
        const spec = podSpec({ containers: [container("app", { securityContext: { ...container().securityContext, runAsNonRoot: false } })] });
        expect(violationsOf("k8s-run-as-non-root", [deployment(spec)])).toEqual([
            'Deployment container "app" does not set runAsNonRoot: true (own or inherited from the pod)',
        ]);
    });

    it("ignores container-only fields written at pod level", () => {
        const spec = podSpec({
            securityContext: { ...podSpec().securityContext, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
            containers: [container("app", { securityContext: { capabilities: { drop: ["ALL"] } } })],
        });
        expect(violationsOf("k8s-no-privilege-escalation", [deployment(spec)])).toHaveLength(1);
        expect(violationsOf("k8s-read-only-root-filesystem", [deployment(spec)])).toHaveLength(1);
    });

    it("inherits the seccomp profile, and lets a container weaken it", () => {
        expect(violationsOf("k8s-seccomp-profile", [deployment()])).toEqual([]);
        const spec = podSpec({ containers: [container("app", { securityContext: { ...container().securityContext, seccompProfile: { type: "Unconfined" } } })] });
        expect(violationsOf("k8s-seccomp-profile", [deployment(spec)])).toEqual(['Deployment container "app" uses seccomp profile Unconfined']);
    });
});

describe("capabilities", () => {
    const withCapabilities = (capabilities: object) =>
        deployment(podSpec({ containers: [container("app", { securityContext: { ...container().securityContext, capabilities } })] }));

    it("denies drop ALL followed by an added capability", () => {
        expect(violationsOf("k8s-restricted-capabilities", [withCapabilities({ drop: ["ALL"], add: ["SYS_ADMIN"] })])).toEqual([
            'Deployment container "app" adds capabilities SYS_ADMIN',
        ]);
    });

    it("allows NET_BIND_SERVICE after drop ALL, comparing names exactly as admission does", () => {
        expect(violationsOf("k8s-restricted-capabilities", [withCapabilities({ drop: ["ALL"], add: ["NET_BIND_SERVICE"] })])).toEqual([]);
        expect(violationsOf("k8s-restricted-capabilities", [withCapabilities({ drop: ["all"], add: ["CAP_NET_BIND_SERVICE"] })])).toEqual([
            'Deployment container "app" adds capabilities CAP_NET_BIND_SERVICE',
            'Deployment container "app" does not drop ALL capabilities',
        ]);
    });

    it("honours the allowedAddedCapabilities knob", () => {
        const config = { "k8s-restricted-capabilities": { allowedAddedCapabilities: ["NET_ADMIN"] } };
        expect(violationsOf("k8s-restricted-capabilities", [withCapabilities({ drop: ["ALL"], add: ["NET_ADMIN"] })], config)).toEqual([]);
    });
});

describe("image references", () => {
    it.each([
        ["registry:5000/app", "has neither a tag nor a digest"],
        ["nginx", "has neither a tag nor a digest"],
        ["nginx:latest", "uses the mutable tag `latest`"],
        ["registry.example.com:5000/team/app:latest", "uses the mutable tag `latest`"],
    ])("denies %s", (image, reason) => {
        expect(unpinnedReason(image)).toBe(reason);
    });

    it.each(["registry:5000/app:1.2.3", "nginx:1.27", "app@sha256:abc123", "nginx:latest@sha256:abc123", "registry:5000/app@sha256:0f"])(
        "allows %s",
        (image) => {
            expect(unpinnedReason(image)).toBeUndefined();
        },
    );

    it("does not mistake a registry port for a tag", () => {
        expect(parseImage("registry:5000/app")).toEqual({ registry: "registry:5000", repository: "app", tag: undefined, digest: undefined });
    });

    it("enforces allowedRegistries only when configured", () => {
        const workload = deployment(podSpec({ containers: [container("app", { image: "docker.io/library/nginx:1.27" })] }));
        expect(violationsOf("k8s-image-pinned", [workload])).toEqual([]);
        const config = { "k8s-image-pinned": { allowedRegistries: ["123456789012.dkr.ecr.eu-west-1.amazonaws.com"] } };
        expect(violationsOf("k8s-image-pinned", [workload], config)).toEqual([
            'Deployment container "app" image docker.io/library/nginx:1.27 is not from an allowed registry',
        ]);
    });
});

describe("plain-text secrets", () => {
    it.each(["DB_PASSWORD", "apiKey", "client-secret", "GITHUB_TOKEN", "aws_credentials"])("treats %s as a secret name", (name) => {
        expect(looksLikeSecretName(name)).toBe(true);
    });

    it.each(["MONKEY", "KEYCLOAK_URL", "PUBLIC_KEY", "LOG_LEVEL", "SIGNING_KEY_ID"])("does not treat %s as a secret name", (name) => {
        expect(looksLikeSecretName(name)).toBe(false);
    });

    it("allows secrets referenced through valueFrom", () => {
        const env = [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }];
        expect(violationsOf("k8s-no-plaintext-secrets", [deployment(podSpec({ containers: [container("app", { env })] }))])).toEqual([]);
    });

    it("finds a PEM private key in a ConfigMap and a secret-named key", () => {
        const configMap = k8s("core/v1:ConfigMap", {
            metadata: { name: "cfg", namespace: "shop" },
            data: { "tls.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", api_token: "abc", LOG_LEVEL: "debug" },
        });
        expect(violationsOf("k8s-no-plaintext-secrets", [configMap]).sort()).toEqual([
            "ConfigMap key api_token looks like a secret",
            "ConfigMap key tls.pem holds a PEM private key",
        ]);
    });

    it("does not take a true/false switch for a secret, whatever its name (Trivy's operator config)", () => {
        const configMap = k8s("core/v1:ConfigMap", {
            metadata: { name: "trivy-operator-config", namespace: "trivy-system" },
            data: { OPERATOR_EXPOSED_SECRET_SCANNER_ENABLED: "true", OPERATOR_METRICS_EXPOSED_SECRET_INFO_ENABLED: "False", API_TOKEN: "true-ish" },
        });
        expect(violationsOf("k8s-no-plaintext-secrets", [configMap])).toEqual(["ConfigMap key API_TOKEN looks like a secret"]);
        const env = [{ name: "SECRET_SCANNER_ENABLED", value: "false" }, { name: "DB_PASSWORD", value: "false-start" }];
        expect(violationsOf("k8s-no-plaintext-secrets", [deployment(podSpec({ containers: [container("app", { env })] }))])).toEqual([
            'Deployment container "app" sets env var DB_PASSWORD to a literal value',
        ]);
    });

    it("finds a PEM private key in an env var of an init container", () => {
        const env = [{ name: "CERT", value: "-----BEGIN PRIVATE KEY-----\nabc" }];
        expect(violationsOf("k8s-no-plaintext-secrets", [deployment(podSpec({ initContainers: [container("init", { env })] }))])).toEqual([
            'Deployment init container "init" has a PEM private key in env var CERT',
        ]);
    });
});

describe("other object checks", () => {
    it("accepts the legacy internal load balancer annotation and ignores ClusterIP services", () => {
        const legacy = k8s("core/v1:Service", {
            metadata: { name: "a", namespace: "shop", annotations: { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" } },
            spec: { type: "LoadBalancer" },
        });
        const clusterIp = k8s("core/v1:Service", { metadata: { name: "b", namespace: "shop" }, spec: { type: "ClusterIP" } });
        expect(violationsOf("k8s-internal-load-balancer", [legacy, clusterIp])).toEqual([]);
    });

    it("requires a namespace on namespaced objects only", () => {
        const noNamespace = k8s("core/v1:ConfigMap", { metadata: { name: "cfg" } });
        const clusterRole = k8s("rbac.authorization.k8s.io/v1:ClusterRole", { metadata: { name: "r" }, rules: [] });
        const issuer = k8s("cert-manager.io/v1:ClusterIssuer", { metadata: { name: "letsencrypt" } });
        // The AWS Load Balancer Controller's CRD declares it `scope: Cluster`.
        const classParams = k8s("elbv2.k8s.aws/v1beta1:IngressClassParams", { metadata: { name: "alb" }, spec: { scheme: "internal" } });
        expect(violationsOf("k8s-no-default-namespace", [noNamespace, clusterRole, issuer, classParams])).toEqual([
            "ConfigMap has no namespace (it would land in default)",
        ]);
    });

    it("denies a namespace without the enforce label and a PDB requiring 100%", () => {
        expect(violationsOf("k8s-namespace-pod-security", [k8s("core/v1:Namespace", { metadata: { name: "x" } })])).toEqual([
            "Namespace has no pod-security.kubernetes.io/enforce label",
        ]);
        const pdb = k8s("policy/v1:PodDisruptionBudget", { metadata: { name: "p", namespace: "shop" }, spec: { minAvailable: "100%" } });
        expect(violationsOf("k8s-pdb-allows-disruption", [pdb])).toEqual(["PodDisruptionBudget requires 100% of pods available"]);
    });

    it("accepts pinned helm versions and local charts, denies ranges", () => {
        const release = (chart: string, version?: string) => resource("kubernetes:helm.sh/v3:Release", { chart, ...(version ? { version } : {}) });
        expect(violationsOf("helm-chart-version-pinned", [release("cilium", "1.16.3"), release("./charts/app")])).toEqual([]);
        expect(violationsOf("helm-chart-version-pinned", [release("cilium", "^1.16")])).toEqual(["chart cilium version ^1.16 is a range"]);
    });
});

describe("exemptions come from config", () => {
    const bad = () => deployment(podSpec({ hostNetwork: true }), "node-exporter", 1, "monitoring");

    it("by namespace, name (with wildcard) and label", () => {
        expect(violationsOf("k8s-no-host-namespaces", [bad()])).toHaveLength(1);
        expect(violationsOf("k8s-no-host-namespaces", [bad()], { "k8s-no-host-namespaces": { exemptNamespaces: ["monitor*"] } })).toEqual([]);
        expect(violationsOf("k8s-no-host-namespaces", [bad()], { "k8s-no-host-namespaces": { exemptNames: ["node-*"] } })).toEqual([]);
        expect(violationsOf("k8s-no-host-namespaces", [bad()], { "k8s-no-host-namespaces": { exemptLabels: { app: "node-exporter" } } })).toEqual([]);
        expect(violationsOf("k8s-no-host-namespaces", [bad()], { "k8s-no-host-namespaces": { exemptLabels: { app: "other" } } })).toHaveLength(1);
    });

    it("by exact object: kind, namespace and name, nothing around it", () => {
        const exempt = (objects: object[]) => ({ "k8s-no-host-namespaces": { exemptObjects: objects } });
        const nodeExporter = { kind: "Deployment", namespace: "monitoring", name: "node-exporter", reason: "reads the host's network counters" };
        expect(violationsOf("k8s-no-host-namespaces", [bad()], exempt([nodeExporter]))).toEqual([]);
        // Same name elsewhere, another kind, or no namespace given for a namespaced object: still reported.
        const sameNameOtherNamespace = deployment(podSpec({ hostNetwork: true }), "node-exporter", 1, "shop");
        expect(violationsOf("k8s-no-host-namespaces", [sameNameOtherNamespace], exempt([nodeExporter]))).toHaveLength(1);
        expect(violationsOf("k8s-no-host-namespaces", [bad()], exempt([{ ...nodeExporter, kind: "DaemonSet" }]))).toHaveLength(1);
        expect(violationsOf("k8s-no-host-namespaces", [bad()], exempt([{ kind: "Deployment", name: "node-exporter", reason: "r" }]))).toHaveLength(1);
        // Cluster-scoped objects are named without a namespace.
        const binding = k8s("rbac.authorization.k8s.io/v1:ClusterRoleBinding", { metadata: { name: "velero-server" }, roleRef: { name: "cluster-admin" } });
        const config = { "k8s-no-cluster-admin-binding": { exemptObjects: [{ kind: "ClusterRoleBinding", name: "velero-server", reason: "restores" }] } };
        expect(violationsOf("k8s-no-cluster-admin-binding", [binding], config)).toEqual([]);
    });

    it("refuses an exact-object exemption without a reason, or with a field it does not know", () => {
        const object = { kind: "Deployment", namespace: "monitoring", name: "node-exporter" };
        expect(() => violationsOf("k8s-no-host-namespaces", [bad()], { "k8s-no-host-namespaces": { exemptObjects: [object] } })).toThrow(/reason/);
        expect(() => violationsOf("k8s-no-host-namespaces", [bad()], { "k8s-no-host-namespaces": { exemptObjects: [{ ...object, reason: "r", labels: {} }] } })).toThrow(
            /unknown key "labels"/,
        );
    });

    it("exempts only the configured policy", () => {
        const config = { "k8s-no-host-namespaces": { exemptNamespaces: ["monitoring"] } };
        const spec = podSpec({ hostNetwork: true, containers: [container("c", privileged)] });
        expect(violationsOf("k8s-no-privileged-containers", [deployment(spec, "x", 1, "monitoring")], config)).toHaveLength(1);
    });
});

describe("unknown values", () => {
    it("reports a policy as not evaluated when the only container's image is unknown", () => {
        const workload = deployment(podSpec({ containers: [container("app", { image: UNKNOWN })] }));
        expect(violationsOf("k8s-image-pinned", [workload])).toEqual([]);
        expect(notEvaluatedOf("k8s-image-pinned", [workload])).toEqual(["string value at .spec.template.spec.containers.0.image can't be known during preview"]);
    });

    it("still reports what it can prove in the other containers", () => {
        const spec = podSpec({ containers: [container("a", { image: UNKNOWN }), container("b", { image: "nginx" })] });
        expect(violationsOf("k8s-image-pinned", [deployment(spec)])).toEqual(['Deployment container "b" image nginx has neither a tag nor a digest']);
    });

    it("survives unknown containers lists, security contexts and namespaces", () => {
        const workloads = [
            deployment(podSpec({ containers: UNKNOWN })),
            deployment(podSpec({ securityContext: UNKNOWN }), "b"),
            k8s("core/v1:ConfigMap", { metadata: { name: "c", namespace: UNKNOWN }, data: UNKNOWN }),
        ];
        expect(() => violationsOf("k8s-run-as-non-root", workloads)).not.toThrow();
        expect(notEvaluatedOf("k8s-no-default-namespace", workloads)).toHaveLength(1);
        expect(notEvaluatedOf("k8s-run-as-non-root", workloads)).toHaveLength(2);
    });
});

describe("AppArmor (Pod Security Standards, Baseline)", () => {
    const annotated = (annotations: Record<string, string>, securityContext?: Record<string, unknown>) =>
        k8s("core/v1:Pod", { metadata: { name: "aa", namespace: "shop", annotations }, spec: podSpec(securityContext ? { securityContext: { ...podSpec().securityContext, ...securityContext } } : {}) });
    const ANNOTATION = "container.apparmor.security.beta.kubernetes.io/app";

    it("accepts the legacy annotation values the standard allows: unset (empty), runtime/default, localhost/*", () => {
        for (const value of ["", "runtime/default", "localhost/k8s-apparmor-example"]) {
            expect(violationsOf("k8s-apparmor-profile", [annotated({ [ANNOTATION]: value })]), value).toEqual([]);
        }
    });

    it("denies the unconfined annotation, naming the annotation and its value", () => {
        expect(violationsOf("k8s-apparmor-profile", [annotated({ [ANNOTATION]: "unconfined" })])).toEqual([
            "Pod sets AppArmor annotation container.apparmor.security.beta.kubernetes.io/app: unconfined",
        ]);
    });

    it("ignores annotations outside the AppArmor prefix, whatever their value", () => {
        expect(violationsOf("k8s-apparmor-profile", [annotated({ "example.com/profile": "unconfined", team: "payments" })])).toEqual([]);
    });

    it("accepts the appArmorProfile types RuntimeDefault and Localhost on the pod", () => {
        expect(violationsOf("k8s-apparmor-profile", [annotated({}, { appArmorProfile: { type: "RuntimeDefault" } })])).toEqual([]);
        expect(violationsOf("k8s-apparmor-profile", [annotated({}, { appArmorProfile: { type: "Localhost", localhostProfile: "k8s-apparmor-example" } })])).toEqual([]);
    });

    it("denies a pod-level Unconfined profile and a profile without a type", () => {
        expect(violationsOf("k8s-apparmor-profile", [annotated({}, { appArmorProfile: { type: "Unconfined" } })])).toEqual([
            "Pod sets AppArmor profile Unconfined for the pod",
        ]);
        expect(violationsOf("k8s-apparmor-profile", [annotated({}, { appArmorProfile: {} })])).toEqual(["Pod sets AppArmor profile (no type) for the pod"]);
    });
});

describe("helm chart versions", () => {
    const release = (chart: string, version?: string) => resource("kubernetes:helm.sh/v3:Release", { chart, ...(version !== undefined ? { version } : {}) });
    const helmViolations = (...releases: ResourceUnderTest[]) => violationsOf("helm-chart-version-pinned", releases);

    it("needs no version for charts on a relative or absolute local path", () => {
        expect(helmViolations(release("../charts/app"), release("/opt/charts/app"), release("./charts/app"))).toEqual([]);
    });

    it("reports a missing or blank version as missing", () => {
        expect(helmViolations(release("cilium"))).toEqual(["chart cilium has no version"]);
        expect(helmViolations(release("cilium", "   "))).toEqual(["chart cilium has no version"]);
    });

    it("accepts exact versions: multi-digit parts, pre-release and build suffixes, surrounding blanks", () => {
        expect(helmViolations(release("a", "10.2.0"), release("b", "1.2.3-rc.1"), release("c", "v4.11.3+build.7"), release("d", "4.11.3 "))).toEqual([]);
    });

    it("reports wildcard and compound ranges", () => {
        expect(helmViolations(release("cilium", "1.x"))).toEqual(["chart cilium version 1.x is a range"]);
        expect(helmViolations(release("cilium", "1.16.3 || 1.17.0"))).toEqual(["chart cilium version 1.16.3 || 1.17.0 is a range"]);
    });
});

describe("image pinning edge cases", () => {
    it("reports a container with an empty or blank image", () => {
        for (const image of ["", "   "]) {
            expect(violationsOf("k8s-image-pinned", [deployment(podSpec({ containers: [container("app", { image })] }))]), JSON.stringify(image)).toEqual([
                'Deployment container "app" has no image',
            ]);
        }
    });

    it("reads an image without a registry as coming from docker.io", () => {
        const workload = deployment(podSpec({ containers: [container("app", { image: "nginx:1.27" })] }));
        expect(violationsOf("k8s-image-pinned", [workload], { "k8s-image-pinned": { allowedRegistries: ["docker.io"] } })).toEqual([]);
    });

    it("rejects registries that are not strings", () => {
        expect(() => violationsOf("k8s-image-pinned", [], { "k8s-image-pinned": { allowedRegistries: [42] } })).toThrow(/k8s-image-pinned.*allowedRegistries\.0 must be string/);
    });
});

describe("default namespace", () => {
    const configMap = (namespace: unknown) => k8s("core/v1:ConfigMap", { metadata: { name: "settings", namespace }, data: {} });

    it("reports an empty or null namespace as landing in default", () => {
        expect(violationsOf("k8s-no-default-namespace", [configMap("")])).toEqual(["ConfigMap has no namespace (it would land in default)"]);
        expect(violationsOf("k8s-no-default-namespace", [configMap(null)])).toEqual(["ConfigMap has no namespace (it would land in default)"]);
    });

    it("rejects clusterScopedKinds that is not a list of strings", () => {
        expect(() => violationsOf("k8s-no-default-namespace", [], { "k8s-no-default-namespace": { clusterScopedKinds: "Tenant" } })).toThrow(/k8s-no-default-namespace.*clusterScopedKinds must be array/);
        expect(() => violationsOf("k8s-no-default-namespace", [], { "k8s-no-default-namespace": { clusterScopedKinds: [42] } })).toThrow(/k8s-no-default-namespace.*clusterScopedKinds\.0 must be string/);
    });
});

describe("inline Secret data", () => {
    const secret = (fields: Record<string, unknown>) => k8s("core/v1:Secret", { metadata: { name: "db", namespace: "shop" }, ...fields });

    it("reports data and stringData separately, listing every key", () => {
        expect(violationsOf("k8s-no-inline-secret-data", [secret({ data: { username: "YWRtaW4=", password: "aHVudGVyMg==" } })])).toEqual([
            "Secret has inline data (username, password)",
        ]);
        expect(violationsOf("k8s-no-inline-secret-data", [secret({ stringData: { password: "hunter2" } })])).toEqual(["Secret has inline stringData (password)"]);
    });

    it("accepts a Secret whose data and stringData are empty", () => {
        expect(violationsOf("k8s-no-inline-secret-data", [secret({ data: {}, stringData: {} }), secret({ type: "kubernetes.io/service-account-token" })])).toEqual([]);
    });
});

describe("plain-text secret allow-list", () => {
    const withEnv = (name: string, value: string) => deployment(podSpec({ containers: [container("app", { env: [{ name, value }] })] }));

    it("allowedNames exempts matching names only", () => {
        const config = { "k8s-no-plaintext-secrets": { allowedNames: ["LOG_TOKEN_*"] } };
        expect(violationsOf("k8s-no-plaintext-secrets", [withEnv("LOG_TOKEN_HEADER", "X-Request-Token")])).toEqual([
            'Deployment container "app" sets env var LOG_TOKEN_HEADER to a literal value',
        ]);
        expect(violationsOf("k8s-no-plaintext-secrets", [withEnv("LOG_TOKEN_HEADER", "X-Request-Token")], config)).toEqual([]);
        expect(violationsOf("k8s-no-plaintext-secrets", [withEnv("DB_PASSWORD", "hunter2")], config)).toEqual([
            'Deployment container "app" sets env var DB_PASSWORD to a literal value',
        ]);
    });

    it("does not report a secret-named env var set to an empty value", () => {
        expect(violationsOf("k8s-no-plaintext-secrets", [withEnv("DB_PASSWORD", "")])).toEqual([]);
    });

    it("rejects allowedNames that are not strings", () => {
        expect(() => violationsOf("k8s-no-plaintext-secrets", [], { "k8s-no-plaintext-secrets": { allowedNames: [42] } })).toThrow(/k8s-no-plaintext-secrets.*allowedNames\.0 must be string/);
    });
});

describe("Pod Security controls at their boundary values", () => {
    const at = (policy: string, minor: number) => ({ [policy]: { podSecurityVersion: `v1.${minor}` } });
    const withPodContext = (securityContext: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        deployment(podSpec({ securityContext: { ...podSpec().securityContext, ...securityContext }, ...extra }));
    const withContainerContext = (securityContext: Record<string, unknown>) =>
        deployment(podSpec({ containers: [container("app", { securityContext: { ...container().securityContext, ...securityContext } })] }));

    it("restricted volume types: each allowed type passes, each inline disk is named with its volume", () => {
        const withVolumes = (volumes: object[]) => deployment(podSpec({ volumes }));
        const allowed = [
            { name: "a", configMap: { name: "settings" } }, { name: "b", csi: { driver: "secrets-store.csi.k8s.io" } },
            { name: "c", downwardAPI: { items: [] } }, { name: "d", emptyDir: {} }, { name: "e", ephemeral: { volumeClaimTemplate: { spec: {} } } },
            { name: "f", image: { reference: "registry.example.com/data:1" } }, { name: "g", persistentVolumeClaim: { claimName: "data" } },
            { name: "h", projected: { sources: [] } }, { name: "i", secret: { secretName: "tls" } },
        ];
        expect(violationsOf("k8s-restricted-volume-types", [withVolumes(allowed)])).toEqual([]);
        expect(violationsOf("k8s-restricted-volume-types", [withVolumes([{ name: "disk", azureDisk: { diskName: "d", diskURI: "uri" } }])])).toEqual([
            'Deployment mounts azureDisk volume "disk"',
        ]);
        expect(violationsOf("k8s-restricted-volume-types", [withVolumes([{ nfs: { server: "10.0.0.1", path: "/" } }])])).toEqual(['Deployment mounts nfs volume "?"']);
    });

    it("restricted volume types: a source written as null is unset, as the API server reads it", () => {
        expect(violationsOf("k8s-restricted-volume-types", [deployment(podSpec({ volumes: [{ name: "scratch", nfs: null, emptyDir: {} }] }))])).toEqual([]);
        expect(violationsOf("k8s-restricted-volume-types", [deployment(podSpec({ volumes: [{ name: "scratch", nfs: null }] }))])).toEqual([]);
    });

    it("restricted volume types: like admission, a volume naming an allowed source is accepted whatever else it names", () => {
        for (const source of ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"]) {
            const volume = { name: "mixed", [source]: {}, nfs: { server: "10.0.0.1", path: "/" } };
            expect(violationsOf("k8s-restricted-volume-types", [deployment(podSpec({ volumes: [volume] }))]), source).toEqual([]);
        }
    });

    it("restricted volume types: every inline disk source a volume names is listed, the last of the list included", () => {
        const withVolume = (volume: object) => deployment(podSpec({ volumes: [volume] }));
        expect(violationsOf("k8s-restricted-volume-types", [withVolume({ name: "photon", photonPersistentDisk: { pdID: "p1" } })])).toEqual([
            'Deployment mounts photonPersistentDisk volume "photon"',
        ]);
        expect(violationsOf("k8s-restricted-volume-types", [withVolume({ name: "legacy", nfs: { server: "10.0.0.1", path: "/" }, iscsi: { targetPortal: "10.0.0.2:3260" } })])).toEqual([
            'Deployment mounts nfs, iscsi volume "legacy"',
        ]);
    });

    it("safe sysctls: each version's additions are unsafe one version earlier, and every unsafe name is listed", () => {
        const sysctls = (...names: (string | undefined)[]) => withPodContext({ sysctls: names.map((name) => (name === undefined ? { value: "1" } : { name, value: "1" })) });
        const cases: [string, number][] = [["net.ipv4.ip_local_reserved_ports", 27], ["net.ipv4.tcp_keepalive_time", 29], ["net.ipv4.tcp_rmem", 32], ["net.ipv4.tcp_notsent_lowat", 37]];
        for (const [name, since] of cases) {
            expect(violationsOf("k8s-safe-sysctls", [sysctls(name)], at("k8s-safe-sysctls", since - 1)), name).toEqual([`Deployment sets unsafe sysctls ${name}`]);
            expect(violationsOf("k8s-safe-sysctls", [sysctls(name)], at("k8s-safe-sysctls", since)), name).toEqual([]);
        }
        expect(violationsOf("k8s-safe-sysctls", [sysctls("kernel.shm_rmid_forced", "net.ipv4.ip_unprivileged_port_start")], at("k8s-safe-sysctls", 0))).toEqual([]);
        expect(violationsOf("k8s-safe-sysctls", [sysctls("kernel.msgmax", undefined, "net.ipv4.tcp_syncookies")])).toEqual(["Deployment sets unsafe sysctls kernel.msgmax, (no name)"]);
    });

    it("seccomp: before v1.19 the annotations decide, runtime/default, docker/default and localhost/ pass", () => {
        const annotated = (value: string) => {
            const d = deployment();
            d.props.spec.template.metadata.annotations = { "seccomp.security.alpha.kubernetes.io/pod": value };
            return d;
        };
        for (const value of ["runtime/default", "docker/default", "localhost/profile.json"]) {
            expect(violationsOf("k8s-seccomp-profile", [annotated(value)], at("k8s-seccomp-profile", 18)), value).toEqual([]);
        }
        expect(violationsOf("k8s-seccomp-profile", [annotated("unconfined")], at("k8s-seccomp-profile", 18))).toEqual([
            "Deployment sets annotation seccomp.security.alpha.kubernetes.io/pod: unconfined",
        ]);
    });

    it("seccomp: a pod-level profile other than RuntimeDefault or Localhost is reported for the pod, unless the pod is Windows", () => {
        expect(violationsOf("k8s-seccomp-profile", [withPodContext({ seccompProfile: { type: "Localhost", localhostProfile: "p.json" } })])).toEqual([]);
        expect(violationsOf("k8s-seccomp-profile", [withPodContext({ seccompProfile: { type: "Unconfined" } })])).toEqual(["Deployment sets seccomp profile Unconfined for the pod"]);
        expect(violationsOf("k8s-seccomp-profile", [withPodContext({ seccompProfile: {} })])).toEqual(["Deployment sets seccomp profile (no type) for the pod"]);
        expect(violationsOf("k8s-seccomp-profile", [withContainerContext({ seccompProfile: {} })])).toEqual(['Deployment container "app" uses seccomp profile (no type)']);
        expect(violationsOf("k8s-seccomp-profile", [withPodContext({ seccompProfile: { type: "Unconfined" } }, { os: { name: "windows" } })])).toEqual([]);
    });

    it("SELinux: container_engine_t is allowed from v1.31, the other types always, and each problem is named", () => {
        for (const type of ["container_t", "container_init_t", "container_kvm_t"]) {
            expect(violationsOf("k8s-selinux-options", [withPodContext({ seLinuxOptions: { type } })], at("k8s-selinux-options", 30)), type).toEqual([]);
        }
        const engine = withPodContext({ seLinuxOptions: { type: "container_engine_t" } });
        expect(violationsOf("k8s-selinux-options", [engine], at("k8s-selinux-options", 30))).toEqual(["Deployment sets SELinux options type container_engine_t for the pod"]);
        expect(violationsOf("k8s-selinux-options", [engine], at("k8s-selinux-options", 31))).toEqual([]);
        expect(violationsOf("k8s-selinux-options", [engine], at("k8s-selinux-options", 32))).toEqual([]);
        expect(violationsOf("k8s-selinux-options", [withPodContext({ seLinuxOptions: { type: "spc_t", user: "system_u", role: "system_r" } })])).toEqual([
            "Deployment sets SELinux options type spc_t, a custom user, a custom role for the pod",
        ]);
        expect(violationsOf("k8s-selinux-options", [withContainerContext({ seLinuxOptions: { user: "system_u" } })])).toEqual(['Deployment container "app" sets SELinux options a custom user']);
        expect(violationsOf("k8s-selinux-options", [withContainerContext({ seLinuxOptions: { role: "system_r", level: "s0:c1,c2" } })])).toEqual(['Deployment container "app" sets SELinux options a custom role']);
    });
});
