/** IPv4 CIDR arithmetic, small enough that a dependency would cost more than it saves. */

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

interface Range {
    start: number;
    end: number;
}

export function isIpv4Cidr(value: string): boolean {
    return cidrProblem(value) === undefined;
}

/**
 * Why `value` is not an IPv4 network in CIDR notation, or undefined if it is. An address with
 * host bits set (10.20.1.0/16) names the network it would mean (10.20.0.0/16).
 */
export function cidrProblem(value: string): string | undefined {
    const match = IPV4_CIDR.exec(value);
    const octets = match?.slice(1, 5).map(Number) ?? [];
    const prefix = Number(match?.[5]);
    if (!match || octets.some((o) => o > 255) || prefix > 32) return "must be an IPv4 CIDR such as 10.0.0.0/16";
    const address = toNumber(octets);
    const size = 2 ** (32 - prefix);
    if (address % size !== 0) {
        return `has host bits set: a /${prefix} starts at ${fromNumber(address - (address % size))}, so write ${fromNumber(address - (address % size))}/${prefix}`;
    }
    return undefined;
}

function toNumber(octets: number[]): number {
    return octets.reduce((acc, octet) => acc * 256 + octet, 0);
}

function toRange(cidr: string): Range {
    const [address, prefixText] = cidr.split("/");
    const start = toNumber(address.split(".").map(Number));
    return { start, end: start + 2 ** (32 - Number(prefixText)) - 1 };
}

function fromNumber(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export function cidrContains(outer: string, inner: string): boolean {
    const a = toRange(outer);
    const b = toRange(inner);
    return b.start >= a.start && b.end <= a.end;
}

export function cidrsOverlap(first: string, second: string): boolean {
    const a = toRange(first);
    const b = toRange(second);
    return a.start <= b.end && b.start <= a.end;
}

/** The `n`-th address of `cidr` (0 is the network address). */
export function addressAt(cidr: string, n: number): string {
    const { start, end } = toRange(cidr);
    if (start + n > end) throw new Error(`${cidr} has no address ${n}`);
    return fromNumber(start + n);
}

/** The `index`-th subnet of `newPrefix` inside `cidr` (like Terraform's cidrsubnet). */
export function subnetOf(cidr: string, newPrefix: number, index: number): string {
    const { start } = toRange(cidr);
    const size = 2 ** (32 - newPrefix);
    const subnetStart = start + size * index;
    if (!cidrContains(cidr, `${fromNumber(subnetStart)}/${newPrefix}`)) {
        throw new Error(`subnet ${index} of /${newPrefix} does not fit in ${cidr}`);
    }
    return `${fromNumber(subnetStart)}/${newPrefix}`;
}

/** Whether the CIDRs together cover every IPv4 address (0.0.0.0/1 plus 128.0.0.0/1 does). */
export function cidrsCoverEverything(cidrs: string[]): boolean {
    const ranges = cidrs.map(toRange).sort((a, b) => a.start - b.start);
    let next = 0;
    for (const range of ranges) {
        if (range.start > next) return false;
        next = Math.max(next, range.end + 1);
    }
    return next > 0xffffffff;
}
