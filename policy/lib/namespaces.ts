// Stack-level "every declared Namespace has an X in it" checks share this matcher: X belongs to
// the namespace named in its metadata, or (when that name is still unknown) to the one Namespace
// it depends on.
import type { PolicyResource } from "@pulumi/policy";
import { isKind } from "./kubernetes";
import { StackCheck } from "./policy";
import { Owner, referenceMatcher } from "./references";
import { readOrUnknown, UNKNOWN } from "./unknowns";
import { asRecord, asString, Props } from "./values";

export function checkEveryNamespaceHas(
    stack: StackCheck<object>,
    childKind: string,
    satisfies: (child: Props) => boolean,
    missing: string,
): void {
    const namespaces: Owner[] = stack.resources
        .filter((r) => isKind(r.type, "Namespace"))
        .map((resource) => {
            const name = readOrUnknown(() => asString(asRecord(resource.props.metadata)?.name));
            return { resource, identifiers: name !== UNKNOWN && name ? [name] : [] };
        });
    if (namespaces.length === 0) return;
    const matcher = referenceMatcher(namespaces);
    const covered = new Set<PolicyResource>();
    const uncertain = new Set<PolicyResource>();
    let unattributed = false;

    for (const child of stack.resources.filter((r) => isKind(r.type, childKind))) {
        const lookup = matcher.ownersOf(child, () => asRecord(child.props.metadata)?.namespace);
        if (lookup.unknownReference) {
            stack.tolerate(() => {
                throw lookup.unknownReference;
            });
            unattributed = true;
        }
        for (const owner of lookup.owners) {
            const ok = stack.tolerate(() => satisfies(child.props));
            if (ok === true) covered.add(owner.resource);
            else if (ok === undefined) uncertain.add(owner.resource);
        }
    }
    for (const { resource } of namespaces) {
        if (covered.has(resource) || uncertain.has(resource) || unattributed) continue;
        stack.report(resource, `Namespace ${namespaceLabel(resource)} ${missing}`);
    }
}

function namespaceLabel(resource: PolicyResource): string {
    const name = readOrUnknown(() => asString(asRecord(resource.props.metadata)?.name));
    return name !== UNKNOWN && name ? name : resource.name;
}
