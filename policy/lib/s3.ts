// S3 in @pulumi/aws v7: encryption, versioning and public-access blocks are separate resources
// that point at their bucket. A bucket is compliant when its own (deprecated) inline setting or
// one of ITS companions satisfies the check; a compliant neighbour bucket proves nothing.
import type { PolicyResource } from "@pulumi/policy";
import { StackCheck } from "./policy";
import { Owner, referenceMatcher } from "./references";
import { readOrUnknown, UNKNOWN } from "./unknowns";
import { asString, Props } from "./values";

export interface CompanionRule {
    bucketTypes: readonly string[];
    companionTypes: readonly string[];
    /** The deprecated inline form on the bucket itself, if any. */
    satisfiedInline?(bucket: Props): boolean;
    satisfiedBy(companion: Props): boolean;
    /** Violation message for a bucket nothing satisfies. */
    missing: string;
}

type Verdict = "satisfied" | "uncertain" | "missing";

function bucketOwners(stack: StackCheck<object>, types: readonly string[]): Owner[] {
    return stack.ofType(...types).map((resource) => {
        const identifiers = [resource.name];
        const bucketName = readOrUnknown(() => asString(resource.props.bucket));
        if (bucketName !== UNKNOWN && bucketName) identifiers.push(bucketName);
        return { resource, identifiers };
    });
}

export function checkBucketCompanions(stack: StackCheck<object>, rule: CompanionRule): void {
    const owners = bucketOwners(stack, rule.bucketTypes);
    const verdicts = new Map<PolicyResource, Verdict>(owners.map((o) => [o.resource, "missing"]));
    const upgrade = (bucket: PolicyResource, verdict: Verdict) => {
        if (verdicts.get(bucket) !== "satisfied") verdicts.set(bucket, verdict);
    };

    for (const owner of owners) {
        if (rule.satisfiedInline && stack.tolerate(() => rule.satisfiedInline!(owner.resource.props)) === true) {
            upgrade(owner.resource, "satisfied");
        }
    }

    const matcher = referenceMatcher(owners);
    let unattributed = false;
    for (const companion of stack.ofType(...rule.companionTypes)) {
        const lookup = matcher.ownersOf(companion, () => companion.props.bucket);
        if (lookup.unknownReference) {
            // This companion could belong to any bucket still missing one.
            stack.tolerate(() => {
                throw lookup.unknownReference;
            });
            unattributed = true;
        }
        for (const owner of lookup.owners) {
            const satisfied = stack.tolerate(() => rule.satisfiedBy(companion.props));
            if (satisfied === true) upgrade(owner.resource, "satisfied");
            else if (satisfied === undefined && verdicts.get(owner.resource) === "missing") upgrade(owner.resource, "uncertain");
        }
    }

    for (const [bucket, verdict] of verdicts) {
        if (verdict === "missing" && !unattributed) stack.report(bucket, `S3 bucket ${bucket.name} ${rule.missing}`);
    }
}
