// A tag-less or `latest` image changes under you: what was reviewed is not what runs.
// `allowedRegistries` is an extra knob, off (empty) by default.
import { parseImage, unpinnedReason } from "../../lib/images";
import { eksBestPractices } from "../../lib/frameworks";
import { asString } from "../../lib/values";
import { defineContainerPolicy } from "../../lib/workloads";

interface Config {
    allowedRegistries: string[];
}

export const imagePinned = defineContainerPolicy<Config>(
    {
        name: "k8s-image-pinned",
        description: "Container images must carry a tag other than `latest` or a digest.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [eksBestPractices("Security: image security", "Use immutable tags or digests")],
        appliesTo: "pod-bearing Kubernetes objects",
        remediation: "Reference images by digest (`@sha256:...`) or by an explicit version tag.",
        knobs: {
            allowedRegistries: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "If non-empty, images must come from one of these registries (e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`).",
            },
        },
    },
    {
        checkContainer(site, _security, resource) {
            const image = asString(site.container.image);
            if (image === undefined || image.trim() === "") return "has no image";
            const allowed = resource.config.allowedRegistries;
            const registry = parseImage(image).registry ?? "docker.io";
            return [
                unpinnedReason(image) && `image ${image} ${unpinnedReason(image)}`,
                allowed.length > 0 && !allowed.includes(registry) && `image ${image} is not from an allowed registry`,
            ];
        },
    },
);
