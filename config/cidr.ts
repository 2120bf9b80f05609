/** IPv4 CIDR arithmetic, small enough that a dependency would cost more than it saves. */

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

interface Range {
    start: number;
    end: number;
}

export function isIpv4Cidr(value: string): boolean {
    const match = IPV4_CIDR.exec(value);
    if (!match) return false;
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return false;
    const base = toNumber(octets);
    return base % 2 ** (32 - prefix) === 0;
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
