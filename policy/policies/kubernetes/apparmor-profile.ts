// AppArmor confines what a container process may do; Unconfined (or any other override of the
// runtime default) removes that. Both the legacy annotations and the securityContext fields count.
import { pss } from "../../lib/frameworks";
import { Fields } from "../../lib/fields";
import { definePodSecurityPolicy } from "../../lib/podSecurity";

const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
const ALLOWED_TYPES = ["RuntimeDefault", "Localhost"];

const annotationAllowed = (value: string) => value === "" || value === "runtime/default" || value.startsWith("localhost/");

function badType(securityContext: Fields | undefined): string | undefined {
    const profile = securityContext?.object("appArmorProfile");
    if (!profile) return undefined;
    const type = profile.string("type") ?? "";
    return ALLOWED_TYPES.includes(type) ? undefined : type || "(no type)";
}

export const appArmorProfile = definePodSecurityPolicy(
    {
        name: "k8s-apparmor-profile",
        description: "AppArmor profiles (securityContext.appArmorProfile, pod and container, and the legacy annotations) must be RuntimeDefault or Localhost.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [pss("Baseline: AppArmor", "appArmorProfile.type RuntimeDefault or Localhost; annotations runtime/default or localhost/*")],
        appliesTo: "pod-bearing Kubernetes objects",
        checks: ["appArmorProfile"],
        remediation: "Remove the AppArmor override, or use `RuntimeDefault` / a `Localhost` profile.",
    },
    {
        checkPod(pod) {
            const type = badType(pod.securityContext);
            const annotations = Object.entries(pod.metadata.stringMap("annotations"))
                .filter(([key, value]) => key.startsWith(ANNOTATION_PREFIX) && !annotationAllowed(value))
                .map(([key, value]) => `annotation ${key}: ${value}`);
            return [type !== undefined && `sets AppArmor profile ${type} for the pod`, ...annotations.map((annotation) => `sets AppArmor ${annotation}`)];
        },
        checkContainer(site) {
            const type = badType(site.fields.object("securityContext"));
            return type !== undefined && `sets AppArmor profile ${type}`;
        },
    },
);
