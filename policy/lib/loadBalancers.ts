// What a Service or an Ingress asks of AWS: whether it gets a load balancer, from whom, with
// which scheme, and how its listeners are secured. Read the way the AWS Load Balancer Controller
// (v3.5) and the in-tree cloud provider read the same objects.
import { annotationsOf, labelsOf, parseKubernetesType, selectorMatches } from "./kubernetes";
import { asArray, asRecord, asString, Props } from "./values";

export const SERVICE_SCHEME_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-scheme";
/** Deprecated, still honoured by both the controller and the in-tree provider. */
export const LEGACY_INTERNAL_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-internal";
/** `external` (or the older `nlb-ip`) hands a Service to the controller without a load balancer class. */
export const SERVICE_TYPE_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-type";
export const CONTROLLER_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";
export const SERVICE_SSL_CERT_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
export const SERVICE_SSL_PORTS_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports";
export const SERVICE_SSL_POLICY_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy";

export const INGRESS_SCHEME_ANNOTATION = "alb.ingress.kubernetes.io/scheme";
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
export const INGRESS_CERTIFICATE_ANNOTATION = "alb.ingress.kubernetes.io/certificate-arn";
export const INGRESS_LISTEN_PORTS_ANNOTATION = "alb.ingress.kubernetes.io/listen-ports";
export const INGRESS_SSL_REDIRECT_ANNOTATION = "alb.ingress.kubernetes.io/ssl-redirect";
export const INGRESS_SSL_POLICY_ANNOTATION = "alb.ingress.kubernetes.io/ssl-policy";
export const ALB_CONTROLLER = "ingress.k8s.aws/alb";
const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

/** The label the platform puts on the namespaces its config lets face the internet. */
export const INTERNET_FACING_LABEL = "platform.eks.aws/internet-facing";
export const INTERNET_FACING_ALLOWED = "allowed";

/** An ACM certificate ARN (TLS certificates come from ACM; an IAM server certificate is not accepted). */
export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:certificate\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;
/** The TLS 1.3 security policies of Elastic Load Balancing all start so. */
export const TLS13_POLICY_PREFIX = "ELBSecurityPolicy-TLS13-";

export type Scheme = "internal" | "internet-facing";

/** Who turns a LoadBalancer Service into a load balancer, and with which scheme. */
export interface ServiceLoadBalancer {
    provisioner: "controller" | "in-tree";
    scheme: Scheme;
}

/** A Service's load balancer, or undefined when it asks for none. */
export function serviceLoadBalancer(props: Props): ServiceLoadBalancer | undefined {
    const spec = asRecord(props.spec);
    if (spec?.type !== "LoadBalancer") return undefined;
    const annotations = annotationsOf(props);
    const type = annotations[SERVICE_TYPE_ANNOTATION];
    const provisioner = spec.loadBalancerClass === CONTROLLER_LOAD_BALANCER_CLASS || type === "external" || type === "nlb-ip" ? "controller" : "in-tree";
    const declared = annotations[SERVICE_SCHEME_ANNOTATION];
    const legacyInternal = annotations[LEGACY_INTERNAL_ANNOTATION] === "true";
    // The controller's scheme defaults to internal; the in-tree provider's to internet-facing (and
    // without the controller's mutating webhook a class-less Service may reach it).
    const internal = declared === "internal" || legacyInternal || (provisioner === "controller" && declared === undefined);
    return { provisioner, scheme: internal ? "internal" : "internet-facing" };
}

/** The IngressClasses and IngressClassParams an input declares, by name. */
export interface IngressClassCatalogue {
    /** IngressClass name -> its controller, params name and whether it is the default class. */
    classes: Map<string, { controller?: string; params?: string; isDefault: boolean }>;
    /** IngressClassParams name -> its spec. */
    params: Map<string, Props>;
}

export function ingressClassCatalogue(ingressClasses: Props[], classParams: Props[]): IngressClassCatalogue {
    const classes = new Map<string, { controller?: string; params?: string; isDefault: boolean }>();
    for (const props of ingressClasses) {
        const name = asString(asRecord(props.metadata)?.name);
        if (!name) continue;
        const spec = asRecord(props.spec) ?? {};
        const parameters = asRecord(spec.parameters);
        const params = parameters?.kind === "IngressClassParams" ? asString(parameters.name) : undefined;
        classes.set(name, { controller: asString(spec.controller), params, isDefault: annotationsOf(props)[DEFAULT_CLASS_ANNOTATION] === "true" });
    }
    const params = new Map<string, Props>();
    for (const props of classParams) {
        const name = asString(asRecord(props.metadata)?.name);
        if (name) params.set(name, asRecord(props.spec) ?? {});
    }
    return { classes, params };
}

export interface IngressLoadBalancer {
    className?: string;
    scheme: Scheme;
    /** Where the scheme comes from, for messages. */
    because: string;
    /** Certificates the class's params give every Ingress of the class. */
    classCertificates: string[];
}

/**
 * An Ingress's Application Load Balancer, or undefined when another controller serves its class.
 * The class's IngressClassParams win over the Ingress's own scheme annotation; a class known only
 * by name (`internetFacingClasses`) is internet-facing.
 */
export function ingressLoadBalancer(props: Props, catalogue: IngressClassCatalogue, internetFacingClasses: readonly string[]): IngressLoadBalancer | undefined {
    const annotations = annotationsOf(props);
    const defaultClass = [...catalogue.classes].find(([, c]) => c.isDefault)?.[0];
    const className = asString(asRecord(props.spec)?.ingressClassName) ?? annotations[INGRESS_CLASS_ANNOTATION] ?? defaultClass;
    const known = className !== undefined ? catalogue.classes.get(className) : undefined;
    if (known && known.controller !== ALB_CONTROLLER) return undefined;
    const params = known?.params ? catalogue.params.get(known.params) : undefined;
    const classCertificates = asArray(params?.certificateArn).filter((arn): arn is string => typeof arn === "string");
    const pinned = asString(params?.scheme);
    if (pinned === "internal" || pinned === "internet-facing") return { className, scheme: pinned, because: `IngressClass ${className} pins scheme ${pinned}`, classCertificates };
    if (internetFacingClasses.some((name) => name === className)) return { className, scheme: "internet-facing", because: `IngressClass ${className} is internet-facing`, classCertificates };
    const declared = annotations[INGRESS_SCHEME_ANNOTATION];
    if (declared === "internet-facing") return { className, scheme: "internet-facing", because: `annotation ${INGRESS_SCHEME_ANNOTATION}: internet-facing`, classCertificates };
    return { className, scheme: "internal", because: "the controller's default scheme", classCertificates };
}

/** A Namespace's labels as selectors see them (the API server adds the name label). */
export function namespaceLabels(props: Props): Record<string, string> {
    const name = asString(asRecord(props.metadata)?.name) ?? "";
    return { ...labelsOf(props), "kubernetes.io/metadata.name": name };
}

export function isInternetFacingAllowed(namespaceProps: Props): boolean {
    return labelsOf(namespaceProps)[INTERNET_FACING_LABEL] === INTERNET_FACING_ALLOWED;
}

/** Whether a namespaceSelector of IngressClassParams selects a namespace (absent or empty selects all). */
export function paramsSelectNamespace(spec: Props, labels: Record<string, string>): boolean {
    const selector = asRecord(spec.namespaceSelector);
    // An empty selector matches every label set.
    return !selector || selectorMatches(selector, labels);
}

/** What is wrong with the TLS of an internet-facing Ingress's listeners, if anything. */
export function ingressTlsProblems(props: Props, load: IngressLoadBalancer): string[] {
    const annotations = annotationsOf(props);
    const problems: string[] = [];
    const certificates = splitList(annotations[INGRESS_CERTIFICATE_ANNOTATION]);
    problems.push(...certificates.filter((arn) => !ACM_CERTIFICATE_ARN.test(arn)).map((arn) => `certificate ${arn} is not an ACM certificate ARN`));
    const discovered = asArray(asRecord(props.spec)?.tls).length > 0;
    if (certificates.length === 0 && load.classCertificates.length === 0 && !discovered) {
        problems.push(`has no TLS certificate (annotation ${INGRESS_CERTIFICATE_ANNOTATION} with an ACM ARN, or spec.tls hosts for the controller to find one in ACM)`);
    }
    const listeners = listenPorts(annotations[INGRESS_LISTEN_PORTS_ANNOTATION]);
    if (listeners === "malformed") problems.push(`annotation ${INGRESS_LISTEN_PORTS_ANNOTATION} is not a JSON list of {"HTTPS": port} entries`);
    else if (listeners.some((l) => l.protocol !== "HTTPS") && annotations[INGRESS_SSL_REDIRECT_ANNOTATION] === undefined) {
        problems.push(`listens on plain HTTP without ${INGRESS_SSL_REDIRECT_ANNOTATION} (an internet-facing listener serves HTTPS, or only redirects to it)`);
    }
    problems.push(...weakPolicy(annotations[INGRESS_SSL_POLICY_ANNOTATION], INGRESS_SSL_POLICY_ANNOTATION));
    return problems;
}

/** What is wrong with the TLS of an internet-facing Service's listeners, if anything. */
export function serviceTlsProblems(props: Props): string[] {
    const annotations = annotationsOf(props);
    const problems: string[] = [];
    const certificates = splitList(annotations[SERVICE_SSL_CERT_ANNOTATION]);
    if (certificates.length === 0) problems.push(`has no TLS certificate (annotation ${SERVICE_SSL_CERT_ANNOTATION} with an ACM ARN)`);
    problems.push(...certificates.filter((arn) => !ACM_CERTIFICATE_ARN.test(arn)).map((arn) => `certificate ${arn} is not an ACM certificate ARN`));
    const sslPorts = splitList(annotations[SERVICE_SSL_PORTS_ANNOTATION]);
    const ports = asArray(asRecord(props.spec)?.ports).map((p) => asRecord(p) ?? {});
    const plain = sslPorts.includes("*") ? [] : ports.filter((p) => !sslPorts.includes(String(p.port)) && !(typeof p.name === "string" && sslPorts.includes(p.name)));
    if (plain.length > 0) {
        problems.push(`port ${plain.map((p) => asString(p.name) ?? String(p.port)).join(", ")} is not in ${SERVICE_SSL_PORTS_ANNOTATION} (every internet-facing listener is TLS)`);
    }
    problems.push(...weakPolicy(annotations[SERVICE_SSL_POLICY_ANNOTATION], SERVICE_SSL_POLICY_ANNOTATION));
    return problems;
}

function weakPolicy(policy: string | undefined, annotation: string): string[] {
    return policy !== undefined && !policy.startsWith(TLS13_POLICY_PREFIX) ? [`${annotation} ${policy} is not a TLS 1.3 security policy (${TLS13_POLICY_PREFIX}...)`] : [];
}

function splitList(value: string | undefined): string[] {
    return (value ?? "").split(",").map((item) => item.trim()).filter((item) => item !== "");
}

function listenPorts(value: string | undefined): Array<{ protocol: string; port: unknown }> | "malformed" {
    if (value === undefined) return [];
    try {
        const parsed = JSON.parse(value) as unknown;
        if (!Array.isArray(parsed)) return "malformed";
        return parsed.flatMap((entry) => Object.entries(asRecord(entry) ?? {}).map(([protocol, port]) => ({ protocol, port })));
    } catch {
        return "malformed";
    }
}

/** The kind of a Pulumi Kubernetes type token, e.g. `Ingress`. */
export function kindOf(type: string): string | undefined {
    return parseKubernetesType(type)?.kind;
}
