/**
 * The namespace baseline: every tenant namespace from config, the cluster-wide RBAC, the guard
 * that keeps tenant pods off the system nodes, and (when nothing else provides it) CoreDNS's
 * disruption budget.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { TenantConfig } from "../config/tenants";
import { ClusterAccess, MANAGED_BY_LABELS } from "./accessControl";
import { COREDNS } from "./lockedNamespace";
import { SYSTEM_TAINT } from "./shared/scheduling";
import type { ClusterContext } from "./shared/types";
import { INTERNET_FACING_ALLOWED, INTERNET_FACING_LABEL, TENANT_LABEL } from "./shared/labels";
import { egressAllowsFor, TenantNamespace } from "./tenantNamespace";

export interface NamespaceBaselineArgs {
    cluster: ClusterContext;
    tenants: readonly TenantConfig[];
    /** Developers may exec/attach/port-forward/debug in tenant namespaces (non-production only). */
    developerExec: boolean;
    /**
     * Create CoreDNS's PodDisruptionBudget. Leave false while CoreDNS is the EKS managed add-on:
     * versions v1.9.3-eksbuild.6 / v1.10.1-eksbuild.3 and later ship their own PDB, and a second
     * PDB over the same pods makes every eviction of them fail (node drains stall).
     */
    coreDnsDisruptionBudget: boolean;
}

export const TENANT_PLACEMENT_POLICY = "platform-tenant-pods-off-system-nodes";
export const TENANT_LOAD_BALANCERS_POLICY = "platform-tenant-load-balancers";

/**
 * Built-in CEL admission (no webhook): pods in tenant namespaces may not tolerate the system
 * taint (nor tolerate every taint) and may not bypass the scheduler with `nodeName`.
 */
export function tenantPlacementValidations(): { expression: string; message: string }[] {
    return [
        {
            expression: `!has(object.spec.tolerations) || object.spec.tolerations.all(t, has(t.key) && t.key != '' && t.key != '${SYSTEM_TAINT.key}')`,
            message: `Tenant pods may not tolerate the system node taint ${SYSTEM_TAINT.key} or every taint: they run on application nodes.`,
        },
        {
            expression: "request.operation != 'CREATE' || !has(object.spec.nodeName)",
            message: "Tenant pods may not set spec.nodeName: the scheduler places them on application nodes.",
        },
    ];
}

/**
 * Built-in CEL admission for what tenants apply themselves (kubectl, their own CI), which the
 * policy pack never sees: a LoadBalancer Service is the AWS Load Balancer Controller's (no Classic
 * Load Balancer of the in-tree provider), and nothing is internet-facing outside the namespaces
 * config allows. The controller's own IngressClassParams refuse the internet-facing class
 * elsewhere too, but only once it reconciles; this refuses at apply time.
 */
export function tenantLoadBalancerValidations(): { expression: string; message: string }[] {
    const annotation = (key: string) => `has(object.metadata.annotations) && '${key}' in object.metadata.annotations && object.metadata.annotations['${key}']`;
    const allowed = `(has(namespaceObject.metadata.labels) && '${INTERNET_FACING_LABEL}' in namespaceObject.metadata.labels && namespaceObject.metadata.labels['${INTERNET_FACING_LABEL}'] == '${INTERNET_FACING_ALLOWED}')`;
    const loadBalancerService = "object.kind == 'Service' && has(object.spec.type) && object.spec.type == 'LoadBalancer'";
    return [
        {
            // Only at creation: the class is immutable, and Services created before the controller keep theirs.
            expression: `!(${loadBalancerService}) || request.operation != 'CREATE' || (has(object.spec.loadBalancerClass) && object.spec.loadBalancerClass == 'service.k8s.aws/nlb')`,
            message: "A LoadBalancer Service gets a Network Load Balancer from the AWS Load Balancer Controller: spec.loadBalancerClass must be service.k8s.aws/nlb (no Classic Load Balancers).",
        },
        {
            expression: `!(${loadBalancerService}) || !(${annotation("service.beta.kubernetes.io/aws-load-balancer-scheme")} == 'internet-facing') || ${allowed}`,
            message: "This namespace may not expose internet-facing load balancers (tenants[].internetFacing): remove the aws-load-balancer-scheme annotation or set it to internal.",
        },
        {
            expression: `object.kind != 'Ingress' || !((${annotation("alb.ingress.kubernetes.io/scheme")} == 'internet-facing') || (has(object.spec.ingressClassName) && object.spec.ingressClassName == 'alb-internet-facing')) || ${allowed}`,
            message: "This namespace may not expose internet-facing load balancers (tenants[].internetFacing): use IngressClass alb, which is internal.",
        },
    ];
}

type ResourceRule = { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] };

/** A ValidatingAdmissionPolicy (failing closed) and its Deny binding to every tenant namespace. */
function tenantAdmissionPolicy(name: string, policyName: string, resourceRules: ResourceRule[], validations: { expression: string; message: string }[], opts: pulumi.CustomResourceOptions): void {
    const metadata = { name: policyName, labels: { ...MANAGED_BY_LABELS } };
    const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(name, { metadata, spec: { failurePolicy: "Fail", matchConstraints: { resourceRules }, validations } }, opts);
    new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        name,
        {
            metadata,
            spec: { policyName, validationActions: ["Deny"], matchResources: { namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] } } },
        },
        { ...opts, dependsOn: [policy] },
    );
}

export class NamespaceBaseline extends pulumi.ComponentResource {
    readonly tenants: Record<string, TenantNamespace> = {};
    readonly access: ClusterAccess;
    readonly coreDnsBudget?: k8s.policy.v1.PodDisruptionBudget;

    constructor(name: string, args: NamespaceBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:NamespaceBaseline", name, {}, opts);
        const { cluster } = args;
        const childOpts = { parent: this, provider: cluster.provider };

        this.access = new ClusterAccess(`${name}-access`, { cluster }, { parent: this });
        for (const tenant of args.tenants) {
            this.tenants[tenant.name] = new TenantNamespace(
                `tenant-${tenant.name}`,
                { cluster, tenant, egressTo: egressAllowsFor(tenant.name, args.tenants), developerExec: args.developerExec },
                { parent: this },
            );
        }

        const rule = (apiGroup: string, resource: string) => ({ apiGroups: [apiGroup], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: [resource] });
        tenantAdmissionPolicy(`${name}-tenant-placement`, TENANT_PLACEMENT_POLICY, [rule("", "pods")], tenantPlacementValidations(), childOpts);
        tenantAdmissionPolicy(`${name}-tenant-load-balancers`, TENANT_LOAD_BALANCERS_POLICY, [rule("", "services"), rule("networking.k8s.io", "ingresses")], tenantLoadBalancerValidations(), childOpts);

        if (args.coreDnsDisruptionBudget) {
            this.coreDnsBudget = new k8s.policy.v1.PodDisruptionBudget(
                `${name}-coredns`,
                {
                    metadata: { name: "coredns", namespace: COREDNS.namespace, labels: { ...MANAGED_BY_LABELS } },
                    spec: { maxUnavailable: 1, selector: { matchLabels: { ...COREDNS.podLabels } } },
                },
                childOpts,
            );
        }
        this.registerOutputs({ tenantNamespaces: Object.keys(this.tenants) });
    }

    /** Tenant namespace names, for stack outputs. */
    get tenantNamespaceNames(): pulumi.Output<string[]> {
        return pulumi.all(Object.values(this.tenants).map((t) => t.name));
    }
}
