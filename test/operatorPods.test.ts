// Pods that operators create from the program's settings: Prometheus and Alertmanager from
// their custom resources, Trivy's scan jobs from the operator's ConfigMap. Built here from the
// dev and prod plans' Helm values the way the charts pass them on (the render step does the same
// from the charts' real output), then judged by Pod Security admission at the namespace's level.
import { beforeAll, describe, expect, it } from "vitest";
import type { ResourceUnderTest } from "../policy/engine";
import { operatorPods } from "../plan/helm/operatorPods";
import { enforcedLevels, predictAdmission } from "../plan/helm/podSecurity";
import { planStack, type Recorded } from "./harness";

type Values = Record<string, any>;

function releaseValues(recorded: Recorded, name: string): Values {
    return recorded.one("kubernetes:helm.sh/v3:Release", name).props.values as Values;
}

function object(kind: string, apiVersion: string, namespace: string, name: string, rest: Values): ResourceUnderTest {
    const type = `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
    return { urn: `urn:pulumi:test::eks-platform::${type}::${name}`, type, name, props: { apiVersion, kind, metadata: { name, namespace }, ...rest } };
}

/** kube-prometheus-stack 88.5.3 copies these keys of prometheusSpec / alertmanagerSpec into the CR's spec (toYaml). */
function monitoringResources(values: Values): ResourceUnderTest[] {
    const spec = (given: Values) => ({ securityContext: given.securityContext, containers: given.containers, initContainers: given.initContainers });
    return [
        object("Prometheus", "monitoring.coreos.com/v1", "monitoring", "kube-prometheus-stack-prometheus", { spec: spec(values.prometheus.prometheusSpec) }),
        object("Alertmanager", "monitoring.coreos.com/v1", "monitoring", "kube-prometheus-stack-alertmanager", { spec: spec(values.alertmanager.alertmanagerSpec) }),
    ];
}

/** trivy-operator 0.34.0 writes the scan-job security contexts into its ConfigMap as JSON (toJson). */
function trivyConfigMap(values: Values): ResourceUnderTest {
    const settings = values.trivyOperator;
    return object("ConfigMap", "v1", "trivy-system", "trivy-operator", {
        data: {
            "scanJob.podTemplatePodSecurityContext": JSON.stringify(settings.scanJobPodTemplatePodSecurityContext),
            "scanJob.podTemplateContainerSecurityContext": JSON.stringify(settings.scanJobPodTemplateContainerSecurityContext),
        },
    });
}

describe.each(["dev", "prod"])("operator-created pods of the %s plan", (stack) => {
    let recorded: Recorded;
    let levels: ReturnType<typeof enforcedLevels>;
    beforeAll(async () => {
        ({ recorded } = await planStack(stack));
        levels = enforcedLevels(recorded.ofType("kubernetes:core/v1:Namespace"));
    });

    it("Prometheus, Alertmanager and Trivy's scan jobs are admitted by their restricted namespaces", () => {
        const pods = operatorPods([...monitoringResources(releaseValues(recorded, "kube-prometheus-stack")), trivyConfigMap(releaseValues(recorded, "trivy-operator"))]);
        expect(pods.map((p) => p.name)).toEqual(["prometheus-kube-prometheus-stack-prometheus-0", "alertmanager-kube-prometheus-stack-alertmanager-0", "scan-vulnerabilityreport"]);
        const verdicts = predictAdmission(pods, levels);
        expect(verdicts.map((v) => [v.namespace, v.level, v.verdict, v.reasons])).toEqual([
            ["monitoring", "restricted", "admitted", []],
            ["monitoring", "restricted", "admitted", []],
            ["trivy-system", "restricted", "admitted", []],
        ]);
    });

    it("the model does not take the operator's defaults on trust: without the program's container settings Prometheus is rejected", () => {
        const values = releaseValues(recorded, "kube-prometheus-stack");
        const bare = { ...values, prometheus: { ...values.prometheus, prometheusSpec: { ...values.prometheus.prometheusSpec, containers: undefined, initContainers: undefined } } };
        const [prometheus] = predictAdmission(operatorPods(monitoringResources(bare)), levels);
        expect(prometheus.verdict).toBe("rejected");
        expect(prometheus.reasons).toEqual(
            expect.arrayContaining([
                'k8s-no-privilege-escalation: Pod container "prometheus" does not set allowPrivilegeEscalation: false',
                'k8s-restricted-capabilities: Pod init container "init-config-reloader" does not drop ALL capabilities',
            ]),
        );
    });

    it("a scan job is judged on what the settings give it: the container context alone suffices, neither is rejected", () => {
        const values = releaseValues(recorded, "trivy-operator");
        const bare = { ...values, trivyOperator: { ...values.trivyOperator, scanJobPodTemplatePodSecurityContext: {} } };
        const [scan] = predictAdmission(operatorPods([trivyConfigMap(bare)]), levels);
        expect(scan.verdict).toBe("admitted"); // the container context alone carries runAsNonRoot and seccomp
        const none = { ...values, trivyOperator: { ...values.trivyOperator, scanJobPodTemplatePodSecurityContext: {}, scanJobPodTemplateContainerSecurityContext: {} } };
        const [unset] = predictAdmission(operatorPods([trivyConfigMap(none)]), levels);
        expect(unset.verdict).toBe("rejected");
    });
});

describe("admission judges a pod by the version of the standard its namespace pins", () => {
    const namespace = (name: string, version?: string) =>
        object("Namespace", "v1", "", name, {
            metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted", ...(version ? { "pod-security.kubernetes.io/enforce-version": version } : {}) } },
        });
    const levels = enforcedLevels([namespace("pinned-133", "v1.33"), namespace("unpinned")]);
    const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
    const pod = (ns: string, name: string, spec: Values) =>
        object("Pod", "v1", ns, name, { spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, ...spec } });
    // A probe with `host` is forbidden from v1.34; UID 0 in a user namespace is allowed from v1.35.
    const probeHost = (ns: string) =>
        pod(ns, `probe-${ns}`, { containers: [{ name: "app", image: "app:1", securityContext: restricted, readinessProbe: { httpGet: { host: "10.0.0.1", port: 8080 } } }] });
    const rootInUserNamespace = (ns: string) =>
        pod(ns, `userns-${ns}`, {
            hostUsers: false,
            securityContext: { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{ name: "app", image: "app:1", securityContext: restricted }],
        });

    it("reads the pinned version from the namespace, latest when it pins none", () => {
        expect(Object.fromEntries(levels)).toEqual({ "pinned-133": { level: "restricted", version: "v1.33" }, unpinned: { level: "restricted", version: "latest" } });
    });

    it("admits at v1.33 what only a newer standard forbids, and rejects what only a newer standard allows", () => {
        const verdicts = predictAdmission([probeHost("pinned-133"), probeHost("unpinned"), rootInUserNamespace("pinned-133"), rootInUserNamespace("unpinned")], levels);
        expect(verdicts.map((v) => [v.namespace, v.version, v.verdict])).toEqual([
            ["pinned-133", "v1.33", "admitted"],
            ["unpinned", "latest", "rejected"],
            ["pinned-133", "v1.33", "rejected"],
            ["unpinned", "latest", "admitted"],
        ]);
        expect(verdicts[1].reasons.join("\n")).toMatch(/k8s-no-probe-or-lifecycle-host/);
        expect(verdicts[2].reasons.join("\n")).toMatch(/k8s-run-as-non-root/);
    });
});
