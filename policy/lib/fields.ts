// Strict readers for the fields a security decision depends on. Kubernetes decodes a missing or
// null field as "unset"; any other wrong type would be rejected by the API server, and a policy
// that read it as "unset" would pass an object it never checked. So: unset is undefined, a value
// of the wrong shape is a MalformedValue, which the policy mechanism reports as a violation.
// Unknown values (preview) are not malformed: reading one still throws UnknownValueError.
import { Props } from "./values";

export class MalformedValue extends Error {
    constructor(
        readonly path: string,
        readonly value: unknown,
        readonly expected: string,
    ) {
        super(`${path} is ${describeValue(value)}, expected ${expected}`);
    }
}

export function describeValue(value: unknown): string {
    if (value === undefined) return "missing";
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "an object";
    const text = JSON.stringify(value);
    return `a ${typeof value} (${text.length > 40 ? `${text.slice(0, 37)}...` : text})`;
}

function isObject(value: unknown): value is Props {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

const unset = (value: unknown) => value === undefined || value === null;

/** One object of a manifest with the path it was read from, so every complaint can say where. */
export class Fields {
    constructor(
        readonly raw: Props,
        readonly path: string,
    ) {}

    /** The object at `value`, which must be there. */
    static required(value: unknown, path: string): Fields {
        if (!isObject(value)) throw new MalformedValue(path, value, "an object");
        return new Fields(value, path);
    }

    at(key: string): string {
        return this.path === "" ? key : `${this.path}.${key}`;
    }

    get(key: string): unknown {
        return this.raw[key];
    }

    object(key: string): Fields | undefined {
        const value = this.raw[key];
        if (unset(value)) return undefined;
        if (!isObject(value)) throw new MalformedValue(this.at(key), value, "an object");
        return new Fields(value, this.at(key));
    }

    requiredObject(key: string): Fields {
        return Fields.required(this.raw[key], this.at(key));
    }

    /** A list whose entries must all be objects; unset is empty. */
    objects(key: string): Fields[] {
        return this.list(key).map((entry, i) => Fields.required(entry, `${this.at(key)}[${i}]`));
    }

    list(key: string): readonly unknown[] {
        const value = this.raw[key];
        if (unset(value)) return [];
        if (!Array.isArray(value)) throw new MalformedValue(this.at(key), value, "a list");
        return value;
    }

    strings(key: string): string[] {
        return this.list(key).map((entry, i) => {
            if (typeof entry !== "string") throw new MalformedValue(`${this.at(key)}[${i}]`, entry, "a string");
            return entry;
        });
    }

    boolean(key: string): boolean | undefined {
        const value = this.raw[key];
        if (unset(value)) return undefined;
        if (typeof value !== "boolean") throw new MalformedValue(this.at(key), value, "true or false");
        return value;
    }

    string(key: string): string | undefined {
        const value = this.raw[key];
        if (unset(value)) return undefined;
        if (typeof value !== "string") throw new MalformedValue(this.at(key), value, "a string");
        return value;
    }

    integer(key: string): number | undefined {
        const value = this.raw[key];
        if (unset(value)) return undefined;
        if (typeof value !== "number" || !Number.isInteger(value)) throw new MalformedValue(this.at(key), value, "an integer");
        return value;
    }

    /** String map (labels, annotations): every value must be a string. */
    stringMap(key: string): Record<string, string> {
        const map = this.object(key);
        const out: Record<string, string> = {};
        if (!map) return out;
        for (const [name, value] of Object.entries(map.raw)) {
            if (typeof value !== "string") throw new MalformedValue(map.at(name), value, "a string");
            out[name] = value;
        }
        return out;
    }
}
