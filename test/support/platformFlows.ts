/**
 * What runs on the platform and which connections it needs, declared independently of the
 * program's NetworkPolicies (test/networkFlows.test.ts checks the policies against this).
 * Labels and ports are the pinned charts' (../shared/upstream) and the operators' defaults.
 * Extend it when a component is added: its pods, the Services clients dial, and its flows.
 */
import type { PlatformConfig } from "../../config";
import { Addresses, nthAddress, type Endpoint, type Flow, type PortSpec, type Service, type Workload } from "./networkModel";

export interface ClusterFacts {
    vpcCidr: string;
    /** The private subnets: nodes, pods, the control plane's ENIs and internal load balancers. */
    privateSubnetCidrs: string[];
    /** The public subnets: internet-facing load balancers. */
    publicSubnetCidrs: string[];
    /** The Kubernetes service range (ClusterIPs). */
    serviceCidr: string;
}

export interface PlatformNetwork {
    endpoints: Endpoint[];
    services: Service[];
    flows: Flow[];
}

const tcp = (...ports: number[]): PortSpec[] => ports.map((port) => ({ port, protocol: "TCP" }));
const pod = (namespace: string, name: string, labels: Record<string, string>, listens: PortSpec[] | "any", hostNetwork = false): Workload => ({
    kind: "pod",
    id: `${namespace}/${name}`,
    namespace,
    labels,
    listens,
    hostNetwork,
});

/** Every address outside the private ranges, link-local, loopback and CGNAT: the internet and AWS's public endpoints. */
export const INTERNET = Addresses.of("0.0.0.0/0").minus(Addresses.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8", "100.64.0.0/10"));

export function platformNetwork(config: PlatformConfig, facts: ClusterFacts): PlatformNetwork {
    const privateSubnets = Addresses.of(...facts.privateSubnetCidrs);
    // Ordinary Services get any ClusterIP but the two the cluster reserves below.
    const otherClusterIps = Addresses.of(facts.serviceCidr).minus(Addresses.of(nthAddress(facts.serviceCidr, 1), nthAddress(facts.serviceCidr, 10)));
    const endpoints: Endpoint[] = [
        { kind: "external", id: "apiServer", addresses: privateSubnets, listens: tcp(443) },
        { kind: "external", id: "controlPlane", addresses: privateSubnets, listens: [] },
        { kind: "external", id: "kubelets", addresses: privateSubnets, listens: tcp(10250) },
        { kind: "external", id: "podIdentityAgent", addresses: Addresses.of("169.254.170.23/32"), listens: tcp(80) },
        { kind: "external", id: "internet", addresses: INTERNET, listens: "any" },
        // Load balancers with target type ip send from their own addresses in the subnets they live in.
        { kind: "external", id: "internalLoadBalancers", addresses: privateSubnets, listens: [] },
        { kind: "external", id: "internetFacingLoadBalancers", addresses: Addresses.of(...facts.publicSubnetCidrs), listens: [] },
        pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, [...tcp(53, 9153), { port: 53, protocol: "UDP" }]),
    ];
    const services: Service[] = [
        // The API server: the first address of the service range, forwarded to the control plane's ENIs.
        { namespace: "default", name: "kubernetes", clusterIp: Addresses.of(nthAddress(facts.serviceCidr, 1)), backend: "apiServer", ports: [{ port: 443, targetPort: 443, protocol: "TCP" }] },
        {
            namespace: "kube-system",
            name: "kube-dns",
            clusterIp: Addresses.of(nthAddress(facts.serviceCidr, 10)),
            selector: { "k8s-app": "kube-dns" },
            ports: [
                { port: 53, targetPort: 53, protocol: "UDP" },
                { port: 53, targetPort: 53, protocol: "TCP" },
                { port: 9153, targetPort: 9153, protocol: "TCP" },
            ],
        },
    ];
    const service = (namespace: string, name: string, selector: Record<string, string>, ports: Array<[number, number]>): Service => ({
        namespace,
        name,
        clusterIp: otherClusterIps,
        selector,
        ports: ports.map(([port, targetPort]) => ({ port, targetPort, protocol: "TCP" })),
    });
    const flows: Flow[] = [];
    const needs = (from: string, to: string, ports: number[] | PortSpec[], why: string) => {
        for (const p of ports) flows.push(typeof p === "number" ? { from, to, port: p, why } : { from, to, port: p.port, protocol: p.protocol, why });
    };
    const addons = config.addons;
    const restricted: string[] = [];

    if (addons.karpenter.enabled) {
        restricted.push("karpenter");
        endpoints.push(pod("karpenter", "controller", { "app.kubernetes.io/name": "karpenter", "app.kubernetes.io/instance": "karpenter" }, tcp(8080)));
        services.push(service("karpenter", "karpenter", { "app.kubernetes.io/name": "karpenter", "app.kubernetes.io/instance": "karpenter" }, [[8080, 8080]]));
        needs("karpenter/*", "apiServer", [443], "Karpenter watches pods and nodes, writes NodeClaims");
        needs("karpenter/controller", "internet", [443], "EC2, SQS, SSM, pricing, STS");
        needs("karpenter/controller", "podIdentityAgent", [80], "its Pod Identity credentials");
    }
    if (addons.externalSecrets.enabled) {
        restricted.push("external-secrets");
        const labels = (name: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/instance": "external-secrets" });
        endpoints.push(
            pod("external-secrets", "controller", labels("external-secrets"), tcp(8080)),
            pod("external-secrets", "webhook", labels("external-secrets-webhook"), tcp(9443, 8080)),
            pod("external-secrets", "cert-controller", labels("external-secrets-cert-controller"), tcp(8080)),
        );
        services.push(service("external-secrets", "external-secrets-webhook", labels("external-secrets-webhook"), [[443, 9443]]));
        needs("external-secrets/*", "apiServer", [443], "the controller reconciles; the cert controller patches the webhook and CRDs; the webhook reads stores");
        needs("external-secrets/controller", "internet", [443], "Secrets Manager and STS");
        needs("external-secrets/controller", "podIdentityAgent", [80], "its Pod Identity credentials");
        needs("controlPlane", "external-secrets/webhook", [9443], "the API server calls the validating webhook");
    }
    if (addons.velero.enabled) {
        restricted.push("velero");
        endpoints.push(
            pod("velero", "server", { "app.kubernetes.io/name": "velero", "app.kubernetes.io/instance": "velero", name: "velero" }, tcp(8085)),
            pod("velero", "upgrade-crds", { "app.kubernetes.io/name": "velero", "app.kubernetes.io/instance": "velero", "job-name": "velero-upgrade-crds" }, []),
        );
        needs("velero/*", "apiServer", [443], "Velero and its CRD upgrade job");
        needs("velero/*", "internet", [443], "S3, EC2 snapshots, STS (IRSA); the namespace-wide rule also covers the job");
    }
    if (addons.trivy.enabled) {
        restricted.push("trivy-system");
        endpoints.push(
            pod("trivy-system", "operator", { "app.kubernetes.io/name": "trivy-operator", "app.kubernetes.io/instance": "trivy-operator" }, tcp(8080)),
            pod("trivy-system", "scan-job", { "app.kubernetes.io/managed-by": "trivy-operator", "vulnerabilityReport.scanner": "Trivy" }, []),
        );
        needs("trivy-system/*", "apiServer", [443], "the operator watches workloads and writes reports");
        needs("trivy-system/*", "internet", [443], "scan jobs pull images (ECR through STS) and the vulnerability DB");
    }
    if (addons.awsLoadBalancerController.enabled) {
        restricted.push("aws-load-balancer-controller");
        const labels = { "app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": "aws-load-balancer-controller" };
        endpoints.push(pod("aws-load-balancer-controller", "controller", labels, tcp(9443, 8080)));
        services.push(service("aws-load-balancer-controller", "aws-load-balancer-webhook-service", labels, [[443, 9443]]));
        if (addons.monitoring.enabled) services.push(service("aws-load-balancer-controller", "aws-load-balancer-controller", labels, [[8080, 8080]]));
        needs("aws-load-balancer-controller/*", "apiServer", [443], "the controller watches Ingresses, Services, endpoints and its CRDs");
        needs("aws-load-balancer-controller/controller", "internet", [443], "Elastic Load Balancing, EC2, ACM, STS");
        needs("aws-load-balancer-controller/controller", "podIdentityAgent", [80], "its Pod Identity credentials");
        needs("controlPlane", "aws-load-balancer-controller/controller", [9443], "the API server calls the controller's webhooks");
    }
    if (addons.monitoring.enabled) {
        restricted.push("monitoring", "monitoring-host");
        const prometheus = { "app.kubernetes.io/name": "prometheus" };
        const mesh: Array<[string, Record<string, string>, PortSpec[]]> = [
            ["prometheus", prometheus, tcp(9090, 8080)],
            ["alertmanager", { "app.kubernetes.io/name": "alertmanager" }, [...tcp(9093, 9094, 8080), { port: 9094, protocol: "UDP" }]],
            ["operator", { "app.kubernetes.io/name": "kube-prometheus-stack-prometheus-operator" }, tcp(10250)],
            ["grafana", { "app.kubernetes.io/name": "grafana" }, tcp(3000)],
            ["kube-state-metrics", { "app.kubernetes.io/name": "kube-state-metrics" }, tcp(8080, 8081)],
        ];
        for (const [name, labels, listens] of mesh) endpoints.push(pod("monitoring", name, labels, listens));
        endpoints.push(pod("monitoring", "admission-jobs", { app: "kube-prometheus-stack-admission-create" }, []));
        endpoints.push(pod("monitoring-host", "node-exporter", { "app.kubernetes.io/name": "prometheus-node-exporter" }, tcp(9100), true));
        services.push(
            service("monitoring", "kube-prometheus-stack-prometheus", prometheus, [[9090, 9090], [8080, 8080]]),
            service("monitoring", "kube-prometheus-stack-operator", { "app.kubernetes.io/name": "kube-prometheus-stack-prometheus-operator" }, [[443, 10250]]),
        );
        needs("monitoring/*", "apiServer", [443], "operator, Prometheus discovery, kube-state-metrics, Grafana's sidecars and the webhook jobs; Prometheus also scrapes the API server's endpoints");
        for (const [name, , listens] of mesh) needs("monitoring/*", `monitoring/${name}`, listens, "the monitoring namespace talks to itself (scrapes, Grafana to Prometheus, Alertmanager mesh)");
        needs("monitoring/alertmanager", "internet", [443], "pages to the receivers");
        needs("controlPlane", "monitoring/operator", [10250], "the API server calls the operator's admission webhook");
        needs("monitoring/prometheus", "kubelets", [10250], "kubelet and cAdvisor metrics");
        needs("monitoring/prometheus", "monitoring-host/node-exporter", [9100], "node metrics");
        needs("monitoring/prometheus", "kube-system/coredns", [9153], "CoreDNS metrics");
        if (addons.karpenter.enabled) needs("monitoring/prometheus", "karpenter/controller", [8080], "Karpenter's ServiceMonitor");
        if (addons.externalSecrets.enabled) {
            for (const name of ["controller", "webhook", "cert-controller"]) needs("monitoring/prometheus", `external-secrets/${name}`, [8080], "External Secrets' ServiceMonitors");
        }
        if (addons.velero.enabled) needs("monitoring/prometheus", "velero/server", [8085], "Velero's ServiceMonitor");
        if (addons.trivy.enabled) needs("monitoring/prometheus", "trivy-system/operator", [8080], "Trivy's ServiceMonitor");
        if (addons.awsLoadBalancerController.enabled) needs("monitoring/prometheus", "aws-load-balancer-controller/controller", [8080], "the load balancer controller's ServiceMonitor");
    }

    for (const tenant of config.tenants) {
        restricted.push(tenant.name);
        const app = { "app.kubernetes.io/name": "app" };
        endpoints.push(pod(tenant.name, "app", app, "any"));
        const ports = [...new Set([...tenant.metricsPorts, ...tenant.allowIngressFrom.flatMap((a) => a.ports), ...tenant.expose.map((e) => e.port)])];
        services.push(service(tenant.name, "app", app, ports.map((p) => [p, p])));
        if (addons.monitoring.enabled) needs("monitoring/prometheus", `${tenant.name}/app`, tenant.metricsPorts, `the tenant's metrics ports`);
        for (const allow of tenant.allowIngressFrom) {
            const from = allow.namespace === "monitoring" ? "monitoring/prometheus" : `${allow.namespace}/app`;
            needs(from, `${tenant.name}/app`, allow.ports.map((port) => ({ port, protocol: allow.protocol })), `config: ${allow.namespace} -> ${tenant.name}`);
        }
        for (const exposed of tenant.expose) {
            const from = exposed.scheme === "internal" ? "internalLoadBalancers" : "internetFacingLoadBalancers";
            needs(from, `${tenant.name}/app`, [exposed.port], `config: ${tenant.name} exposes ${exposed.port} to ${exposed.scheme} load balancers`);
        }
    }

    // Every pod of every namespace the platform restricts resolves names through the kube-dns Service.
    for (const namespace of restricted) needs(`${namespace}/*`, "kube-system/coredns", [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }], "cluster DNS");
    return { endpoints, services, flows };
}
