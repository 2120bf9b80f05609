/**
 * Where this repository's files can be read on the web, from package.json's `repository` field
 * (the npm convention). Runbook links in alerts default to it, so a fork that sets its own
 * `repository` gets links into its own runbooks without touching any stack.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The branch the deploy workflow deploys from (.github/workflows/platform.yaml). */
export const DEPLOYED_BRANCH = "main";

interface PackageJson {
    repository?: string | { type?: string; url?: string; directory?: string };
}

/** `git+https://github.com/acme/eks-platform.git` -> `https://github.com/acme/eks-platform/blob/main/`. */
export function repositoryFilesUrl(pkg: PackageJson): string | undefined {
    const repository = typeof pkg.repository === "string" ? { url: pkg.repository } : pkg.repository;
    const match = /^(?:git\+)?(https:\/\/[^/]+\/[^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(repository?.url ?? "");
    if (!match) return undefined;
    const directory = repository?.directory ? `${repository.directory.replace(/^\/|\/$/g, "")}/` : "";
    return `${match[1]}/blob/${DEPLOYED_BRANCH}/${directory}`;
}

export function projectRepositoryFilesUrl(): string | undefined {
    return repositoryFilesUrl(JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as PackageJson);
}
