// The offline engine: config handling like the CLI, deterministic output, unknowns.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluatePolicies, loadPolicyPackConfig, platformPolicyConfigPath, UNKNOWN } from "../../policy/engine";
import { compliantStack, container, deployment, evaluate, podSpec, resource } from "./helpers";

const broken = () => [deployment(podSpec({ hostPID: true, containers: [container("c", { securityContext: {} })] }), "bad", 1, "shop")];
const levelOf = (policy: string, config: object) => evaluate(broken(), config).violations.find((v) => v.policy === policy)?.enforcementLevel;

describe("policy pack config", () => {
    it("uses each policy's default level", () => {
        expect(levelOf("k8s-no-host-namespaces", {})).toBe("mandatory");
        expect(levelOf("k8s-read-only-root-filesystem", {})).toBe("advisory");
    });

    it("applies `all`, then per-policy overrides", () => {
        const config = { all: "advisory", "k8s-read-only-root-filesystem": { enforcementLevel: "mandatory" } };
        expect(levelOf("k8s-no-host-namespaces", config)).toBe("advisory");
        expect(levelOf("k8s-read-only-root-filesystem", config)).toBe("mandatory");
    });

    it("skips disabled policies and reports remediate as mandatory", () => {
        expect(levelOf("k8s-no-host-namespaces", { "k8s-no-host-namespaces": "disabled" })).toBeUndefined();
        expect(levelOf("k8s-read-only-root-filesystem", { "k8s-read-only-root-filesystem": "remediate" })).toBe("mandatory");
    });

    it("rejects bad levels, unknown policies and knobs, and wrong knob types, naming them", () => {
        expect(() => evaluatePolicies([], { all: "fatal" })).toThrow(/"all".*enforcementLevel must be one of/);
        expect(() => evaluatePolicies([], { "no-such-policy": "advisory" })).toThrow(/unknown policy "no-such-policy"/);
        expect(() => evaluatePolicies([], { "k8s-image-pinned": { allowedRegistry: [] } })).toThrow(/k8s-image-pinned.*unknown key "allowedRegistry"/);
        expect(() => evaluatePolicies([], { "k8s-image-pinned": { allowedRegistries: "ecr" } })).toThrow(/k8s-image-pinned.*allowedRegistries must be array/);
    });

    it("loadPolicyPackConfig names the file", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "policy-config-"));
        const invalidJson = path.join(dir, "bad.json");
        writeFileSync(invalidJson, "{ nope");
        expect(() => loadPolicyPackConfig(invalidJson)).toThrow(new RegExp(`${invalidJson.replace(/[/\\.]/g, "\\$&")}: invalid JSON`));
        const wrongKnob = path.join(dir, "knob.json");
        writeFileSync(wrongKnob, JSON.stringify({ "ec2-imds-hop-limit": { maximumHopLimit: 0 } }));
        expect(() => loadPolicyPackConfig(wrongKnob)).toThrow(/knob\.json: policy "ec2-imds-hop-limit": maximumHopLimit must be >= 1/);
        expect(() => loadPolicyPackConfig(path.join(dir, "missing.json"))).toThrow(/missing\.json: cannot read policy config \(ENOENT\)/);
    });

    it("the platform config is valid and raises the stack-completeness rules to mandatory", () => {
        const config = loadPolicyPackConfig(platformPolicyConfigPath);
        expect(path.isAbsolute(platformPolicyConfigPath)).toBe(true);
        for (const policy of ["k8s-namespace-limit-range", "k8s-replicated-workload-pdb", "helm-chart-version-pinned", "eks-system-and-application-node-groups"]) {
            expect(config[policy]).toBe("mandatory");
        }
    });
});

describe("evaluatePolicies", () => {
    it("sorts violations deterministically whatever the input order", () => {
        const stack = [...compliantStack(), ...broken(), resource("aws:kms/key:Key", {}, "a"), resource("aws:ecr/repository:Repository", {}, "z")];
        const forward = evaluatePolicies(stack);
        const backward = evaluatePolicies([...stack].reverse());
        expect(backward).toEqual(forward);
        const keys = forward.violations.map((v) => `${v.urn}\u0000${v.policy}\u0000${v.message}`);
        expect(keys).toEqual([...keys].sort());
        expect(forward.violations.length).toBeGreaterThan(5);
    });

    it("never crashes on unknown values anywhere, reporting them as not evaluated", () => {
        const unknownEverywhere = [
            resource("kubernetes:apps/v1:Deployment", { metadata: UNKNOWN, spec: UNKNOWN }),
            resource("aws:eks/cluster:Cluster", { vpcConfig: UNKNOWN, enabledClusterLogTypes: [UNKNOWN], accessConfig: { authenticationMode: UNKNOWN } }),
            resource("aws:iam/policy:Policy", { policy: UNKNOWN }),
            resource("aws:s3/bucket:Bucket", { bucket: UNKNOWN }),
            resource("aws:s3/bucketVersioning:BucketVersioning", { bucket: UNKNOWN, versioningConfiguration: UNKNOWN }),
            resource("eks:index:ManagedNodeGroup", { taints: UNKNOWN, remoteAccess: UNKNOWN }),
            resource("kubernetes:core/v1:Namespace", { metadata: { name: UNKNOWN, labels: UNKNOWN } }),
        ];
        const report = evaluatePolicies(unknownEverywhere);
        const notEvaluated = new Set(report.notEvaluated.map((n) => n.policy));
        for (const policy of ["k8s-run-as-non-root", "eks-cluster-endpoint-restricted", "eks-cluster-authentication-mode-api", "iam-no-admin-access", "s3-bucket-versioning", "ssh-not-open-to-world", "k8s-namespace-pod-security"]) {
            expect(notEvaluated, policy).toContain(policy);
        }
        expect(report.notEvaluated.every((n) => /can't be known during preview/.test(n.reason))).toBe(true);
    });
});
