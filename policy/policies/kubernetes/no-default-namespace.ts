// Objects in `default` (or with no namespace, which lands there) escape the per-namespace
// quotas, network policies and Pod Security labels the platform sets up.
import { cisEks } from "../../lib/frameworks";
import { isClusterScoped, parseKubernetesType } from "../../lib/kubernetes";
import { defineResourcePolicy } from "../../lib/policy";
import { asRecord } from "../../lib/values";

interface Config {
    clusterScopedKinds: string[];
}

export const noDefaultNamespace = defineResourcePolicy<Config>(
    {
        name: "k8s-no-default-namespace",
        description: "Namespaced Kubernetes objects must name a namespace other than `default`.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("4.5.1", "Create administrative boundaries between resources using namespaces"),
            cisEks("4.5.2", "The default namespace should not be used"),
        ],
        appliesTo: "every namespaced Kubernetes object",
        remediation: "Set `metadata.namespace` to the application's namespace.",
        knobs: {
            clusterScopedKinds: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Extra custom kinds that are cluster-scoped (built-in ones and `Cluster*` kinds are known).",
            },
        },
    },
    {
        appliesTo: (type) => parseKubernetesType(type) !== undefined,
        check(resource) {
            const kind = parseKubernetesType(resource.type)?.kind ?? "";
            if (isClusterScoped(kind, resource.config.clusterScopedKinds)) return;
            const namespace = asRecord(resource.props.metadata)?.namespace;
            if (namespace === undefined || namespace === null || namespace === "") {
                resource.report(`${kind} has no namespace (it would land in default)`);
            } else if (namespace === "default") {
                resource.report(`${kind} is in the default namespace`);
            }
        },
    },
);
