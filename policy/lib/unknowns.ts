// Unknown values: during `pulumi preview` some inputs are not known yet. @pulumi/policy hands
// policies a proxy over the inputs that throws `UnknownValueError` when such a value is read,
// and the engine reports the policy as "not run" instead of failing. We reuse that very proxy
// (the offline engine wraps records the same way) so behaviour offline matches the real engine.
import * as proxyModule from "@pulumi/policy/proxy";

interface PolicyProxyModule {
    unknownCheckingProxy<T extends object>(value: T): T;
    UnknownValueError: new (sentinel: string, props: string[]) => Error;
    unknownStringValue: string;
    unknownBooleanValue: string;
    unknownNumberValue: string;
    unknownArrayValue: string;
    unknownAssetValue: string;
    unknownArchiveValue: string;
    unknownObjectValue: string;
}

// The module ships an empty declaration file (its exports are marked internal), hence the cast.
const policyProxy = proxyModule as unknown as PolicyProxyModule;

/** The sentinel Pulumi writes for an unknown string; offline records use it for every unknown. */
export const UNKNOWN_SENTINEL: string = policyProxy.unknownStringValue;

const SENTINELS = new Set([
    policyProxy.unknownStringValue,
    policyProxy.unknownBooleanValue,
    policyProxy.unknownNumberValue,
    policyProxy.unknownArrayValue,
    policyProxy.unknownAssetValue,
    policyProxy.unknownArchiveValue,
    policyProxy.unknownObjectValue,
]);

/** Is any value in the tree one of the sentinels the unknown-checking proxy reacts to? */
export function containsUnknown(value: unknown): boolean {
    if (typeof value === "string") return SENTINELS.has(value);
    if (typeof value !== "object" || value === null) return false;
    return Object.values(value).some(containsUnknown);
}

export function isUnknownValueError(error: unknown): error is Error {
    return error instanceof policyProxy.UnknownValueError;
}

export function unknownCheckingProxy<T extends object>(value: T): T {
    return policyProxy.unknownCheckingProxy(value);
}

/**
 * Lets a policy keep going past one unknown value (one container, one statement...) so that a
 * violation it CAN prove elsewhere is still reported. Extractors take one of these; `strict`
 * lets the error propagate.
 */
export interface UnknownTolerance {
    tolerate<T>(read: () => T): T | undefined;
}

export const strict: UnknownTolerance = { tolerate: (read) => read() };

/** Collects the first unknown it swallows so the caller can rethrow it if nothing else was found. */
export class UnknownCollector implements UnknownTolerance {
    firstUnknown: Error | undefined;

    tolerate<T>(read: () => T): T | undefined {
        try {
            return read();
        } catch (error) {
            if (!isUnknownValueError(error)) throw error;
            this.firstUnknown ??= error;
            return undefined;
        }
    }

    /** Runs `visit` for every index of `items`; an unknown element or field skips only that element. */
    each<T>(items: readonly T[], visit: (item: T, index: number) => void): void {
        const count = this.tolerate(() => items.length) ?? 0;
        for (let i = 0; i < count; i++) {
            this.tolerate(() => visit(items[i] as T, i));
        }
    }
}

/** Reads a value, or reports that it is unknown, without throwing. */
export const UNKNOWN: unique symbol = Symbol("unknown value");
export function readOrUnknown<T>(read: () => T): T | typeof UNKNOWN {
    try {
        return read();
    } catch (error) {
        if (isUnknownValueError(error)) return UNKNOWN;
        throw error;
    }
}
