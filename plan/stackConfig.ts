import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** A stack's config as the Pulumi engine would hand it to the program. */
export interface StackConfigSource {
    project: string;
    stack: string;
    values: Record<string, string>;
    secretKeys: string[];
}

/** A usage problem (no such stack, unreadable file): exit code 2, like invalid config. */
export class StackFileError extends Error {}

export const SECRET_PLACEHOLDER = "[secret]";

interface ProjectFile {
    name: string;
    config?: Record<string, { default?: unknown } | unknown>;
}

function readYaml(file: string): unknown {
    try {
        return parse(readFileSync(file, "utf8"));
    } catch (error) {
        throw new StackFileError(`${file}: cannot be read as YAML: ${(error as Error).message}`);
    }
}

export function readProject(projectDir: string): ProjectFile {
    const file = join(projectDir, "Pulumi.yaml");
    const project = readYaml(file) as ProjectFile | null;
    if (!project || typeof project.name !== "string") throw new StackFileError(`${file}: has no project name`);
    return project;
}

export function listStacks(projectDir: string): string[] {
    return readdirSync(projectDir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** Pulumi hands the program every config value as a string; structured values as JSON. */
function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && Object.keys(value).length === 1 && "secure" in value;
}

/** `Pulumi.<stack>.yaml` over the `Pulumi.yaml` defaults, as `pulumi up` would combine them. */
export function loadStackConfig(projectDir: string, stack: string): StackConfigSource {
    const project = readProject(projectDir);
    const stackFile = join(projectDir, `Pulumi.${stack}.yaml`);
    if (!/^[\w.-]+$/.test(stack) || !existsSync(stackFile)) {
        const known = listStacks(projectDir).join(", ") || "none";
        throw new StackFileError(`no stack "${stack}": ${stackFile} does not exist (stacks here: ${known})`);
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        const defaultValue = (declaration as { default?: unknown } | null)?.default;
        if (defaultValue !== undefined) values[qualify(project.name, key)] = encode(defaultValue);
    }
    const stackDocument = (readYaml(stackFile) ?? {}) as { config?: Record<string, unknown> };
    if (typeof stackDocument !== "object" || Array.isArray(stackDocument)) throw new StackFileError(`${stackFile}: must be a YAML mapping`);
    for (const [key, value] of Object.entries(stackDocument.config ?? {})) {
        const qualified = qualify(project.name, key);
        if (isSecure(value)) {
            // Ciphertext cannot be decrypted here: the program sees a secret placeholder, never a value.
            values[qualified] = SECRET_PLACEHOLDER;
            secretKeys.push(qualified);
        } else {
            values[qualified] = encode(value);
        }
    }
    return { project: project.name, stack, values, secretKeys };
}
