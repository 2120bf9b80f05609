/** Labels the platform puts on tenant namespaces, which admission, the controllers and the policy pack select by. */

export const TENANT_LABEL = "platform.eks.aws/tenant";
/**
 * On the namespaces whose tenants config lets face the internet (`internetFacing`): the
 * internet-facing IngressClass admits only these, and the policy pack reads it.
 */
export const INTERNET_FACING_LABEL = "platform.eks.aws/internet-facing";
export const INTERNET_FACING_ALLOWED = "allowed";
/** The controller injects target-health readiness gates into pods of namespaces labelled so: a rollout waits until the load balancer sends to the new pods. */
export const READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject";
