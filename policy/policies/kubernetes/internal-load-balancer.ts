// Load balancers are internal. An internet-facing one (a Service or an Ingress of the AWS Load
// Balancer Controller, or a class-less Service the in-tree provider would make public) is allowed
// only in a namespace the platform lets face the internet, and only with TLS on every listener.
// Which namespaces those are: the Namespaces of the same stack (or checked input) that carry the
// platform's label, and those the policy config lists (for inputs without their Namespace, such
// as a team's manifests). An IngressClassParams with scheme internet-facing must admit no other.
import type { PolicyResource } from "@pulumi/policy";
import { nsaCisa } from "../../lib/frameworks";
import {
    ingressClassCatalogue,
    ingressLoadBalancer,
    ingressTlsProblems,
    INTERNET_FACING_ALLOWED,
    INTERNET_FACING_LABEL,
    isInternetFacingAllowed,
    kindOf,
    namespaceLabels,
    paramsSelectNamespace,
    serviceLoadBalancer,
    serviceTlsProblems,
    SERVICE_SCHEME_ANNOTATION,
} from "../../lib/loadBalancers";
import { defineStackPolicy } from "../../lib/policy";
import { asRecord, asString, Props } from "../../lib/values";


interface Config {
    internetFacingNamespaces: string[];
    internetFacingIngressClasses: string[];
}

const nameOf = (props: Props) => asString(asRecord(props.metadata)?.name) ?? "";
const namespaceOf = (props: Props) => asString(asRecord(props.metadata)?.namespace) || "default";

export const internalLoadBalancer = defineStackPolicy<Config>(
    {
        name: "k8s-internal-load-balancer",
        description:
            "Load balancers (Services of type LoadBalancer, Ingresses of the AWS Load Balancer Controller) must be internal, unless their namespace may face the internet; internet-facing ones need TLS on every listener (an ACM certificate, a TLS 1.3 policy if one is named).",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [nsaCisa("Network separation and hardening", "Limit exposure of services outside the cluster")],
        appliesTo: "Service, Ingress, IngressClass, IngressClassParams, Namespace (stack)",
        remediation: `Leave the scheme internal (the default of the controller and of IngressClass alb, or \`${SERVICE_SCHEME_ANNOTATION}: internal\`). To face the internet, the platform team sets the tenant's \`internetFacing\` (which labels its Namespace \`${INTERNET_FACING_LABEL}: ${INTERNET_FACING_ALLOWED}\`); the listeners then need an ACM certificate.`,
        knobs: {
            internetFacingNamespaces: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: `Namespaces that may face the internet although the checked input holds no Namespace labelled \`${INTERNET_FACING_LABEL}: ${INTERNET_FACING_ALLOWED}\` for them (a team's manifests: the platform's \`internetFacingNamespaces\` output).`,
            },
            internetFacingIngressClasses: {
                type: "array",
                items: { type: "string" },
                default: ["alb-internet-facing"],
                description: "IngressClasses that are internet-facing although the checked input holds no IngressClassParams for them (the platform's `internetFacingIngressClassName` output).",
            },
        },
    },
    {
        check(stack) {
            const of = (kind: string) => stack.resources.filter((r) => kindOf(r.type) === kind);
            const namespaces = of("Namespace");
            const allowed = new Set(stack.config.internetFacingNamespaces);
            stack.each(namespaces, (ns) => {
                if (isInternetFacingAllowed(ns.props)) allowed.add(nameOf(ns.props));
            });
            const catalogue = stack.tolerate(() => ingressClassCatalogue(of("IngressClass").map((r) => r.props), of("IngressClassParams").map((r) => r.props)));
            const mayFaceInternet = (resource: PolicyResource, what: string, because: string) => {
                const namespace = namespaceOf(resource.props);
                if (allowed.has(namespace)) return true;
                stack.report(resource, `${what} is an internet-facing load balancer (${because}) in namespace ${namespace}, which may not face the internet`);
                return false;
            };

            stack.each(of("Service"), (service) => {
                const load = serviceLoadBalancer(service.props);
                if (load?.scheme !== "internet-facing") return;
                const what = `Service ${namespaceOf(service.props)}/${nameOf(service.props)}`;
                const because = load.provisioner === "controller" ? `annotation ${SERVICE_SCHEME_ANNOTATION}: internet-facing` : "no load balancer class and not annotated internal: the in-tree provider's default";
                if (!mayFaceInternet(service, what, because)) return;
                for (const problem of serviceTlsProblems(service.props)) stack.report(service, `${what} (internet-facing) ${problem}`);
            });

            if (catalogue) {
                stack.each(of("Ingress"), (ingress) => {
                    const load = ingressLoadBalancer(ingress.props, catalogue, stack.config.internetFacingIngressClasses);
                    if (load?.scheme !== "internet-facing") return;
                    const what = `Ingress ${namespaceOf(ingress.props)}/${nameOf(ingress.props)}`;
                    if (!mayFaceInternet(ingress, what, load.because)) return;
                    for (const problem of ingressTlsProblems(ingress.props, load)) stack.report(ingress, `${what} (internet-facing) ${problem}`);
                });
            }

            stack.each(of("IngressClassParams"), (params) => {
                const spec = asRecord(params.props.spec) ?? {};
                if (spec.scheme !== "internet-facing") return;
                const what = `IngressClassParams ${nameOf(params.props)} (scheme internet-facing)`;
                if (paramsSelectNamespace(spec, {})) {
                    stack.report(params, `${what} admits every namespace: its namespaceSelector must select only namespaces that may face the internet`);
                    return;
                }
                stack.each(namespaces, (ns) => {
                    const name = nameOf(ns.props);
                    if (!allowed.has(name) && paramsSelectNamespace(spec, namespaceLabels(ns.props))) stack.report(params, `${what} admits namespace ${name}, which may not face the internet`);
                });
            });
        },
    },
);
