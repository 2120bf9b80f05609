// Where a Kubernetes minor stands in Amazon EKS's support calendar, from the dated table in
// policy/data/eks-kubernetes-versions.json (sources and review date in the file).
import table from "../data/eks-kubernetes-versions.json";

export interface VersionSupport {
    endOfStandardSupport: string;
    endOfExtendedSupport: string;
}

export type SupportStatus =
    | { status: "standard"; daysLeft: number; support: VersionSupport }
    | { status: "extended" | "ended"; support: VersionSupport }
    | { status: "older"; oldest: string }
    | { status: "not-in-table"; reviewed: string };

export const EKS_VERSION_TABLE: { reviewed: string; reviewBy: string; versions: Record<string, VersionSupport> } = table;

const DAY_MS = 24 * 60 * 60 * 1000;

/** "1.35" and "1.35.2" are minor 1.35; anything else is undefined. */
export function kubernetesMinor(version: string): string | undefined {
    const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
    return match ? `${match[1]}.${match[2]}` : undefined;
}

function compareMinors(a: string, b: string): number {
    const [aMajor, aMinor] = a.split(".").map(Number);
    const [bMajor, bMinor] = b.split(".").map(Number);
    return aMajor - bMajor || aMinor - bMinor;
}

/** Support status on `today` (UTC): a date in the table is the first day of the next phase. */
export function supportStatus(minor: string, today: Date): SupportStatus {
    const support = EKS_VERSION_TABLE.versions[minor];
    if (!support) {
        const oldest = Object.keys(EKS_VERSION_TABLE.versions).sort(compareMinors)[0];
        return compareMinors(minor, oldest) < 0 ? { status: "older", oldest } : { status: "not-in-table", reviewed: EKS_VERSION_TABLE.reviewed };
    }
    const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    const standardEnds = Date.parse(`${support.endOfStandardSupport}T00:00:00Z`);
    const extendedEnds = Date.parse(`${support.endOfExtendedSupport}T00:00:00Z`);
    if (day < standardEnds) return { status: "standard", daysLeft: Math.round((standardEnds - day) / DAY_MS), support };
    return { status: day < extendedEnds ? "extended" : "ended", support };
}
