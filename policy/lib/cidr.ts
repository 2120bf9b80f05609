// "Open to the internet" is a property of a SET of CIDRs, not of one: 0.0.0.0/1 plus 128.0.0.0/1
// is every IPv4 address although neither is 0.0.0.0/0. We merge the ranges a list allows and
// ask whether they cover a whole address family.
import { Address4, Address6 } from "ip-address";

type Family = "ipv4" | "ipv6";

interface Range {
    family: Family;
    start: bigint;
    end: bigint;
}

const LAST_ADDRESS: Record<Family, bigint> = { ipv4: 2n ** 32n - 1n, ipv6: 2n ** 128n - 1n };

/** A CIDR (or a bare address) as the range of addresses it allows; undefined when unparsable. */
function rangeOf(text: string): Range | undefined {
    const value = text.trim();
    // isValid is the constructor in a try: a valid address constructs without throwing.
    if (Address4.isValid(value)) {
        const address = new Address4(value);
        return { family: "ipv4", start: address.startAddress().bigInt(), end: address.endAddress().bigInt() };
    }
    if (Address6.isValid(value)) {
        const address = new Address6(value);
        return { family: "ipv6", start: address.startAddress().bigInt(), end: address.endAddress().bigInt() };
    }
    return undefined;
}

function covers(ranges: Range[], family: Family): boolean {
    const sorted = ranges.filter((r) => r.family === family).sort((a, b) => Number(a.start - b.start));
    let next = 0n; // first address not yet covered
    for (const range of sorted) {
        if (range.start > next) return false;
        if (range.end >= next) next = range.end + 1n;
        if (next > LAST_ADDRESS[family]) return true;
    }
    return false;
}

/** Which whole address families the union of these CIDRs covers. Unparsable entries allow nothing. */
export function coveredFamilies(cidrs: readonly string[]): Family[] {
    const ranges = cidrs.map(rangeOf).filter((r): r is Range => r !== undefined);
    return (["ipv4", "ipv6"] as const).filter((family) => covers(ranges, family));
}

/** True when the CIDRs together admit every IPv4 or every IPv6 address. */
export function opensToInternet(cidrs: readonly string[]): boolean {
    return coveredFamilies(cidrs).length > 0;
}

/** "0.0.0.0/0" or "the whole IPv4 internet (0.0.0.0/1, 128.0.0.0/1)": what a message should say. */
export function describeInternet(cidrs: readonly string[]): string {
    const families = coveredFamilies(cidrs);
    const literal = cidrs.filter((c) => c.trim() === "0.0.0.0/0" || c.trim() === "::/0");
    // Called for CIDRs that open to the internet: at least one family is covered.
    if (literal.length >= families.length) return literal.join(", ");
    return `the whole ${families.map((f) => (f === "ipv4" ? "IPv4" : "IPv6")).join(" and ")} internet (${cidrs.join(", ")})`;
}
