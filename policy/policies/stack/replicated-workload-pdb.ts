// Replicas only give availability if a node drain cannot evict them all at once; a PDB says so.
import type { PolicyResource } from "@pulumi/policy";
import { eksBestPractices } from "../../lib/frameworks";
import { isKind, parseKubernetesType, podTemplateLabelsOf, selectorMatches } from "../../lib/kubernetes";
import { defineStackPolicy } from "../../lib/policy";
import { readOrUnknown, UNKNOWN } from "../../lib/unknowns";
import { asRecord } from "../../lib/values";

const REPLICATED_KINDS = ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"];

function namespaceOrUnknown(resource: PolicyResource): string | undefined | typeof UNKNOWN {
    return readOrUnknown(() => {
        const namespace = asRecord(resource.props.metadata)?.namespace;
        return typeof namespace === "string" ? namespace : undefined;
    });
}

function sameNamespace(a: PolicyResource, b: PolicyResource): boolean {
    const left = namespaceOrUnknown(a);
    const right = namespaceOrUnknown(b);
    // An unknown namespace might be the same one: do not claim a missing PDB we cannot prove.
    if (left === UNKNOWN || right === UNKNOWN) return true;
    return (left ?? "default") === (right ?? "default");
}

export const replicatedWorkloadPdb = defineStackPolicy(
    {
        name: "k8s-replicated-workload-pdb",
        description: "Workloads with 2 or more replicas should be covered by a PodDisruptionBudget selecting their pods.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [eksBestPractices("Reliability: applications", "Protect critical workloads with PodDisruptionBudgets")],
        appliesTo: "Deployment, StatefulSet, ReplicaSet, ReplicationController with PodDisruptionBudget (stack)",
        remediation: "Add a PodDisruptionBudget (e.g. `maxUnavailable: 1`) whose selector matches the pod labels.",
    },
    {
        check(stack) {
            const budgets = stack.resources.filter((r) => isKind(r.type, "PodDisruptionBudget"));
            const workloads = stack.resources.filter((r) => REPLICATED_KINDS.some((kind) => isKind(r.type, kind)));
            stack.each(workloads, (workload) => {
                const replicas = asRecord(workload.props.spec)?.replicas;
                if (typeof replicas !== "number" || replicas < 2) return;
                const labels = podTemplateLabelsOf(workload.props);
                const covered = budgets.some(
                    (budget) =>
                        sameNamespace(workload, budget) &&
                        stack.tolerate(() => selectorMatches(asRecord(asRecord(budget.props.spec)?.selector), labels)) !== false,
                );
                if (!covered) stack.report(workload, `${parseKubernetesType(workload.type)?.kind} ${workload.name} has ${replicas} replicas and no PodDisruptionBudget`);
            });
        },
    },
);
