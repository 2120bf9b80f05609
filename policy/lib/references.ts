// "Does resource A belong to resource B?" for stack-level checks: an S3 companion and its
// bucket, a NetworkPolicy and its Namespace. Offline records and previews often carry the
// reference as an unknown (the bucket's id is computed), so we match on a known value first and
// fall back to the dependency graph, which the engine always knows.
import type { PolicyResource } from "@pulumi/policy";
import { readOrUnknown, UNKNOWN } from "./unknowns";

export function knownString(read: () => unknown): string | undefined {
    const value = readOrUnknown(read);
    return value !== UNKNOWN && typeof value === "string" && value !== "" ? value : undefined;
}

export interface ReferenceMatcher<O> {
    owners: O[];
    /** The owners `child` refers to, by `reference` value or else by dependency. */
    ownersOf(child: PolicyResource, reference: () => unknown): O[];
}

export function referenceMatcher<O extends { resource: PolicyResource; identifiers: string[] }>(owners: O[]): ReferenceMatcher<O> {
    const byIdentifier = new Map<string, O[]>();
    const byUrn = new Map<string, O>();
    for (const owner of owners) {
        byUrn.set(owner.resource.urn, owner);
        for (const id of owner.identifiers) byIdentifier.set(id, [...(byIdentifier.get(id) ?? []), owner]);
    }
    return {
        owners,
        ownersOf(child, reference) {
            const value = knownString(reference);
            if (value !== undefined) {
                const matched = byIdentifier.get(value);
                if (matched) return matched;
                // A known value may still be an ARN or id we cannot resolve: try the dependencies.
            }
            const viaDependencies = child.dependencies
                .map((dependency) => byUrn.get(dependency.urn))
                .filter((owner): owner is O => owner !== undefined);
            // Several candidate owners through dependencies means we cannot tell which one: refuse
            // to guess rather than credit the wrong bucket.
            return viaDependencies.length === 1 ? viaDependencies : [];
        },
    };
}
