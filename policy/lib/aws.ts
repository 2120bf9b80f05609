// AWS helpers: node-group taints. IAM documents live in ./iam (re-exported here for older imports).
import { asString } from "./values";

export { grantsEverything, isAdministratorAccessArn, policyStatements } from "./iam";

/** AWS spells taint effects NO_SCHEDULE, Kubernetes NoSchedule: compare them normalised. */
export function repelsPods(effect: unknown): boolean {
    const normalised = asString(effect)?.replace(/_/g, "").toLowerCase();
    return normalised === "noschedule" || normalised === "noexecute";
}
