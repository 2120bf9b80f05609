// One deny fixture per policy (plus the compliant stack as the shared allow fixture), one deny
// and one allow fixture per Pod Security Standards control, and guards that no policy or
// control is added without them.
import { describe, expect, it } from "vitest";
import { loadPolicyPackConfig, platformPolicyConfigPath, platformPolicyConfigPathFor } from "../../policy/engine";
import { isPodSecurityPolicy } from "../../policy/lib/podSecurity";
import { allPolicies } from "../../policy/policies";
import { denyFixtures, denyStack, podResource } from "./fixtures/denyFixtures";
import { CONTAINER_LISTS, CONTROL_FIXTURES, POD_BEARING_TYPES, podWith } from "./fixtures/podSecurity";
import { compliantStack, evaluate, violationsOf } from "./helpers";

const platformConfig = () => loadPolicyPackConfig(platformPolicyConfigPath);

const M = "mandatory";
const A = "advisory";
/**
 * Each policy's own enforcement level and severity, as its metadata declares them (what a
 * user of the pack gets without the platform's config). Literal: changing a level is a
 * decision, made here as well as in the policy.
 */
const METADATA: Record<string, [typeof M | typeof A, "low" | "medium" | "high" | "critical"]> = {
    "cloudwatch-log-group-encryption": [M, "medium"],
    "cloudwatch-log-group-retention": [M, "low"],
    "ebs-default-encryption": [M, "medium"],
    "ebs-encryption": [M, "high"],
    "ec2-imds-hop-limit": [M, "high"],
    "ec2-imdsv2-required": [M, "high"],
    "ec2-no-public-ip": [M, "high"],
    "ecr-scan-on-push": [M, "medium"],
    "ecr-tag-immutability": [M, "medium"],
    "eks-cluster-audit-logging": [M, "high"],
    "eks-cluster-authentication-mode-api": [M, "medium"],
    "eks-cluster-deletion-protection": [M, "medium"],
    "eks-cluster-endpoint-not-public": [M, "medium"],
    "eks-cluster-endpoint-restricted": [M, "high"],
    "eks-cluster-private-endpoint": [M, "medium"],
    "eks-cluster-secrets-encryption": [M, "high"],
    "eks-cluster-supported-version": [M, "high"],
    "eks-node-role-ecr-read-only": [M, "high"],
    "eks-system-and-application-node-groups": [A, "medium"],
    "eks-vpc-cni-network-policy": [M, "critical"],
    "helm-chart-version-pinned": [A, "medium"],
    "iam-no-admin-access": [M, "critical"],
    "iam-no-kms-decrypt-on-all-keys": [M, "high"],
    "iam-no-service-wildcard-actions": [M, "high"],
    "iam-role-trust-no-wildcard-principal": [M, "critical"],
    "k8s-apparmor-profile": [M, "high"],
    "k8s-image-pinned": [M, "medium"],
    "k8s-internal-load-balancer": [M, "high"],
    "k8s-namespace-default-deny-network-policy": [A, "medium"],
    "k8s-namespace-limit-range": [A, "low"],
    "k8s-namespace-pod-security": [M, "high"],
    "k8s-namespace-resource-quota": [A, "low"],
    "k8s-no-cluster-admin-binding": [M, "critical"],
    "k8s-no-default-namespace": [M, "medium"],
    "k8s-no-host-namespaces": [M, "critical"],
    "k8s-no-host-path-volumes": [M, "high"],
    "k8s-no-host-ports": [M, "medium"],
    "k8s-no-inline-secret-data": [A, "medium"],
    "k8s-no-plaintext-secrets": [M, "high"],
    "k8s-no-privilege-escalation": [M, "high"],
    "k8s-no-privileged-containers": [M, "critical"],
    "k8s-no-probe-or-lifecycle-host": [M, "medium"],
    "k8s-no-windows-host-process": [M, "critical"],
    "k8s-pdb-allows-disruption": [M, "medium"],
    "k8s-proc-mount-default": [M, "high"],
    "k8s-rbac-no-wildcards": [M, "high"],
    "k8s-read-only-root-filesystem": [A, "low"],
    "k8s-replicated-workload-pdb": [A, "medium"],
    "k8s-resource-requests-limits": [M, "medium"],
    "k8s-restricted-capabilities": [M, "high"],
    "k8s-restricted-volume-types": [M, "medium"],
    "k8s-run-as-non-root": [M, "high"],
    "k8s-safe-sysctls": [M, "high"],
    "k8s-seccomp-profile": [M, "medium"],
    "k8s-selinux-options": [M, "high"],
    "kms-key-policy-not-public": [M, "critical"],
    "kms-key-rotation": [M, "medium"],
    "s3-account-public-access-block": [M, "high"],
    "s3-bucket-access-logging": [M, "medium"],
    "s3-bucket-acls-disabled": [M, "medium"],
    "s3-bucket-encryption": [M, "high"],
    "s3-bucket-object-lock": [M, "medium"],
    "s3-bucket-policy-not-public": [M, "critical"],
    "s3-bucket-public-access-block": [M, "critical"],
    "s3-bucket-require-tls": [M, "high"],
    "s3-bucket-versioning": [M, "medium"],
    "security-group-authorized-ports": [M, "high"],
    "security-group-high-risk-ports": [M, "critical"],
    "sqs-queue-encryption": [M, "medium"],
    "sqs-queue-policy-not-public": [M, "critical"],
    "ssh-not-open-to-world": [M, "high"],
    "subnet-no-auto-public-ip": [M, "medium"],
    "vpc-default-security-group-closed": [M, "high"],
    "vpc-flow-logs-enabled": [M, "medium"],
};

/** The level the platform's own config gives each policy in each environment (policy/platform-policy-config*.json). */
const ADVISORY_EVERYWHERE = ["k8s-no-inline-secret-data"];
/** Resilience and evidence: mandatory in prod, advisory in dev and staging (docs/policies.md, levels per environment). */
const PROD_ONLY = ["cloudwatch-log-group-retention", "eks-cluster-deletion-protection", "eks-cluster-endpoint-not-public", "s3-bucket-access-logging", "s3-bucket-object-lock"];
function platformLevel(policy: string, environment: "dev" | "staging" | "prod"): string {
    if (ADVISORY_EVERYWHERE.includes(policy)) return A;
    if (PROD_ONLY.includes(policy)) return environment === "prod" ? M : A;
    return M;
}

describe("every policy", () => {
    it("has a deny fixture, and no fixture is orphaned", () => {
        expect(Object.keys(denyFixtures).sort()).toEqual(allPolicies.map((p) => p.name).sort());
    });

    it("accepts the compliant stack, even under the platform config", () => {
        expect(evaluate(compliantStack(), platformConfig())).toEqual({ violations: [], notEvaluated: [] });
    });

    it.each(Object.entries(denyFixtures))("%s denies its fixture", (name, fixture) => {
        const messages = violationsOf(name, denyStack(name));
        expect(messages.length).toBeGreaterThan(0);
        expect(messages.join("\n")).toMatch(fixture.message);
    });

    it.each(Object.keys(denyFixtures))("%s reports its fixture at its own level without config, and at the platform's level in each environment", (name) => {
        const levelsUnder = (config?: ReturnType<typeof platformConfig>) => [...new Set(evaluate(denyStack(name), config).violations.filter((v) => v.policy === name).map((v) => v.enforcementLevel))];
        expect(levelsUnder()).toEqual([METADATA[name][0]]);
        for (const environment of ["dev", "staging", "prod"] as const) {
            expect(levelsUnder(loadPolicyPackConfig(platformPolicyConfigPathFor(environment))), environment).toEqual([platformLevel(name, environment)]);
        }
    });

    it("has its level and severity in the table above, and the table names no other policy", () => {
        expect(Object.keys(METADATA).sort()).toEqual(allPolicies.map((p) => p.name).sort());
    });

    it.each(allPolicies.map((p) => [p.name, p] as const))("%s carries its metadata", (name, policy) => {
        expect(policy.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
        expect(policy.description.length).toBeGreaterThan(10);
        expect([policy.enforcementLevel, policy.severity]).toEqual(METADATA[name]);
        expect(policy.frameworks.length).toBeGreaterThan(0);
        expect(Object.keys(policy.configSchema?.properties ?? {})).toEqual(expect.arrayContaining(["exemptNamespaces", "exemptNames", "exemptLabels"]));
    });
});

describe("every Pod Security Standards control", () => {
    const podSecurityPolicies = allPolicies.filter(isPodSecurityPolicy);
    const citedControls = podSecurityPolicies.flatMap((p) =>
        p.frameworks.filter((f) => f.framework === "Pod Security Standards").map((f) => `${f.reference} -> ${p.name}`),
    );

    it("has exactly one deny and one allow fixture, for the policy whose metadata cites it", () => {
        expect(CONTROL_FIXTURES.map((f) => `${f.control} -> ${f.policy}`).sort()).toEqual(citedControls.sort());
        expect(new Set(CONTROL_FIXTURES.map((f) => f.control)).size).toBe(CONTROL_FIXTURES.length);
        // Both levels of the standard: 12 baseline controls and 6 restricted ones.
        expect(CONTROL_FIXTURES.filter((f) => f.control.startsWith("Baseline: "))).toHaveLength(12);
        expect(CONTROL_FIXTURES.filter((f) => f.control.startsWith("Restricted: "))).toHaveLength(6);
    });

    it.each(CONTROL_FIXTURES.map((f) => [f.control, f] as const))("%s: the deny fixture's one fault is reported by its policy alone, as mandatory", (_control, fixture) => {
        const report = evaluate([...compliantStack(), podResource("kubernetes:apps/v1:Deployment", "bad", podWith(fixture.deny))], platformConfig());
        expect(report.notEvaluated).toEqual([]);
        expect(report.violations.map((v) => [v.policy, v.enforcementLevel])).toEqual([[fixture.policy, "mandatory"]]);
    });

    it.each(CONTROL_FIXTURES.map((f) => [f.control, f] as const))("%s: the allow fixture passes the whole pack under the platform config", (_control, fixture) => {
        expect(evaluate([...compliantStack(), podResource("kubernetes:apps/v1:Deployment", "good", podWith(fixture.allow))], platformConfig())).toEqual({
            violations: [],
            notEvaluated: [],
        });
    });

    it.each(CONTROL_FIXTURES.map((f) => [f.control, f] as const))("%s: the fault is found in every pod-bearing kind and every container list", (_control, fixture) => {
        const lists = fixture.deny.container ? CONTAINER_LISTS : (["containers"] as const);
        const resources = POD_BEARING_TYPES.flatMap((type) => lists.map((list) => podResource(type, `bad-${list.toLowerCase()}`, podWith(fixture.deny, list))));
        const report = evaluate(resources);
        for (const resource of resources) {
            const policies = report.violations.filter((v) => v.urn === resource.urn && v.enforcementLevel === "mandatory").map((v) => v.policy);
            expect([...new Set(policies)], resource.urn).toEqual([fixture.policy]);
        }
    });
});
