// "Does resource A belong to resource B?" for stack-level checks: an S3 companion and its
// bucket, a NetworkPolicy and its Namespace. Offline records and previews often carry the
// reference as an unknown (the bucket's id is computed), so we match on a known value first and
// fall back to the dependency graph, which the engine always knows.
import type { PolicyResource } from "@pulumi/policy";
import { isUnknownValueError, UnknownTolerance } from "./unknowns";

export interface Owner {
    resource: PolicyResource;
    /** Values other resources use to point at this owner (bucket name, namespace name...). */
    identifiers: string[];
}

export interface OwnerLookup<O> {
    owners: O[];
    /** Set when the reference was unknown and the dependencies did not single out one owner. */
    unknownReference?: Error;
}

export interface ReferenceMatcher<O extends Owner> {
    ownersOf(child: PolicyResource, reference: () => unknown): OwnerLookup<O>;
}

export function referenceMatcher<O extends Owner>(owners: O[]): ReferenceMatcher<O> {
    const byIdentifier = new Map<string, O[]>();
    const byUrn = new Map<string, O>();
    for (const owner of owners) {
        byUrn.set(owner.resource.urn, owner);
        for (const id of new Set(owner.identifiers)) byIdentifier.set(id, [...(byIdentifier.get(id) ?? []), owner]);
    }
    return {
        ownersOf(child, reference) {
            let unknownReference: Error | undefined;
            try {
                const value = reference();
                const matched = typeof value === "string" ? byIdentifier.get(value) : undefined;
                if (matched) return { owners: matched };
                // A known value we cannot resolve (an ARN, an id from another stack): the
                // dependency graph may still tie it to an owner below.
            } catch (error) {
                if (!isUnknownValueError(error)) throw error;
                unknownReference = error;
            }
            const viaDependencies = child.dependencies
                .map((dependency) => byUrn.get(dependency.urn))
                .filter((owner): owner is O => owner !== undefined);
            const unique = [...new Set(viaDependencies)];
            // Several candidate owners means we cannot tell which one: refuse to guess.
            if (unique.length === 1) return { owners: unique };
            return { owners: [], unknownReference };
        },
    };
}

/**
 * Which owners have at least one child that satisfies `satisfies` ("every VPC has a flow log").
 * `undecided` is set when a satisfying child's reference was unknown and could not be attributed:
 * the caller should then report no missing owner (the unknown is recorded for "not evaluated").
 */
export function ownersWithChild(
    unknowns: UnknownTolerance,
    owners: readonly Owner[],
    children: readonly PolicyResource[],
    reference: (child: PolicyResource) => unknown,
    satisfies: (child: PolicyResource) => boolean | undefined,
): { covered: Set<PolicyResource>; undecided: boolean } {
    const matcher = referenceMatcher([...owners]);
    const covered = new Set<PolicyResource>();
    let undecided = false;
    for (const child of children) {
        if (unknowns.tolerate(() => satisfies(child)) !== true) continue;
        const lookup = matcher.ownersOf(child, () => reference(child));
        if (lookup.unknownReference) {
            undecided = true;
            unknowns.tolerate(() => {
                throw lookup.unknownReference;
            });
        }
        for (const owner of lookup.owners) covered.add(owner.resource);
    }
    return { covered, undecided };
}
