// The pack against the pods Kubernetes' own pod-security-admission labels as passing or failing
// each level, at every policy version: every failing pod is blocked by the policy implementing
// its check, and no pod valid at restricted is blocked by any Pod Security policy.
import { describe, expect, it } from "vitest";
import { evaluatePolicies, ResourceUnderTest } from "../../policy/engine";
import { isPodSecurityPolicy, LATEST_POD_SECURITY_MINOR } from "../../policy/lib/podSecurity";
import { allPolicies } from "../../policy/policies";
import { CHECKS, checksFor, corpus, CorpusPod, LATEST_MINOR, Level } from "./fixtures/podSecurityCorpus";
import { asKind, POD_BEARING_TYPES } from "./fixtures/podSecurity";

const podSecurityPolicies = allPolicies.filter(isPodSecurityPolicy);
const policiesForCheck = (check: string) => podSecurityPolicies.filter((p) => p.podSecurityChecks.includes(check)).map((p) => p.name);
/** Policies that implement baseline checks only: they must accept everything baseline accepts. */
const baselineOnly = podSecurityPolicies.filter((p) => p.podSecurityChecks.every((check) => CHECKS[check].level === "baseline")).map((p) => p.name);

const versionConfig = (minor: number) =>
    Object.fromEntries(podSecurityPolicies.map((p) => [p.name, { podSecurityVersion: minor === LATEST_MINOR ? "latest" : `v1.${minor}` }]));

interface Verdict {
    pod: CorpusPod;
    type: string;
    policies: string[];
    mandatory: boolean;
}

/** Evaluates a batch of corpus pods (as `type`), returning which Pod Security policies blocked each. */
function verdicts(pods: CorpusPod[], minor: number, type = "kubernetes:core/v1:Pod"): Verdict[] {
    const resources: ResourceUnderTest[] = pods.map((entry, i) => {
        const name = `${entry.level}-${entry.name}-${i}`.toLowerCase().replace(/_/g, "-");
        return { urn: `urn:pulumi:corpus::pss::${type}::${name}`, type, name, props: asKind(type, name, entry.pod) };
    });
    const report = evaluatePolicies(resources, versionConfig(minor));
    const podSecurityNames = new Set(podSecurityPolicies.map((p) => p.name));
    return resources.map((resource, i) => {
        const found = report.violations.filter((v) => v.urn === resource.urn && podSecurityNames.has(v.policy));
        expect(report.notEvaluated.filter((n) => n.urn === resource.urn)).toEqual([]);
        return { pod: pods[i], type, policies: [...new Set(found.map((v) => v.policy))], mandatory: found.some((v) => v.enforcementLevel === "mandatory") };
    });
}

const label = (v: Verdict) => `${v.type} ${v.pod.level}/v1.${v.pod.minor} ${v.pod.name}: ${JSON.stringify(v.pod.pod)}`;
const MINORS = Array.from({ length: LATEST_MINOR + 1 }, (_, minor) => minor);

describe("Pod Security Standards, as pod-security-admission defines them", () => {
    it("the pack's latest version is the newest the corpus knows", () => {
        expect(LATEST_POD_SECURITY_MINOR).toBe(LATEST_MINOR);
    });

    it("every admission check is implemented by a policy, and every Pod Security policy by a check", () => {
        const implemented = new Set(podSecurityPolicies.flatMap((p) => p.podSecurityChecks));
        expect([...implemented].sort()).toEqual(Object.keys(CHECKS).sort());
        expect(checksFor("restricted", LATEST_MINOR).sort()).toEqual([
            "allowPrivilegeEscalation", "appArmorProfile", "capabilities_restricted", "hostNamespaces", "hostPorts",
            "hostProbesAndHostLifecycle", "privileged", "procMount_restricted", "restrictedVolumes", "runAsNonRoot",
            "runAsUser", "seLinuxOptions", "seccompProfile_restricted", "sysctls", "windowsHostProcess",
        ]);
    });

    it.each(MINORS)("v1.%i: every pod failing restricted or baseline is blocked by the policy of its check, and no restricted-valid pod is blocked", (minor) => {
        const summary = { fail: 0, restrictedPass: 0, baselinePass: 0 };
        for (const level of ["restricted", "baseline"] as Level[]) {
            for (const verdict of verdicts(corpus(level, minor), minor)) {
                const { pod } = verdict;
                if (pod.outcome === "fail") {
                    summary.fail++;
                    const expected = policiesForCheck(pod.check);
                    expect(verdict.policies.filter((p) => expected.includes(p)), label(verdict)).not.toEqual([]);
                    expect(verdict.mandatory, label(verdict)).toBe(true);
                } else if (level === "restricted") {
                    summary.restrictedPass++;
                    expect(verdict.policies, label(verdict)).toEqual([]);
                } else {
                    summary.baselinePass++;
                    expect(verdict.policies.filter((p) => baselineOnly.includes(p)), label(verdict)).toEqual([]);
                }
            }
        }
        expect(summary.fail).toBeGreaterThan(0);
        expect(summary.restrictedPass).toBeGreaterThan(0);
    });

    it.each(POD_BEARING_TYPES)("latest: the same verdicts for every pod of the corpus as a %s", (type) => {
        const pods = corpus("restricted", LATEST_MINOR);
        for (const verdict of verdicts(pods, LATEST_MINOR, type)) {
            if (verdict.pod.outcome === "fail") expect(verdict.policies.filter((p) => policiesForCheck(verdict.pod.check).includes(p)), label(verdict)).not.toEqual([]);
            else expect(verdict.policies, label(verdict)).toEqual([]);
        }
    });

    it("version matters: a check that starts later is not applied to an older pinned version", () => {
        const probeHost = corpus("restricted", LATEST_MINOR).find((p) => p.check === "hostProbesAndHostLifecycle" && p.outcome === "fail")!;
        expect(verdicts([probeHost], 33)[0].policies).toEqual([]);
        expect(verdicts([probeHost], 34)[0].policies).toEqual(["k8s-no-probe-or-lifecycle-host"]);
        const userNamespaceRoot = { ...probeHost, check: "runAsUser", pod: { metadata: {}, spec: { ...corpus("restricted", 35)[0].pod.spec, hostUsers: false, securityContext: { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } } } } };
        expect(verdicts([userNamespaceRoot], 34)[0].policies).toEqual(["k8s-run-as-non-root"]);
        expect(verdicts([userNamespaceRoot], 35)[0].policies).toEqual([]);
    });
});
