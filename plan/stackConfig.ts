import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { didYouMean } from "../config/suggest";

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

/** The top-level keys of a Pulumi stack file (Pulumi's project and stack settings reference). */
const STACK_FILE_KEYS = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"];

/**
 * A misspelt `configs:` would hide every key under it and leave only "missing key" messages:
 * name it. `config:` must be a map of keys to values.
 */
function checkStackFileKeys(stackFile: string, document: Record<string, unknown>): void {
    const problems = Object.keys(document)
        .filter((key) => !STACK_FILE_KEYS.includes(key))
        .map((key) => `unknown top-level key "${key}"${didYouMean(key, STACK_FILE_KEYS)} (a stack file holds ${STACK_FILE_KEYS.join(", ")})`);
    const config = document.config;
    if (config !== undefined && config !== null && (typeof config !== "object" || Array.isArray(config))) {
        problems.push(`config must be a map of keys to values (config:\n  aws:region: eu-west-1\n  ...), got ${Array.isArray(config) ? "a list" : `the ${typeof config} ${JSON.stringify(config)}`}`);
    }
    if (problems.length > 0) throw new StackFileError(`${stackFile}: ${problems.join("; ")}`);
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
    const stackDocument = (readYaml(stackFile) ?? {}) as { config?: unknown };
    if (typeof stackDocument !== "object" || Array.isArray(stackDocument)) throw new StackFileError(`${stackFile}: must be a YAML mapping`);
    checkStackFileKeys(stackFile, stackDocument);
    for (const [key, value] of Object.entries((stackDocument.config ?? {}) as Record<string, unknown>)) {
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
