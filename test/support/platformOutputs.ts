/**
 * Platform outputs as a consumer reads them: the plan shows secrets as "[secret]"; a consumer
 * gets the real kubeconfig JSON, which is rebuilt here from the cluster outputs the way
 * `@pulumi/eks` renders it (exec credentials from `aws eks get-token`).
 */
import { SECRET_MARK } from "../../plan/record";

export function kubeconfigFor(outputs: Record<string, unknown>): string {
    const name = String(outputs.clusterName);
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: outputs.clusterEndpoint, "certificate-authority-data": outputs.clusterCertificateAuthority } }],
        contexts: [{ name: "aws", context: { cluster: name, user: "aws" } }],
        "current-context": "aws",
        users: [{ name: "aws", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", name, "--region", String(outputs.region)] } } }],
    });
}

/** The plan's outputs with every "[secret]" replaced by what the stack would really hold. */
export function unsecretedOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
    const result = { ...outputs };
    for (const [key, value] of Object.entries(result)) {
        if (value !== SECRET_MARK) continue;
        if (key !== "kubeconfig") throw new Error(`no realistic value for secret output ${key}: add one here`);
        result[key] = kubeconfigFor(outputs);
    }
    return result;
}
