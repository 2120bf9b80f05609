/**
 * Pure checks over `kubectl get -o json` output: node readiness per node group role, pod
 * readiness per namespace, Velero Backup/Restore phases, and the Velero custom resources the
 * test applies. No I/O here: the integration test feeds these from kubectl, the unit tests from
 * recorded fixtures under test/fixtures/kubectl/.
 */
import { PLATFORM_NAMESPACES } from "../../config/namespaces";
import { NODE_ROLE_LABEL } from "../../components/shared/scheduling";

export { NODE_ROLE_LABEL };

/** Namespaces whose pods must all be Ready after `pulumi up`. */
export const ADDON_NAMESPACES = [
    PLATFORM_NAMESPACES.karpenter,
    PLATFORM_NAMESPACES.externalSecrets,
    PLATFORM_NAMESPACES.velero,
    PLATFORM_NAMESPACES.trivy,
    PLATFORM_NAMESPACES.monitoring,
] as const;

export const VELERO_NAMESPACE = PLATFORM_NAMESPACES.velero;

export interface Readiness {
    ok: boolean;
    total: number;
    ready: number;
    /** `name: reason` for everything that is not ready, or why the check failed as a whole. */
    problems: string[];
}

interface Condition {
    type?: string;
    status?: string;
    reason?: string;
    message?: string;
}
interface ObjectMeta {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind?: string; name?: string }[];
    deletionTimestamp?: string;
}
interface Node {
    metadata?: ObjectMeta;
    spec?: { unschedulable?: boolean };
    status?: { conditions?: Condition[] };
}
interface ContainerState {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; exitCode?: number };
    running?: { startedAt?: string };
}
interface ContainerStatus {
    name?: string;
    ready?: boolean;
    restartCount?: number;
    state?: ContainerState;
}
interface Pod {
    metadata?: ObjectMeta;
    status?: { phase?: string; conditions?: Condition[]; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

function itemsOf<T>(json: unknown, kind: string): T[] {
    const list = json as { kind?: string; items?: unknown };
    if (list === null || typeof list !== "object" || !Array.isArray(list.items)) {
        throw new Error(`expected a ${kind} (kubectl get -o json), got ${json === null ? "null" : typeof json}${list?.kind ? ` of kind ${list.kind}` : ""}`);
    }
    if (list.kind !== undefined && list.kind !== kind && list.kind !== "List") throw new Error(`expected a ${kind}, got ${list.kind}`);
    return list.items as T[];
}

function condition(conditions: Condition[] | undefined, type: string): Condition | undefined {
    return conditions?.find((c) => c.type === type);
}

/**
 * Nodes of one node group role (label `platform.eks.aws/node-role`) are Ready: at least
 * `minCount` of them, every one with condition Ready=True and schedulable. Nodes Karpenter
 * launched carry no role label and are not counted here.
 */
export function nodesReady(nodeList: unknown, role: "system" | "application", minCount = 1): Readiness {
    const nodes = itemsOf<Node>(nodeList, "NodeList").filter((n) => n.metadata?.labels?.[NODE_ROLE_LABEL] === role);
    const problems: string[] = [];
    let ready = 0;
    for (const node of nodes) {
        const name = node.metadata?.name ?? "(unnamed)";
        const cond = condition(node.status?.conditions, "Ready");
        if (cond?.status !== "True") problems.push(`${name}: Ready=${cond?.status ?? "missing"}${cond?.reason ? ` (${cond.reason})` : ""}`);
        else if (node.spec?.unschedulable === true) problems.push(`${name}: cordoned (unschedulable)`);
        else ready++;
    }
    if (nodes.length < minCount) problems.unshift(`expected at least ${minCount} node(s) labelled ${NODE_ROLE_LABEL}=${role}, found ${nodes.length}`);
    return { ok: problems.length === 0, total: nodes.length, ready, problems };
}

function notReadyReason(pod: Pod): string {
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const s of statuses) {
        const waiting = s.state?.waiting?.reason;
        if (waiting !== undefined) return `${s.name}: ${waiting}${s.restartCount ? ` (${s.restartCount} restarts)` : ""}`;
    }
    for (const s of pod.status?.containerStatuses ?? []) {
        if (s.ready !== true) return `${s.name}: not ready`;
    }
    const cond = condition(pod.status?.conditions, "Ready");
    return `phase ${pod.status?.phase ?? "unknown"}, Ready=${cond?.status ?? "missing"}${cond?.reason ? ` (${cond.reason})` : ""}`;
}

/**
 * Every long-running pod in the list is Running and Ready (condition Ready=True, every
 * container ready). Pods owned by a Job (Trivy scan jobs, Helm hooks) are transient and not
 * judged; pods being deleted are ignored. A namespace with no judged pod is not ready.
 */
export function podsReady(podList: unknown, minPods = 1): Readiness {
    const pods = itemsOf<Pod>(podList, "PodList").filter(
        (p) => p.metadata?.deletionTimestamp === undefined && !(p.metadata?.ownerReferences ?? []).some((o) => o.kind === "Job"),
    );
    const problems: string[] = [];
    let ready = 0;
    for (const pod of pods) {
        const name = `${pod.metadata?.namespace ? `${pod.metadata.namespace}/` : ""}${pod.metadata?.name ?? "(unnamed)"}`;
        const isReady =
            pod.status?.phase === "Running" &&
            condition(pod.status.conditions, "Ready")?.status === "True" &&
            (pod.status.containerStatuses ?? []).length > 0 &&
            (pod.status.containerStatuses ?? []).every((s) => s.ready === true);
        if (isReady) ready++;
        else problems.push(`${name}: ${notReadyReason(pod)}`);
    }
    if (pods.length < minPods) problems.unshift(`expected at least ${minPods} running pod(s), found ${pods.length}`);
    return { ok: problems.length === 0, total: pods.length, ready, problems };
}

// --- Velero ---------------------------------------------------------------------------------

const IN_PROGRESS = new Set([
    "",
    "New",
    "InProgress",
    "WaitingForPluginOperations",
    "WaitingForPluginOperationsPartiallyFailed",
    "Finalizing",
    "FinalizingPartiallyFailed",
]);

export interface PhaseCheck {
    /** The object reached a terminal phase: stop waiting. */
    done: boolean;
    /** Terminal and Completed. */
    ok: boolean;
    phase: string;
    detail: string;
}

/** A Velero Backup or Restore (`kubectl get backup|restore <name> -o json`) judged by its phase. */
export function veleroPhase(json: unknown, kind: "Backup" | "Restore"): PhaseCheck {
    const obj = json as { kind?: string; metadata?: ObjectMeta; status?: Record<string, unknown> };
    if (obj === null || typeof obj !== "object" || obj.kind !== kind) {
        throw new Error(`expected a Velero ${kind}, got ${obj && typeof obj === "object" ? (obj.kind ?? "an object without kind") : typeof obj}`);
    }
    const status = obj.status ?? {};
    const phase = typeof status.phase === "string" ? status.phase : "";
    const counts = ["errors", "warnings"].filter((k) => typeof status[k] === "number" && (status[k] as number) > 0).map((k) => `${k}=${status[k]}`);
    const reasons = Array.isArray(status.validationErrors) ? (status.validationErrors as string[]) : [];
    const failure = typeof status.failureReason === "string" ? [status.failureReason] : [];
    const detail = [`${kind} ${obj.metadata?.name ?? "?"}: phase ${phase || "(none yet)"}`, ...counts, ...reasons, ...failure].join("; ");
    if (IN_PROGRESS.has(phase)) return { done: false, ok: false, phase, detail };
    return { done: true, ok: phase === "Completed", phase, detail };
}

export function backupManifest(name: string, namespace: string): Record<string, unknown> {
    return {
        apiVersion: "velero.io/v1",
        kind: "Backup",
        metadata: { name, namespace: VELERO_NAMESPACE, labels: { "platform.eks.aws/integration-test": "true" } },
        spec: {
            includedNamespaces: [namespace],
            storageLocation: "default",
            snapshotVolumes: false,
            ttl: "1h0m0s",
        },
    };
}

export function restoreManifest(name: string, backupName: string, namespace: string): Record<string, unknown> {
    return {
        apiVersion: "velero.io/v1",
        kind: "Restore",
        metadata: { name, namespace: VELERO_NAMESPACE, labels: { "platform.eks.aws/integration-test": "true" } },
        spec: { backupName, includedNamespaces: [namespace], restorePVs: false },
    };
}

/** The ConfigMap came back with exactly the data it was backed up with. */
export function configMapMatches(json: unknown, expected: Record<string, string>): { ok: boolean; detail: string } {
    const cm = json as { kind?: string; metadata?: ObjectMeta; data?: Record<string, string> };
    if (cm === null || typeof cm !== "object" || cm.kind !== "ConfigMap") return { ok: false, detail: "not a ConfigMap" };
    const data = cm.data ?? {};
    const wrong = Object.entries(expected).filter(([k, v]) => data[k] !== v).map(([k]) => k);
    return wrong.length === 0
        ? { ok: true, detail: `${cm.metadata?.namespace}/${cm.metadata?.name} restored with ${Object.keys(expected).length} key(s)` }
        : { ok: false, detail: `keys differ after restore: ${wrong.join(", ")}` };
}

// --- cleanup ---------------------------------------------------------------------------------

/**
 * `aws s3api list-object-versions --output json` -> the `--delete` payloads of
 * `aws s3api delete-objects` (at most 1000 keys each) that empty a versioned bucket, so the
 * destroy can delete it (the Velero bucket is never force-destroyed by the program).
 */
export function deleteObjectsPayloads(listObjectVersions: unknown): { Objects: { Key: string; VersionId: string }[]; Quiet: true }[] {
    const out = (listObjectVersions ?? {}) as { Versions?: { Key: string; VersionId: string }[]; DeleteMarkers?: { Key: string; VersionId: string }[] };
    const all = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].map(({ Key, VersionId }) => ({ Key, VersionId }));
    const payloads = [];
    for (let i = 0; i < all.length; i += 1000) payloads.push({ Objects: all.slice(i, i + 1000), Quiet: true as const });
    return payloads;
}

/** The Velero backup bucket's name in a `pulumi stack export` deployment (resources of the Velero component). */
export function veleroBucketNames(deployment: unknown): string[] {
    const resources = ((deployment as { resources?: unknown[] })?.resources ?? []) as { type?: string; urn?: string; outputs?: { bucket?: string; id?: string } }[];
    return resources
        .filter((r) => (r.type === "aws:s3/bucket:Bucket" || r.type === "aws:s3/bucketV2:BucketV2") && /Velero/.test(r.urn ?? ""))
        .map((r) => r.outputs?.bucket ?? r.outputs?.id)
        .filter((b): b is string => typeof b === "string" && b !== "");
}
