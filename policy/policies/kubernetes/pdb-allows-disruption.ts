// A PDB that allows no voluntary disruption blocks node drains forever: upgrades stall.
import { eksBestPractices } from "../../lib/frameworks";
import { isKind } from "../../lib/kubernetes";
import { defineResourcePolicy } from "../../lib/policy";
import { asRecord } from "../../lib/values";

/** The API server reads an IntOrString percentage with Atoi, so "00%" is 0% and "0100%" is 100%. */
function percentOf(value: unknown): number | undefined {
    return typeof value === "string" && /^\d+%$/.test(value) ? Number(value.slice(0, -1)) : undefined;
}

function isZero(value: unknown): boolean {
    return value === 0 || value === "0" || percentOf(value) === 0;
}

export const pdbAllowsDisruption = defineResourcePolicy(
    {
        name: "k8s-pdb-allows-disruption",
        description: "PodDisruptionBudgets must allow at least one voluntary disruption (no maxUnavailable 0 / minAvailable 100%).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [eksBestPractices("Reliability: data plane", "PDBs must not block node drains")],
        appliesTo: "PodDisruptionBudget",
        remediation: "Use `maxUnavailable: 1` (or a percentage above 0).",
    },
    {
        appliesTo: (type) => isKind(type, "PodDisruptionBudget"),
        check(resource) {
            const spec = asRecord(resource.props.spec);
            if (isZero(spec?.maxUnavailable)) resource.report("PodDisruptionBudget has maxUnavailable 0");
            if (percentOf(spec?.minAvailable) === 100) resource.report("PodDisruptionBudget requires 100% of pods available");
        },
    },
);
