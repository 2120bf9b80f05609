/**
 * IPv4 CIDRs in stack config: which values are refused (with the key named) and which are
 * accepted, at their literal boundaries; and the CIDR arithmetic the program derives addresses
 * and subnets with, where the program's own config can never reach the case.
 */
import { describe, expect, it } from "vitest";
import { serviceCidrFor } from "../components/cluster";
import { ConfigError, parsePlatformConfig, type RawConfigSource } from "../config";
import { addressAt, cidrsCoverEverything, cidrsOverlap, subnetOf } from "../config/cidr";
import { loadStackConfig } from "../plan/stackConfig";
import { PROJECT_DIR } from "../plan/run";
import { configValue, withConfig } from "./harness";

const dev = loadStackConfig(PROJECT_DIR, "dev");
const prod = loadStackConfig(PROJECT_DIR, "prod");

/** The problems config load reports for `source`, or [] when it loads. */
function problemsOf(source: RawConfigSource): string[] {
    try {
        parsePlatformConfig(source);
        return [];
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems;
    }
}

const withNetwork = (source: RawConfigSource, changes: Record<string, unknown>) =>
    withConfig({ network: { ...configValue<Record<string, unknown>>(source, "network"), ...changes } })(source);
const withEndpointCidrs = (source: RawConfigSource, publicAccessCidrs: string[]) => withConfig({ endpoint: { publicAccess: true, publicAccessCidrs } })(source);

describe("a value that is not an IPv4 CIDR is refused, naming the key and the expected form", () => {
    it.each(["10.256.0.0/16", "256.20.0.0/16", "10.20.0.256/16", "10.20.0/16", "10.20.0.0", "ten.twenty.0.0/16"])(
        "network.vpcCidr %s",
        (vpcCidr) => {
            expect(problemsOf(withNetwork(dev, { vpcCidr }))).toEqual([`eks-platform:network.vpcCidr = "${vpcCidr}": must be an IPv4 CIDR such as 10.0.0.0/16`]);
        },
    );

    it("a vpcCidr prefix above /32 is named as both malformed and outside /16 to /20", () => {
        expect(problemsOf(withNetwork(dev, { vpcCidr: "10.20.0.0/33" }))).toEqual([
            'eks-platform:network.vpcCidr = "10.20.0.0/33": must be an IPv4 CIDR such as 10.0.0.0/16',
            'eks-platform:network.vpcCidr = "10.20.0.0/33": must have a prefix between /16 and /20',
        ]);
    });

    it("an octet above 255 in any position, or a prefix above /32, in an endpoint allow-list entry", () => {
        expect(problemsOf(withEndpointCidrs(prod, ["256.0.0.0/8", "203.0.113.0/24", "203.0.113.256/32", "198.51.100.0/33"]))).toEqual([
            'eks-platform:endpoint.publicAccessCidrs[0] = "256.0.0.0/8": must be an IPv4 CIDR such as 10.0.0.0/16',
            'eks-platform:endpoint.publicAccessCidrs[2] = "203.0.113.256/32": must be an IPv4 CIDR such as 10.0.0.0/16',
            'eks-platform:endpoint.publicAccessCidrs[3] = "198.51.100.0/33": must be an IPv4 CIDR such as 10.0.0.0/16',
        ]);
    });

    it("a deploy runner source address with an octet above 255", () => {
        const runner = { ...configValue<Record<string, unknown>>(dev, "deployRunner"), sourceCidrs: ["198.51.100.256/32"] };
        expect(problemsOf(withConfig({ deployRunner: runner })(dev))).toEqual(['eks-platform:deployRunner.sourceCidrs[0] = "198.51.100.256/32": must be an IPv4 CIDR']);
    });

    it("an octet of 255 and a /32 are valid", () => {
        expect(problemsOf(withNetwork(dev, { vpcCidr: "10.255.0.0/16" }))).toEqual([]);
        expect(problemsOf(withEndpointCidrs(prod, ["203.0.113.255/32", "255.255.255.255/32"]))).toEqual([]);
    });
});

describe("network.vpcCidr must be a /16 to /20", () => {
    it.each(["10.20.0.0/15", "10.20.0.0/21", "10.0.0.0/8", "10.20.0.0/24"])("%s is refused, naming the key and the allowed prefixes", (vpcCidr) => {
        expect(problemsOf(withNetwork(dev, { vpcCidr }))).toEqual([`eks-platform:network.vpcCidr = "${vpcCidr}": must have a prefix between /16 and /20`]);
    });

    it.each(["10.20.0.0/16", "10.20.0.0/20"])("%s is accepted", (vpcCidr) => {
        expect(problemsOf(withNetwork(dev, { vpcCidr }))).toEqual([]);
    });
});

describe("a subnet CIDR is a /28 or larger, the smallest subnet AWS creates", () => {
    it("a /28 private and public subnet are accepted", () => {
        const network = { privateSubnetCidrs: ["10.20.0.0/28", "10.20.0.16/28"], publicSubnetCidrs: ["10.20.0.32/28", "10.20.0.48/28"] };
        expect(problemsOf(withNetwork(dev, network))).toEqual([]);
    });

    it("a /29 and a /32 are refused at their index, before AWS refuses them halfway through pulumi up", () => {
        const network = { privateSubnetCidrs: ["10.20.0.0/29", "10.20.0.16/28"], publicSubnetCidrs: ["10.20.0.32/28", "10.20.0.48/32"] };
        expect(problemsOf(withNetwork(dev, network))).toEqual([
            'eks-platform:network.privateSubnetCidrs[0] = "10.20.0.0/29": is smaller than AWS allows for a subnet: a /16 to a /28',
            'eks-platform:network.publicSubnetCidrs[1] = "10.20.0.48/32": is smaller than AWS allows for a subnet: a /16 to a /28',
        ]);
    });

    it("a malformed subnet is reported once, as malformed", () => {
        const network = { privateSubnetCidrs: ["10.20.0.0/33", "10.20.0.16/28"], publicSubnetCidrs: ["10.20.0.32/28", "10.20.0.48/28"] };
        expect(problemsOf(withNetwork(dev, network)).filter((p) => p.includes("privateSubnetCidrs[0]"))).toEqual([
            'eks-platform:network.privateSubnetCidrs[0] = "10.20.0.0/33": must be an IPv4 CIDR such as 10.0.0.0/16',
        ]);
    });
});

describe("subnet CIDRs may not overlap, in whatever order they are listed", () => {
    it("disjoint subnets listed highest first are accepted", () => {
        const network = { privateSubnetCidrs: ["10.20.32.0/19", "10.20.0.0/19"], publicSubnetCidrs: ["10.20.196.0/22", "10.20.192.0/22"] };
        expect(problemsOf(withNetwork(dev, network))).toEqual([]);
    });

    it("a later subnet inside an earlier one is reported at the later one, naming the earlier", () => {
        expect(problemsOf(withNetwork(dev, { privateSubnetCidrs: ["10.20.32.0/19", "10.20.0.0/19"], publicSubnetCidrs: ["10.20.192.0/22", "10.20.33.0/24"] }))).toEqual([
            'eks-platform:network.publicSubnetCidrs[1] = "10.20.33.0/24": overlaps privateSubnetCidrs[0] (10.20.32.0/19); every subnet needs its own range',
        ]);
    });

    it("ranges that share a single address overlap; ranges that only touch end to start do not", () => {
        expect(cidrsOverlap("10.20.0.0/24", "10.20.0.255/32")).toBe(true);
        expect(cidrsOverlap("10.20.0.255/32", "10.20.0.0/24")).toBe(true);
        expect(cidrsOverlap("10.20.0.0/24", "10.20.0.0/32")).toBe(true);
        expect(cidrsOverlap("10.20.0.0/32", "10.20.0.0/24")).toBe(true);
        expect(cidrsOverlap("10.20.0.0/24", "10.20.1.0/24")).toBe(false);
        expect(cidrsOverlap("10.20.1.0/24", "10.20.0.0/24")).toBe(false);
    });
});

describe("endpoint allow-lists that add up to the whole internet are refused, in any order", () => {
    const everything = (cidrs: string[]) =>
        `eks-platform:endpoint.publicAccessCidrs = ${JSON.stringify(cidrs)}: together cover every IPv4 address, which opens the API server to the whole internet; list your office/VPN CIDRs instead`;

    it.each([[["128.0.0.0/1", "0.0.0.0/1"]], [["192.0.0.0/2", "128.0.0.0/2", "64.0.0.0/2", "0.0.0.0/2"]], [["64.0.0.0/2", "128.0.0.0/1", "0.0.0.0/2"]]])("%j", (cidrs) => {
        expect(problemsOf(withEndpointCidrs(prod, cidrs))).toEqual([everything(cidrs)]);
    });

    it.each([
        ["a gap in the middle (64.0.0.0/2)", ["0.0.0.0/2", "128.0.0.0/1"]],
        ["a gap at the end (128.0.0.0/1)", ["0.0.0.0/2", "64.0.0.0/2"]],
        ["a gap at the start (0.0.0.0/1)", ["128.0.0.0/1", "203.0.113.0/24"]],
    ])("with %s they are accepted", (_, cidrs) => {
        expect(problemsOf(withEndpointCidrs(prod, cidrs))).toEqual([]);
    });

    it("every address but 255.255.255.255 is not every address", () => {
        // The /n that starts where the /1../n-1 before it end: 0.0.0.0/1, 128.0.0.0/2, ..., 255.255.255.254/32.
        const dotted = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
        const allButLast = [...Array(32).keys()].map((i) => `${dotted(2 ** 32 - 2 ** (32 - i))}/${i + 1}`);
        expect(allButLast.slice(0, 3)).toEqual(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"]);
        expect(allButLast.at(-1)).toBe("255.255.255.254/32");
        expect(cidrsCoverEverything(allButLast)).toBe(false);
        expect(cidrsCoverEverything([...allButLast, "255.255.255.255/32"])).toBe(true);
    });
});

describe("derived addresses and subnets", () => {
    it("the `kubernetes` Service's ClusterIP is the first address after the service range's network address", () => {
        expect(addressAt(serviceCidrFor("10.20.0.0/16"), 1)).toBe("172.20.0.1");
        expect(addressAt(serviceCidrFor("172.20.0.0/16"), 1)).toBe("10.100.0.1");
        expect(addressAt("10.20.0.0/30", 0)).toBe("10.20.0.0");
        expect(addressAt("10.20.0.0/30", 3)).toBe("10.20.0.3");
    });

    it("an address beyond the range is an error, not an address of the next range", () => {
        expect(() => addressAt("10.20.0.0/30", 4)).toThrow(new Error("10.20.0.0/30 has no address 4"));
    });

    it("the last subnet that fits is given; the next one is an error, not a subnet outside the range", () => {
        expect(subnetOf("10.20.0.0/16", 19, 7)).toBe("10.20.224.0/19");
        expect(() => subnetOf("10.20.0.0/16", 19, 8)).toThrow(new Error("subnet 8 of /19 does not fit in 10.20.0.0/16"));
        expect(() => subnetOf("10.20.0.0/16", 15, 0)).toThrow(new Error("subnet 0 of /15 does not fit in 10.20.0.0/16"));
    });
});
