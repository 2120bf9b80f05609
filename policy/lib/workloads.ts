// Policy shape for pod-bearing objects: a check per container. The mechanism (every pod-bearing
// kind, every container list, strict reading, unknown tolerance) lives here once; the Pod
// Security Standards controls use the richer shape in podSecurity.ts.
import {
    ALL_CONTAINER_LISTS,
    ContainerList,
    ContainerSite,
    containersOfPodSpec,
    describeContainer,
    effectiveSecurityContext,
    EffectiveSecurityContext,
    isPodBearing,
    podTemplateOf,
} from "./kubernetes";
import { defineResourcePolicy, PlatformResourcePolicy, PolicyDocs, ResourceCheck } from "./policy";

export type Finding = string | undefined | false;

export function defineContainerPolicy<C extends object = object>(
    docs: PolicyDocs,
    spec: {
        lists?: readonly ContainerList[];
        /** Returns what is wrong with one container, phrased to follow its description. */
        checkContainer(site: ContainerSite, security: EffectiveSecurityContext, resource: ResourceCheck<C>): Finding | Finding[];
    },
): PlatformResourcePolicy {
    return defineResourcePolicy<C>(docs, {
        appliesTo: isPodBearing,
        check(resource) {
            const template = podTemplateOf(resource.type, resource.props);
            if (!template) return;
            const sites = containersOfPodSpec(template.spec, spec.lists ?? ALL_CONTAINER_LISTS, resource);
            resource.each(sites, (site) => {
                const findings = [spec.checkContainer(site, effectiveSecurityContext(site), resource)].flat();
                for (const finding of findings) {
                    if (finding) resource.report(`${template.kind} ${describeContainer(site)} ${finding}`);
                }
            });
        },
    });
}
