// Kubernetes extractors, written once so no policy forgets init containers, ephemeral
// containers or CronJob templates.
import { asArray, asRecord, asString, Props, stringMap } from "./values";
import { strict, UnknownTolerance } from "./unknowns";

export interface KubernetesType {
    group: string;
    version: string;
    kind: string;
}

// `kubernetes:helm.sh/v3:Release`, `kubernetes:yaml/v2:ConfigGroup`... are Pulumi constructs, not
// API objects, even though their tokens look alike.
const PSEUDO_GROUPS = new Set(["helm.sh", "yaml", "kustomize"]);

const typeCache = new Map<string, KubernetesType | undefined>();

/** `kubernetes:apps/v1:Deployment` → {group: "apps", version: "v1", kind: "Deployment"}; Patch/List variants excluded. */
export function parseKubernetesType(type: string): KubernetesType | undefined {
    if (typeCache.has(type)) return typeCache.get(type);
    const match = /^kubernetes:([^/:]+)\/([^:]+):([A-Za-z0-9]+)$/.exec(type);
    let parsed: KubernetesType | undefined;
    if (match && !PSEUDO_GROUPS.has(match[1]) && !/(Patch|List)$/.test(match[3])) {
        parsed = { group: match[1], version: match[2], kind: match[3] };
    }
    typeCache.set(type, parsed);
    return parsed;
}

export function isKubernetesType(type: string): boolean {
    return parseKubernetesType(type) !== undefined;
}

export function isKind(type: string, kind: string): boolean {
    return parseKubernetesType(type)?.kind === kind;
}

/** The Pulumi type token for an object as written in a manifest (core group is `core`). */
export function pulumiTypeOf(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["core", apiVersion];
    return `kubernetes:${group}/${version}:${kind}`;
}

export function metadataOf(props: Props): Props {
    return asRecord(props.metadata) ?? {};
}

export function namespaceOf(props: Props): string | undefined {
    return asString(metadataOf(props).namespace);
}

export function labelsOf(props: Props): Record<string, string> {
    return stringMap(metadataOf(props).labels);
}

export function annotationsOf(props: Props): Record<string, string> {
    return stringMap(metadataOf(props).annotations);
}

// Where each pod-bearing kind keeps its pod template.
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
    Pod: ["spec"],
    Deployment: ["spec", "template", "spec"],
    StatefulSet: ["spec", "template", "spec"],
    DaemonSet: ["spec", "template", "spec"],
    ReplicaSet: ["spec", "template", "spec"],
    ReplicationController: ["spec", "template", "spec"],
    Job: ["spec", "template", "spec"],
    PodTemplate: ["template", "spec"],
    CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

export const POD_BEARING_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);

export function isPodBearing(type: string): boolean {
    const kind = parseKubernetesType(type)?.kind;
    return kind !== undefined && kind in POD_SPEC_PATHS;
}

/** The pod spec of any pod-bearing object, or undefined (reading it may throw on unknowns). */
export function podSpecOf(type: string, props: Props): Props | undefined {
    const kind = parseKubernetesType(type)?.kind;
    const specPath = kind === undefined ? undefined : POD_SPEC_PATHS[kind];
    if (!specPath) return undefined;
    let current: unknown = props;
    for (const key of specPath) {
        current = asRecord(current)?.[key];
    }
    return asRecord(current);
}

/** Labels the pods will carry (what a PDB or NetworkPolicy selects on). */
export function podTemplateLabelsOf(type: string, props: Props): Record<string, string> {
    const kind = parseKubernetesType(type)?.kind;
    if (kind === "Pod") return labelsOf(props);
    const template =
        kind === "CronJob"
            ? asRecord(asRecord(asRecord(asRecord(props.spec)?.jobTemplate)?.spec)?.template)
            : asRecord(asRecord(props.spec)?.template);
    return stringMap(asRecord(template?.metadata)?.labels);
}

export type ContainerList = "containers" | "initContainers" | "ephemeralContainers";
export const ALL_CONTAINER_LISTS: readonly ContainerList[] = ["containers", "initContainers", "ephemeralContainers"];
/** Ephemeral containers cannot declare resources or ports, so resource checks skip them. */
export const RUNNING_CONTAINER_LISTS: readonly ContainerList[] = ["containers", "initContainers"];

export interface ContainerSite {
    list: ContainerList;
    name: string;
    container: Props;
    podSpec: Props;
}

const LIST_LABEL: Record<ContainerList, string> = {
    containers: "container",
    initContainers: "init container",
    ephemeralContainers: "ephemeral container",
};

export function describeContainer(site: ContainerSite): string {
    return `${LIST_LABEL[site.list]} "${site.name}"`;
}

/** Every container of a pod spec; an unknown entry is skipped through `tolerance`. */
export function containersOfPodSpec(
    podSpec: Props,
    lists: readonly ContainerList[] = ALL_CONTAINER_LISTS,
    tolerance: UnknownTolerance = strict,
): ContainerSite[] {
    const sites: ContainerSite[] = [];
    for (const list of lists) {
        const entries = tolerance.tolerate(() => asArray(podSpec[list])) ?? [];
        for (let i = 0; i < entries.length; i++) {
            const site = tolerance.tolerate(() => {
                const container = asRecord(entries[i]);
                if (!container) return undefined;
                return { list, name: asString(container.name) ?? `#${i}`, container, podSpec };
            });
            if (site) sites.push(site);
        }
    }
    return sites;
}

export function containersOf(
    type: string,
    props: Props,
    lists: readonly ContainerList[] = ALL_CONTAINER_LISTS,
    tolerance: UnknownTolerance = strict,
): ContainerSite[] {
    const podSpec = tolerance.tolerate(() => podSpecOf(type, props));
    return podSpec ? containersOfPodSpec(podSpec, lists, tolerance) : [];
}

export interface EffectiveSecurityContext {
    // Container-only fields: a value written at pod level is not a Kubernetes field and is ignored.
    privileged: unknown;
    allowPrivilegeEscalation: unknown;
    readOnlyRootFilesystem: unknown;
    capabilities: Props | undefined;
    // Fields the container inherits from the pod unless it sets its own.
    runAsNonRoot: unknown;
    runAsUser: unknown;
    seccompProfileType: unknown;
}

function inherited(container: Props | undefined, pod: Props | undefined, key: string): unknown {
    const own = container?.[key];
    return own !== undefined && own !== null ? own : pod?.[key];
}

export function effectiveSecurityContext(site: ContainerSite): EffectiveSecurityContext {
    const container = asRecord(site.container.securityContext);
    const pod = asRecord(site.podSpec.securityContext);
    const seccomp = asRecord(inherited(container, pod, "seccompProfile"));
    return {
        privileged: container?.privileged,
        allowPrivilegeEscalation: container?.allowPrivilegeEscalation,
        readOnlyRootFilesystem: container?.readOnlyRootFilesystem,
        capabilities: asRecord(container?.capabilities),
        runAsNonRoot: inherited(container, pod, "runAsNonRoot"),
        runAsUser: inherited(container, pod, "runAsUser"),
        seccompProfileType: seccomp?.type,
    };
}

// Kinds that live outside namespaces. Custom kinds named `Cluster*` (ClusterIssuer,
// ClusterSecretStore...) follow the same convention, so the prefix counts too.
const CLUSTER_SCOPED_KINDS = new Set([
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass",
    "CustomResourceDefinition", "PriorityClass", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "APIService", "CSIDriver", "CSINode",
    "RuntimeClass", "IngressClass", "VolumeAttachment", "ComponentStatus", "CertificateSigningRequest",
    "FlowSchema", "PriorityLevelConfiguration", "VolumeSnapshotClass", "VolumeSnapshotContent",
    "NodePool", "NodeClaim", "EC2NodeClass", "GatewayClass", "IPAddress", "ServiceCIDR",
    "DeviceClass", "ResourceSlice",
]);

export function isClusterScoped(kind: string, extraKinds: readonly string[] = []): boolean {
    return CLUSTER_SCOPED_KINDS.has(kind) || kind.startsWith("Cluster") || extraKinds.includes(kind);
}

/**
 * The object as the cluster stores it when applied to `namespace` (`kubectl apply -n`, `helm
 * install --namespace`): a namespaced object that names no namespace lands there, a
 * cluster-scoped one has none. `clusterScoped` decides for kinds the built-in list cannot know.
 */
export function placedInNamespace(props: Props, namespace: string, clusterScoped: (kind: string) => boolean = (kind) => isClusterScoped(kind)): Props {
    const kind = asString(props.kind) ?? "";
    const metadata = metadataOf(props);
    const given = asString(metadata.namespace);
    if (clusterScoped(kind) || (given !== undefined && given !== "")) return props;
    return { ...props, metadata: { ...metadata, namespace } };
}

export interface LabelSelector {
    matchLabels?: unknown;
    matchExpressions?: unknown;
}

/** Kubernetes label-selector semantics; an empty selector selects everything. */
export function selectorMatches(selector: Props | undefined, labels: Record<string, string>): boolean {
    if (!selector) return false;
    for (const [key, value] of Object.entries(stringMap(selector.matchLabels))) {
        if (labels[key] !== value) return false;
    }
    for (const raw of asArray(selector.matchExpressions)) {
        const expression = asRecord(raw);
        if (!expression) continue;
        const key = asString(expression.key) ?? "";
        const values = asArray(expression.values).filter((v): v is string => typeof v === "string");
        const has = Object.prototype.hasOwnProperty.call(labels, key);
        switch (expression.operator) {
            case "In":
                if (!has || !values.includes(labels[key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

export function isEmptySelector(selector: Props | undefined): boolean {
    if (!selector) return false;
    return Object.keys(stringMap(selector.matchLabels)).length === 0 && asArray(selector.matchExpressions).length === 0;
}
