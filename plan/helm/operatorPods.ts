/**
 * Pods that no chart renders: operators create them at run time from settings the program
 * passes. Modelled from those settings alone, so that Pod Security admission can be predicted
 * for them too; whatever the operator would add on its own is not assumed.
 *
 * - Prometheus and Alertmanager (prometheus-operator): the custom resource's pod
 *   `securityContext`, and its `containers`/`initContainers`, which are merged by name into the
 *   containers the operator generates (the CRDs name them: the main container,
 *   `config-reloader`, `init-config-reloader`; `thanos-sidecar` with `spec.thanos`).
 * - Trivy Operator: its scan jobs take their pod and container security contexts from the
 *   operator's ConfigMap (`scanJob.podTemplate*SecurityContext`, from the
 *   `trivyOperator.scanJobPod*` values) and apply the container one to every container; the node
 *   collector (infra assessment) mounts `nodeCollector.volumes` from the host.
 */
import type { ResourceUnderTest } from "../../policy/engine";

type Props = Record<string, unknown>;

function isRecord(value: unknown): value is Props {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function records(value: unknown): Props[] {
    return Array.isArray(value) ? value.filter(isRecord) : [];
}

function metadata(props: Props): Props {
    return isRecord(props.metadata) ? props.metadata : {};
}

function podOf(owner: ResourceUnderTest, name: string, namespace: string, spec: Props): ResourceUnderTest {
    const type = "kubernetes:core/v1:Pod";
    const parentTypes = owner.urn.slice(0, owner.urn.lastIndexOf("::"));
    return {
        urn: `${parentTypes}$${type}::${name} (created by the operator)`,
        type,
        name,
        props: { apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec },
        parent: owner.urn,
    };
}

/** The operator's containers with the resource's same-named entries merged in, plus any extra ones. */
function mergedContainers(operatorNames: string[], given: Props[]): Props[] {
    const byName = new Map(given.map((c) => [String(c.name), c]));
    const generated = operatorNames.map((name) => ({ name, ...(byName.get(name) ?? {}) }));
    return [...generated, ...given.filter((c) => !operatorNames.includes(String(c.name)))];
}

const PROMETHEUS_OPERATOR_KINDS: Record<string, string> = { Prometheus: "prometheus", Alertmanager: "alertmanager" };

function prometheusOperatorPod(resource: ResourceUnderTest): ResourceUnderTest | undefined {
    const kind = resource.props.kind;
    if (typeof kind !== "string" || !(kind in PROMETHEUS_OPERATOR_KINDS) || !String(resource.props.apiVersion).startsWith("monitoring.coreos.com/")) return undefined;
    const spec = isRecord(resource.props.spec) ? resource.props.spec : {};
    const main = PROMETHEUS_OPERATOR_KINDS[kind];
    const names = [main, "config-reloader", ...(isRecord(spec.thanos) ? ["thanos-sidecar"] : [])];
    const meta = metadata(resource.props);
    return podOf(resource, `${main}-${String(meta.name)}-0`, String(meta.namespace ?? "default"), {
        securityContext: spec.securityContext,
        hostNetwork: spec.hostNetwork,
        volumes: spec.volumes,
        containers: mergedContainers(names, records(spec.containers)),
        initContainers: mergedContainers(["init-config-reloader"], records(spec.initContainers)),
    });
}

function json(value: unknown): unknown {
    if (typeof value !== "string" || value.trim() === "") return undefined;
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}

function trivyScanJobPod(resource: ResourceUnderTest): ResourceUnderTest | undefined {
    if (resource.props.kind !== "ConfigMap") return undefined;
    const data = isRecord(resource.props.data) ? resource.props.data : {};
    if (!("scanJob.podTemplateContainerSecurityContext" in data) && !("scanJob.podTemplatePodSecurityContext" in data)) return undefined;
    const securityContext = json(data["scanJob.podTemplateContainerSecurityContext"]);
    return podOf(resource, "scan-vulnerabilityreport", String(metadata(resource.props).namespace ?? "default"), {
        securityContext: json(data["scanJob.podTemplatePodSecurityContext"]),
        initContainers: [{ name: "init", securityContext }],
        containers: [{ name: "scan", securityContext }],
    });
}

/** The pods the operators of these rendered objects will create. */
export function operatorPods(rendered: readonly ResourceUnderTest[]): ResourceUnderTest[] {
    const data = (r: ResourceUnderTest): Props => (r.props.kind === "ConfigMap" && isRecord(r.props.data) ? r.props.data : {});
    // The node collector's switch and its volumes live in two ConfigMaps of the operator.
    const infraAssessment = rendered.some((r) => data(r).OPERATOR_INFRA_ASSESSMENT_SCANNER_ENABLED === "true");
    const pods: ResourceUnderTest[] = [];
    for (const resource of rendered) {
        const pod = prometheusOperatorPod(resource) ?? trivyScanJobPod(resource);
        if (pod) pods.push(pod);
        const collectorVolumes = data(resource)["nodeCollector.volumes"];
        if (infraAssessment && typeof collectorVolumes === "string") {
            pods.push(podOf(resource, "node-collector", String(metadata(resource.props).namespace ?? "default"), { volumes: json(collectorVolumes), containers: [{ name: "node-collector" }] }));
        }
    }
    return pods;
}
