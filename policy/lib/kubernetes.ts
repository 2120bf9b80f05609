// Kubernetes extractors, written once so no policy forgets init containers, ephemeral
// containers or CronJob templates.
import { Fields, MalformedValue } from "./fields";
import { asArray, asRecord, asString, Props, stringMap } from "./values";
import { isUnknownValueError, strict, UnknownTolerance } from "./unknowns";

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

/**
 * `kind`, or Pulumi's `<kind>Patch` of it: a Patch is a server-side apply onto the existing object,
 * which then holds the fields the Patch sets (the rules of a RolePatch, the subjects of a
 * RoleBindingPatch, bound to the role its binding names).
 */
export function isKindOrPatch(type: string, kind: string): boolean {
    return isKind(type.endsWith("Patch") ? type.slice(0, -"Patch".length) : type, kind);
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

// Where each pod-bearing kind keeps its pod template (the pod's metadata sits beside its spec).
const POD_TEMPLATE_PATHS: Record<string, readonly string[]> = {
    Pod: [],
    Deployment: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    ReplicationController: ["spec", "template"],
    Job: ["spec", "template"],
    PodTemplate: ["template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
};

export const POD_BEARING_KINDS: readonly string[] = Object.keys(POD_TEMPLATE_PATHS);

export function isPodBearing(type: string): boolean {
    const kind = parseKubernetesType(type)?.kind;
    return kind !== undefined && kind in POD_TEMPLATE_PATHS;
}

/** The pod an object runs: its metadata (annotations, labels) and its spec, with their paths. */
export interface PodTemplate {
    kind: string;
    metadata: Fields;
    spec: Fields;
}

/**
 * The pod template of any pod-bearing object, or undefined for other kinds. A template that is
 * missing or of the wrong shape throws MalformedValue (reading an unknown value throws too).
 * Read once per props object: every pod policy asks for the same template.
 */
export function podTemplateOf(type: string, props: Props): PodTemplate | undefined {
    const kind = parseKubernetesType(type)?.kind;
    const templatePath = kind === undefined ? undefined : POD_TEMPLATE_PATHS[kind];
    if (kind === undefined || !templatePath) return undefined;
    let cached = lastTemplate.props === props ? lastTemplate.read : undefined;
    if (!cached) {
        try {
            let template = new Fields(props, "");
            for (const key of templatePath) template = template.requiredObject(key);
            cached = { template: { kind, metadata: template.object("metadata") ?? new Fields({}, template.at("metadata")), spec: template.requiredObject("spec") } };
        } catch (error) {
            cached = { error };
        }
        lastTemplate = { props, read: cached };
    }
    if (cached.error !== undefined) throw cached.error;
    return cached.template;
}

// Only the last object is remembered: engines run every policy over one resource before the
// next, and a longer-lived cache (a WeakMap) would keep every document alive until a full GC.
let lastTemplate: { props?: object; read?: { template?: PodTemplate; error?: unknown } } = {};

/** The pod spec of any pod-bearing object, or undefined for other kinds (strict, as podTemplateOf). */
export function podSpecOf(type: string, props: Props): Props | undefined {
    return podTemplateOf(type, props)?.spec.raw;
}

/** Labels the pods of a replicated workload (its `spec.template`) will carry: what a PDB selects on. */
export function podTemplateLabelsOf(props: Props): Record<string, string> {
    return stringMap(asRecord(asRecord(asRecord(props.spec)?.template)?.metadata)?.labels);
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
    /** The container, read strictly, with its path (`spec.template.spec.containers[0]`). */
    fields: Fields;
    /** The pod spec it belongs to. */
    pod: Fields;
}

const LIST_LABEL: Record<ContainerList, string> = {
    containers: "container",
    initContainers: "init container",
    ephemeralContainers: "ephemeral container",
};

export function describeContainer(site: ContainerSite): string {
    return `${LIST_LABEL[site.list]} "${site.name}"`;
}

/**
 * Every container of a pod spec. A list or entry of the wrong shape throws MalformedValue, and
 * a pod without a `containers` list cannot be checked; an unknown entry is skipped through
 * `tolerance`. The pod spec comes with its path (podTemplateOf's `spec`).
 */
export function containersOfPodSpec(
    pod: Fields,
    lists: readonly ContainerList[] = ALL_CONTAINER_LISTS,
    tolerance: UnknownTolerance = strict,
): ContainerSite[] {
    // Read once per pod and list selection; what was skipped or thrown is replayed to each caller.
    const key = lists.join(",");
    if (lastContainers.pod !== pod) lastContainers = { pod, reads: new Map() };
    const perPod = lastContainers.reads;
    let read = perPod.get(key);
    if (!read) {
        const recorder = new RecordingTolerance();
        try {
            read = { sites: readContainers(pod, lists, recorder), skipped: recorder.skipped };
        } catch (error) {
            read = { sites: [], skipped: recorder.skipped, error };
        }
        perPod.set(key, read);
    }
    for (const unknown of read.skipped) {
        tolerance.tolerate(() => {
            throw unknown;
        });
    }
    if (read.error !== undefined) throw read.error;
    return read.sites;
}

let lastContainers: { pod?: Fields; reads: Map<string, { sites: ContainerSite[]; skipped: unknown[]; error?: unknown }> } = { reads: new Map() };

class RecordingTolerance implements UnknownTolerance {
    readonly skipped: unknown[] = [];

    tolerate<T>(read: () => T): T | undefined {
        try {
            return read();
        } catch (error) {
            if (!isUnknownValueError(error)) throw error;
            this.skipped.push(error);
            return undefined;
        }
    }
}

function readContainers(pod: Fields, lists: readonly ContainerList[], tolerance: UnknownTolerance): ContainerSite[] {
    const sites: ContainerSite[] = [];
    for (const list of lists) {
        const entries = tolerance.tolerate(() => {
            const value = pod.list(list);
            if (list === "containers" && value.length === 0) throw new MalformedValue(pod.at(list), pod.get(list), "a list of at least one container");
            return value;
        }) ?? [];
        for (let i = 0; i < entries.length; i++) {
            const site = tolerance.tolerate(() => {
                const fields = Fields.required(entries[i], `${pod.at(list)}[${i}]`);
                const name = fields.string("name") ?? `#${i}`;
                return { list, name, container: fields.raw, podSpec: pod.raw, fields, pod };
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
    const template = tolerance.tolerate(() => podTemplateOf(type, props));
    return template ? containersOfPodSpec(template.spec, lists, tolerance) : [];
}

/**
 * What a container policy reads of a container's security context. Only container-level fields a
 * pod cannot set (a readOnlyRootFilesystem written at pod level is not a Kubernetes field); the Pod
 * Security policies read the rest, with the pod-level inheritance, through podSecurity.ts.
 */
export interface EffectiveSecurityContext {
    readOnlyRootFilesystem: boolean | undefined;
}

/** The container's own security context, read strictly (a wrong type throws MalformedValue). */
export function effectiveSecurityContext(site: ContainerSite): EffectiveSecurityContext {
    return { readOnlyRootFilesystem: site.fields.object("securityContext")?.boolean("readOnlyRootFilesystem") };
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
    "DeviceClass", "ResourceSlice", "IngressClassParams",
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
        // A label value is a string: an entry of another type never equals one.
        const values = asArray(expression.values);
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
