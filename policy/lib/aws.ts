// AWS helpers: IAM documents, CIDRs open to the world, and node-group taints.
import { asArray, asRecord, asString, Props } from "./values";

export const WORLD_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

export function opensToWorld(cidrs: readonly string[]): boolean {
    return cidrs.some((cidr) => WORLD_CIDRS.has(cidr.trim()));
}

/** IAM documents may be JSON strings or objects; anything unparsable is treated as no statements. */
export function policyStatements(document: unknown): Props[] {
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch {
            return [];
        }
    }
    const statement = asRecord(parsed)?.Statement;
    const list = Array.isArray(statement) ? statement : [statement];
    return list.map(asRecord).filter((s): s is Props => s !== undefined);
}

function oneOrMany(value: unknown): string[] {
    if (typeof value === "string") return [value];
    return asArray(value).filter((v): v is string => typeof v === "string");
}

/** An Allow statement granting every action on every resource. */
export function grantsEverything(statement: Props): boolean {
    if (asString(statement.Effect) !== "Allow") return false;
    const actions = oneOrMany(statement.Action);
    const resources = oneOrMany(statement.Resource);
    return actions.some((a) => a === "*" || a === "*:*") && resources.includes("*");
}

export function isAdministratorAccessArn(arn: string): boolean {
    return /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/.test(arn.trim());
}

/** AWS spells taint effects NO_SCHEDULE, Kubernetes NoSchedule: compare them normalised. */
export function repelsPods(effect: unknown): boolean {
    const normalised = (asString(effect) ?? "").replace(/_/g, "").toLowerCase();
    return normalised === "noschedule" || normalised === "noexecute";
}
