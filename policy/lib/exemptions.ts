// Exemptions are configuration, never code edits: every policy accepts the same three knobs.
// A resource is exempt when its namespace, its name (Kubernetes `metadata.name` or the Pulumi
// resource name) or one of its labels (AWS: tags) matches. Names and namespaces accept `*`.
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { asRecord, asString, globMatches, stringMap } from "./values";
import { isKubernetesType, namespaceOf } from "./kubernetes";

export interface ExemptionConfig {
    exemptNamespaces?: string[];
    exemptNames?: string[];
    exemptLabels?: Record<string, string>;
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
    if (namespaces.length === 0 && names.length === 0 && labels.length === 0) return false;

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
