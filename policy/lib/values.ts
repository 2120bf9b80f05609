// Small readers for loosely typed resource inputs. Inputs arrive as plain JSON (or as
// @pulumi/policy's unknown-checking proxy of it), so every policy reads them defensively:
// a wrong shape is "not set", never a crash.

export type Props = Record<string, unknown>;

export function asRecord(value: unknown): Props | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Props) : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
    return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

export function stringList(value: unknown): string[] {
    return asArray(value).filter((item): item is string => typeof item === "string");
}

export function stringMap(value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    const record = asRecord(value);
    if (!record) return out;
    for (const [key, item] of Object.entries(record)) {
        if (typeof item === "string") out[key] = item;
    }
    return out;
}

/** Terraform-backed booleans sometimes travel as strings ("true"), e.g. launch template EBS `encrypted`. */
export function isTrue(value: unknown): boolean {
    return value === true || value === "true";
}

export function isNonEmptyString(value: unknown): value is string {
    return typeof value === "string" && value.trim() !== "";
}

/** Reads `a.b.c` without throwing on missing intermediate objects (unknown values still throw). */
export function path(value: unknown, ...keys: string[]): unknown {
    let current: unknown = value;
    for (const key of keys) {
        const record = asRecord(current);
        if (!record) return undefined;
        current = record[key];
    }
    return current;
}

/** `*` matches any run of characters; everything else is literal. */
export function globMatches(pattern: string, value: string): boolean {
    const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${escaped.join(".*")}$`).test(value);
}
