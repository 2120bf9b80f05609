// Policy shapes for pod-bearing objects: a check per container or per pod spec. The mechanism
// (every pod-bearing kind, every container list, unknown tolerance) lives here once.
import {
    ALL_CONTAINER_LISTS,
    ContainerList,
    ContainerSite,
    containersOfPodSpec,
    describeContainer,
    effectiveSecurityContext,
    EffectiveSecurityContext,
    isPodBearing,
    parseKubernetesType,
    podSpecOf,
} from "./kubernetes";
import { defineResourcePolicy, PlatformResourcePolicy, PolicyDocs, ResourceCheck } from "./policy";
import { Props } from "./values";

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
            const podSpec = podSpecOf(resource.type, resource.props);
            if (!podSpec) return;
            const sites = containersOfPodSpec(podSpec, spec.lists ?? ALL_CONTAINER_LISTS, resource);
            resource.each(sites, (site) => {
                const findings = [spec.checkContainer(site, effectiveSecurityContext(site), resource)].flat();
                for (const finding of findings) {
                    if (finding) resource.report(`${kindOf(resource.type)} ${describeContainer(site)} ${finding}`);
                }
            });
        },
    });
}

export function definePodSpecPolicy<C extends object = object>(
    docs: PolicyDocs,
    spec: { checkPodSpec(podSpec: Props, resource: ResourceCheck<C>): Finding | Finding[] },
): PlatformResourcePolicy {
    return defineResourcePolicy<C>(docs, {
        appliesTo: isPodBearing,
        check(resource) {
            const podSpec = podSpecOf(resource.type, resource.props);
            if (!podSpec) return;
            for (const finding of [spec.checkPodSpec(podSpec, resource)].flat()) {
                if (finding) resource.report(`${kindOf(resource.type)} ${finding}`);
            }
        },
    });
}

function kindOf(type: string): string {
    return parseKubernetesType(type)?.kind ?? type;
}
