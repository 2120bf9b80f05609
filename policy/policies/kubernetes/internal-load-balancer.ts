// A LoadBalancer Service is internet-facing unless annotated internal; public entry points
// belong behind the platform's ingress, not on arbitrary Services.
import { nsaCisa } from "../../lib/frameworks";
import { annotationsOf, isKind } from "../../lib/kubernetes";
import { defineResourcePolicy } from "../../lib/policy";
import { asRecord } from "../../lib/values";

export const SCHEME_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-scheme";
export const LEGACY_INTERNAL_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-internal";

export const internalLoadBalancer = defineResourcePolicy(
    {
        name: "k8s-internal-load-balancer",
        description: "LoadBalancer Services must be internal (scheme annotation `internal` or legacy internal annotation `true`).",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [nsaCisa("Network separation and hardening", "Limit exposure of services outside the cluster")],
        appliesTo: "Service",
        remediation: `Annotate the Service with \`${SCHEME_ANNOTATION}: internal\`, or expose it through the ingress.`,
    },
    {
        appliesTo: (type) => isKind(type, "Service"),
        check(resource) {
            if (asRecord(resource.props.spec)?.type !== "LoadBalancer") return;
            const annotations = annotationsOf(resource.props);
            const internal =
                annotations[SCHEME_ANNOTATION] === "internal" || annotations[LEGACY_INTERNAL_ANNOTATION] === "true";
            if (!internal) resource.report("is an internet-facing LoadBalancer Service");
        },
    },
);
