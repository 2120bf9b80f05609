// Container image references: `[registry[:port]/]path[:tag][@digest]`. The tag is whatever
// follows the last colon AFTER the last slash, so `registry:5000/app` has no tag.

export interface ImageReference {
    registry: string | undefined;
    repository: string;
    tag: string | undefined;
    digest: string | undefined;
}

export function parseImage(image: string): ImageReference {
    let rest = image.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const lastColon = rest.lastIndexOf(":");
    if (lastColon > lastSlash) {
        tag = rest.slice(lastColon + 1);
        rest = rest.slice(0, lastColon);
    }
    // The first path component is a registry only if it looks like a host (Docker's rule).
    const [first, ...path] = rest.split("/");
    const isRegistry = path.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
    return {
        registry: isRegistry ? first : undefined,
        repository: isRegistry ? path.join("/") : rest,
        tag: tag === "" ? undefined : tag,
        digest: digest === "" ? undefined : digest,
    };
}

/** Why an image is not pinned, or undefined when it is. A digest always pins. */
export function unpinnedReason(image: string): string | undefined {
    const ref = parseImage(image);
    if (ref.digest) return undefined;
    if (!ref.tag) return "has neither a tag nor a digest";
    if (ref.tag === "latest") return "uses the mutable tag `latest`";
    return undefined;
}
