// Exemptions are configuration, never code edits: every policy accepts the same four knobs.
// A resource is exempt when its namespace, its name (Kubernetes `metadata.name` or the Pulumi
// resource name) or one of its labels (AWS: tags) matches. Names and namespaces accept `*`.
// `exemptObjects` is the precise one: exact kind, namespace and name of Kubernetes objects, each
// with the reason it is a decision and not a way out.
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { asRecord, asString, globMatches, stringMap } from "./values";
import { isKubernetesType, namespaceOf, parseKubernetesType } from "./kubernetes";

/** One Kubernetes object, named exactly (no wildcards); no namespace = a cluster-scoped object. */
export interface ExemptObject {
    kind: string;
    namespace?: string;
    name: string;
    reason: string;
}

export interface ExemptionConfig {
    exemptNamespaces?: string[];
    exemptNames?: string[];
    exemptLabels?: Record<string, string>;
    exemptObjects?: ExemptObject[];
}

export const exemptionSchema: Record<string, PolicyConfigJSONSchema> = {
    exemptNamespaces: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Kubernetes namespaces this policy ignores (`*` wildcards allowed).",
    },
    exemptNames: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Resource names this policy ignores: Kubernetes metadata.name or Pulumi resource name (`*` allowed).",
    },
    exemptLabels: {
        type: "object",
        additionalProperties: { type: "string" },
        default: {},
        description: "Label (Kubernetes) or tag (AWS) key/value pairs; a resource carrying any of them is ignored.",
    },
    exemptObjects: {
        type: "array",
        default: [],
        description:
            "Kubernetes objects this policy ignores, each named exactly: kind, namespace (omitted for cluster-scoped objects), name, and the reason.",
        items: {
            type: "object",
            required: ["kind", "name", "reason"],
            additionalProperties: false,
            properties: {
                kind: { type: "string", minLength: 1 },
                namespace: { type: "string", minLength: 1 },
                name: { type: "string", minLength: 1 },
                reason: { type: "string", minLength: 1, description: "Why the object needs the exemption (it is shown in docs/policies.md)." },
            },
        },
    },
};

export interface ExemptionSubject {
    type: string;
    name: string;
    props: Record<string, unknown>;
}

/** May throw UnknownValueError when the namespace, name or labels are not known yet. */
export function isExempt(subject: ExemptionSubject, config: ExemptionConfig): boolean {
    const namespaces = config.exemptNamespaces ?? [];
    const names = config.exemptNames ?? [];
    const labels = Object.entries(config.exemptLabels ?? {});
    const objects = config.exemptObjects ?? [];
    // Each knob reads only the fields it names, and only when configured: an unknown namespace
    // or label must not stop a policy that exempts by name (or exempts nothing).
    if (objects.some((object) => isObject(subject, object))) return true;
    if (namespaces.length > 0) {
        const namespace = exemptionNamespace(subject);
        if (namespace !== undefined && namespaces.some((pattern) => globMatches(pattern, namespace))) return true;
    }
    if (names.length > 0) {
        const candidates = [subject.name, asString(asRecord(subject.props.metadata)?.name)];
        for (const candidate of candidates) {
            if (candidate !== undefined && names.some((pattern) => globMatches(pattern, candidate))) return true;
        }
    }
    if (labels.length > 0) {
        const carried = labelsOf(subject);
        if (labels.some(([key, value]) => carried[key] === value)) return true;
    }
    return false;
}

function isObject(subject: ExemptionSubject, object: ExemptObject): boolean {
    const kind = parseKubernetesType(subject.type)?.kind;
    if (kind !== object.kind) return false;
    const metadata = asRecord(subject.props.metadata);
    if (asString(metadata?.name) !== object.name) return false;
    const namespace = asString(metadata?.namespace);
    return object.namespace === undefined ? namespace === undefined || namespace === "" : namespace === object.namespace;
}

function exemptionNamespace(subject: ExemptionSubject): string | undefined {
    // A Namespace object is "in" itself, so exempting kube-system also exempts its Namespace.
    if (subject.type === "kubernetes:core/v1:Namespace") return asString(asRecord(subject.props.metadata)?.name);
    if (subject.type.startsWith("kubernetes:helm.sh/")) return asString(subject.props.namespace);
    return namespaceOf(subject.props);
}

function labelsOf(subject: ExemptionSubject): Record<string, string> {
    if (isKubernetesType(subject.type)) return stringMap(asRecord(subject.props.metadata)?.labels);
    return stringMap(subject.props.tags);
}
