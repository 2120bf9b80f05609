// S3 in @pulumi/aws v7: encryption, versioning and public-access blocks are separate resources
// that point at their bucket. A bucket is compliant when its own (deprecated) inline setting or
// one of ITS companions satisfies the check; a compliant neighbour bucket proves nothing.
import type { PolicyResource } from "@pulumi/policy";
import { StackCheck } from "./policy";
import { Owner, referenceMatcher } from "./references";
import { readOrUnknown, UNKNOWN } from "./unknowns";
import { asString, path, Props } from "./values";

export const S3_LOGGING = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];

/** The four public-access-block settings (bucket or account level): each closes a different path. */
export const PUBLIC_ACCESS_BLOCK_SWITCHES = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export interface CompanionRule {
    bucketTypes: readonly string[];
    companionTypes: readonly string[];
    /** Buckets the rule is about (default: every bucket). */
    appliesTo?(bucket: PolicyResource): boolean;
    /** The deprecated inline form on the bucket itself, if any. */
    satisfiedInline?(bucket: Props, resource: PolicyResource): boolean;
    satisfiedBy(companion: Props, bucket: PolicyResource): boolean;
    /** Violation message for a bucket nothing satisfies (after "S3 bucket <name> "). */
    missing: string | ((bucket: PolicyResource) => string);
}

export function bucketOwners(stack: StackCheck<object>, types: readonly string[]): Owner[] {
    return stack.ofType(...types).map((resource) => {
        const identifiers = [resource.name];
        const bucketName = readOrUnknown(() => asString(resource.props.bucket));
        if (bucketName !== UNKNOWN && bucketName) identifiers.push(bucketName);
        return { resource, identifiers };
    });
}

export function checkBucketCompanions(stack: StackCheck<object>, rule: CompanionRule): void {
    const owners = bucketOwners(stack, rule.bucketTypes).filter((o) => !rule.appliesTo || rule.appliesTo(o.resource));
    // Buckets nothing satisfies yet; one whose companion cannot be judged (unknown) is not missing.
    const missing = new Set(owners.map((o) => o.resource));

    for (const owner of owners) {
        if (rule.satisfiedInline && stack.tolerate(() => rule.satisfiedInline!(owner.resource.props, owner.resource)) === true) {
            missing.delete(owner.resource);
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
            if (stack.tolerate(() => rule.satisfiedBy(companion.props, owner.resource)) !== false) missing.delete(owner.resource);
        }
    }

    if (unattributed) return;
    for (const bucket of missing) {
        const why = typeof rule.missing === "string" ? rule.missing : rule.missing(bucket);
        stack.report(bucket, `S3 bucket ${bucket.name} ${why}`);
    }
}

/**
 * Buckets that receive S3 server access logs (the `targetBucket` of a logging configuration).
 * AWS constrains them: default encryption SSE-S3 only, no Object Lock, no access logging of
 * their own (S3 User Guide, "Enabling Amazon S3 server access logging").
 */
export function serverAccessLogTargets(stack: StackCheck<object>, bucketTypes: readonly string[]): Set<PolicyResource> {
    const owners = bucketOwners(stack, bucketTypes);
    const byName = new Map(owners.flatMap((o) => o.identifiers.map((id) => [id, o.resource] as const)));
    // Matched by name only: a logging configuration depends on its source and its target alike,
    // so the dependency graph cannot tell which bucket receives the logs.
    const targetNamed = (read: () => unknown) => {
        const name = readOrUnknown(() => asString(read()));
        return name !== UNKNOWN && name ? byName.get(name) : undefined;
    };
    const targets = new Set<PolicyResource>();
    for (const logging of stack.ofType(...S3_LOGGING)) {
        const target = targetNamed(() => logging.props.targetBucket);
        if (target) targets.add(target);
    }
    for (const owner of owners) {
        const target = targetNamed(() => path(owner.resource.props, "logging", "targetBucket"));
        if (target) targets.add(target);
    }
    return targets;
}
