/**
 * crdErrors evaluates the pinned CRDs' x-kubernetes-validations (CEL) rules as the API server
 * would at create time, on top of the structural schema check.
 */
import { describe, expect, it } from "vitest";
import { crdErrors, unsupportedCelRules, type CustomResource } from "./support/crdSchema";
import { upstreamAvailable, upstreamPins } from "./support/upstream";

const pins = upstreamAvailable ? upstreamPins() : {};
const karpenter = pins.karpenter;

/** Deep copy of `base` with `spec` shallowly merged, so each case changes only what it is about. */
function withSpec(base: CustomResource, spec: Record<string, unknown>): CustomResource {
    const copy = structuredClone(base);
    return { ...copy, spec: { ...(copy.spec as object), ...spec } };
}

const ec2NodeClass: CustomResource = {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name: "default" },
    spec: {
        role: "KarpenterNodeRole-demo",
        amiSelectorTerms: [{ alias: "al2023@v20261110" }],
        subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
        securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
    },
};

const nodePool: CustomResource = {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: "default" },
    spec: {
        template: {
            spec: {
                nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
                requirements: [
                    { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
                    { key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] },
                    { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["4"] },
                ],
            },
        },
        disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "1m" },
        limits: { cpu: "1000", memory: "1000Gi" },
    },
};

function requirements(resource: CustomResource): unknown[] {
    return ((resource.spec as { template: { spec: { requirements: unknown[] } } }).template.spec.requirements);
}

describe.skipIf(!upstreamAvailable)("CRD validation rules (x-kubernetes-validations)", () => {
    it("accepts a valid EC2NodeClass and NodePool", () => {
        expect(crdErrors("karpenter", karpenter, ec2NodeClass)).toEqual([]);
        expect(crdErrors("karpenter", karpenter, nodePool)).toEqual([]);
    });

    it("rejects a requirement with operator In and no values, with the CRD's message", () => {
        const pool = structuredClone(nodePool);
        requirements(pool).push({ key: "topology.kubernetes.io/zone", operator: "In", values: [] });
        expect(crdErrors("karpenter", karpenter, pool)).toEqual(["NodePool /spec/template/spec/requirements: requirements with operator 'In' must have a value defined"]);
    });

    it("rejects a Gt requirement whose value is not an integer", () => {
        const pool = structuredClone(nodePool);
        requirements(pool)[2] = { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["four"] };
        expect(crdErrors("karpenter", karpenter, pool)).toEqual([expect.stringMatching(/^NodePool \/spec\/template\/spec\/requirements: rule ".*int\(x\.values\[0\]\).*" could not be evaluated/)]);
    });

    it("rejects a requirement on a restricted label domain (the k8s regex find() function)", () => {
        const pool = structuredClone(nodePool);
        requirements(pool).push({ key: "karpenter.sh/custom", operator: "Exists" });
        expect(crdErrors("karpenter", karpenter, pool)).toEqual(['NodePool /spec/template/spec/requirements/3/key: label domain "karpenter.sh" is restricted']);
    });

    it("rejects an EC2NodeClass with both role and instanceProfile (spec-level rule)", () => {
        expect(crdErrors("karpenter", karpenter, withSpec(ec2NodeClass, { instanceProfile: "KarpenterNodeInstanceProfile" }))).toEqual([
            "EC2NodeClass /spec: must specify exactly one of ['role', 'instanceProfile']",
        ]);
    });

    it("rejects an amiSelectorTerms alias with an unsupported family", () => {
        expect(crdErrors("karpenter", karpenter, withSpec(ec2NodeClass, { amiSelectorTerms: [{ alias: "foo@latest" }] }))).toEqual([
            "EC2NodeClass /spec/amiSelectorTerms/0/alias: family is not supported, must be one of the following: 'al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025'",
        ]);
    });

    it("rejects an amiSelectorTerms term with both alias and id", () => {
        expect(crdErrors("karpenter", karpenter, withSpec(ec2NodeClass, { amiSelectorTerms: [{ alias: "al2023@latest", id: "ami-0123456789abcdef0" }] }))).toEqual([
            "EC2NodeClass /spec/amiSelectorTerms: 'id' is mutually exclusive, cannot be set with a combination of other fields in amiSelectorTerms",
            "EC2NodeClass /spec/amiSelectorTerms: 'alias' is mutually exclusive, cannot be set with a combination of other fields in amiSelectorTerms",
        ]);
    });

    it("evaluates rules on map values (restricted tags) and not on absent optional fields", () => {
        expect(crdErrors("karpenter", karpenter, withSpec(ec2NodeClass, { tags: { "karpenter.sh/nodepool": "x" } }))).toEqual([
            "EC2NodeClass /spec/tags: tag contains a restricted tag matching karpenter.sh/nodepool",
        ]);
        // blockDeviceMappings[].ebs carries "snapshotID or volumeSize must be defined"; no ebs, no rule.
        expect(crdErrors("karpenter", karpenter, withSpec(ec2NodeClass, { blockDeviceMappings: [{ deviceName: "/dev/xvda" }] }))).toEqual([]);
    });

    it("still reports undeclared fields (structural schema check)", () => {
        expect(crdErrors("karpenter", karpenter, withSpec(ec2NodeClass, { instanceProfil: "typo" }))).toEqual([
            'EC2NodeClass /spec: must NOT have additional properties "instanceProfil" (the API server would prune it)',
        ]);
    });

    // Rules the evaluator cannot compile would otherwise pass silently. None are known to be
    // impossible; one that shows up in a new pin must be supported or listed here with a reason.
    const knownUnsupported: Array<{ chart: string; kind: string; rule: string; why: string }> = [];

    it.each(["karpenter", "external-secrets", "velero", "kube-prometheus-stack"])("evaluates every CEL rule of the pinned %s CRDs", (chart) => {
        const unsupported = unsupportedCelRules(chart, pins[chart]);
        if (unsupported.length > 0) console.error(`unsupported CEL rules in ${chart}-${pins[chart]}:\n${unsupported.map((u) => `  ${u.kind} ${u.schemaPath}: ${u.rule} (${u.reason})`).join("\n")}`);
        const expected = knownUnsupported.filter((k) => k.chart === chart).map(({ kind, rule }) => ({ kind, rule }));
        expect(unsupported.map(({ kind, rule }) => ({ kind, rule }))).toEqual(expected);
    });
});
