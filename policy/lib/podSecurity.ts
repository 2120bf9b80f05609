// The Pod Security Standards as Kubernetes' pod-security-admission evaluates them: each control
// is a check over the whole pod (pod-level fields, every container of every list, the pod's
// annotations), and what it allows depends on the policy version. The pack evaluates the
// `restricted` level, where a few restricted checks replace their baseline counterparts and
// exempt Windows pods (`spec.os.name: windows`, from v1.25).
//
// Every pod security policy gets a `podSecurityVersion` knob: `latest` (the newest version this
// pack implements) or the `v1.N` a namespace pins with `pod-security.kubernetes.io/enforce-version`.
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ContainerSite, containersOfPodSpec, describeContainer, isPodBearing, podTemplateOf } from "./kubernetes";
import { Fields } from "./fields";
import { defineResourcePolicy, PlatformResourcePolicy, PolicyDocs, ResourceCheck } from "./policy";

/** The newest Pod Security Standards version whose rules this pack implements (Kubernetes v1.37). */
export const LATEST_POD_SECURITY_MINOR = 37;

export const podSecurityVersionSchema: PolicyConfigJSONSchema = {
    type: "string",
    pattern: "^(latest|v1\\.(0|[1-9][0-9]*))$",
    default: "latest",
    description:
        `Pod Security Standards version: \`latest\` (v1.${LATEST_POD_SECURITY_MINOR}) or \`v1.N\`, as a namespace's ` +
        "`pod-security.kubernetes.io/enforce-version` label pins it.",
};

/** Kubernetes minor version of a `podSecurityVersion` value; newer than the pack knows means latest, as in admission. */
export function podSecurityMinor(version: string): number {
    if (version === "latest") return LATEST_POD_SECURITY_MINOR;
    const match = /^v1\.(\d+)$/.exec(version);
    if (!match) throw new Error(`invalid podSecurityVersion "${version}"`);
    return Math.min(Number(match[1]), LATEST_POD_SECURITY_MINOR);
}

/** What a pod security check sees: one pod, read strictly, at one policy version. */
export interface Pod {
    kind: string;
    /** Kubernetes minor version of the standard in force (v1.<minor>). */
    minor: number;
    metadata: Fields;
    spec: Fields;
    securityContext: Fields | undefined;
    /** Init containers, containers and ephemeral containers, as admission visits them. */
    containers: ContainerSite[];
    /** `spec.os.name: windows`; restricted checks exempt such pods from v1.25 on. */
    isWindows: boolean;
    /** `spec.hostUsers: false`: the pod runs in a user namespace (relaxes some checks from v1.35). */
    inUserNamespace: boolean;
}

export type Finding = string | undefined | false;

interface PodSecurityConfig {
    podSecurityVersion: string;
}

export interface PodSecuritySpec<C> {
    /** Pod-level findings (`sets hostPID: true`), prefixed with the kind. */
    checkPod?(pod: Pod, resource: ResourceCheck<C & PodSecurityConfig>): Finding | Finding[];
    /** Findings for one container, prefixed with the kind and `container "name"`. */
    checkContainer?(container: ContainerSite, pod: Pod, resource: ResourceCheck<C & PodSecurityConfig>): Finding | Finding[];
}

/** Windows pods are exempt from the restricted checks that cannot apply to them (v1.25+). */
export function windowsExempt(pod: Pod): boolean {
    return pod.minor >= 25 && pod.isWindows;
}

/**
 * A class, not an object literal with getters: V8 gives every literal with its own accessor
 * closures a new hidden class, which keeps the object (and the document) alive until a full GC.
 * Lazy, so an unknown `os` or `hostUsers` does not stop the checks that never read them.
 */
class PodView implements Pod {
    private containerSites: ContainerSite[] | undefined;

    constructor(
        readonly kind: string,
        readonly minor: number,
        readonly metadata: Fields,
        readonly spec: Fields,
        private readonly tolerance: ResourceCheck<object>,
    ) {}

    get securityContext(): Fields | undefined {
        return this.spec.object("securityContext");
    }

    get containers(): ContainerSite[] {
        return (this.containerSites ??= containersOfPodSpec(this.spec, ["initContainers", "containers", "ephemeralContainers"], this.tolerance));
    }

    get isWindows(): boolean {
        return this.spec.object("os")?.string("name") === "windows";
    }

    get inUserNamespace(): boolean {
        return this.spec.boolean("hostUsers") === false;
    }
}

function readPod(type: string, props: Record<string, unknown>, minor: number, resource: ResourceCheck<object>): Pod | undefined {
    const template = podTemplateOf(type, props);
    return template && new PodView(template.kind, minor, template.metadata, template.spec, resource);
}

function reportFindings(resource: ResourceCheck<object>, prefix: string, findings: Finding | Finding[]): void {
    for (const finding of [findings].flat()) if (finding) resource.report(`${prefix} ${finding}`);
}

/** A pod security policy, with the pod-security-admission check IDs it implements. */
export type PodSecurityPolicy = PlatformResourcePolicy & { podSecurityChecks: readonly string[] };

export function isPodSecurityPolicy(policy: object): policy is PodSecurityPolicy {
    return Array.isArray((policy as Partial<PodSecurityPolicy>).podSecurityChecks);
}

/**
 * `checks` names the checks of Kubernetes' pod-security-admission (policy/check_*.go) whose
 * rules the policy implements at the restricted level.
 */
export function definePodSecurityPolicy<C extends object = object>(
    docs: PolicyDocs & { checks: readonly string[] },
    spec: PodSecuritySpec<C>,
): PodSecurityPolicy {
    const { checks, ...policyDocs } = docs;
    const policy = defineResourcePolicy<C & PodSecurityConfig>(
        { ...policyDocs, knobs: { ...(docs.knobs ?? {}), podSecurityVersion: podSecurityVersionSchema } },
        {
            appliesTo: isPodBearing,
            check(resource) {
                const pod = readPod(resource.type, resource.props, podSecurityMinor(resource.config.podSecurityVersion), resource);
                if (!pod) return;
                if (spec.checkPod) reportFindings(resource, pod.kind, spec.checkPod(pod, resource));
                if (spec.checkContainer) {
                    for (const site of pod.containers) {
                        resource.tolerate(() => reportFindings(resource, `${pod.kind} ${describeContainer(site)}`, spec.checkContainer!(site, pod, resource)));
                    }
                }
            },
        },
    );
    return { ...policy, podSecurityChecks: checks };
}
