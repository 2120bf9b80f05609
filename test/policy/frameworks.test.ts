// Framework references must name items that exist in the version the pack cites. The CIS Amazon
// EKS Benchmark v1.7.0 items below are as kube-bench encodes that version
// (aquasecurity/kube-bench cfg/eks-1.7.0); section 3 (worker node files and kubelet) is not
// listed because no policy can check it from IaC.
import { describe, expect, it } from "vitest";
import { allPolicies } from "../../policy/policies";

const CIS_EKS_1_7_0: Record<string, string> = {
    "2.1.1": "Enable audit Logs",
    "2.1.2": "Ensure audit logs are collected and managed",
    "4.1.1": "Ensure that the cluster-admin role is only used where required",
    "4.1.2": "Minimize access to secrets",
    "4.1.3": "Minimize wildcard use in Roles and ClusterRoles",
    "4.1.4": "Minimize access to create pods",
    "4.1.5": "Ensure that default service accounts are not actively used.",
    "4.1.6": "Ensure that Service Account Tokens are only mounted where necessary",
    "4.1.7": "Cluster Access Manager API to streamline and enhance the management of access controls within EKS clusters",
    "4.1.8": "Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
    "4.2.1": "Minimize the admission of privileged containers",
    "4.2.2": "Minimize the admission of containers wishing to share the host process ID namespace",
    "4.2.3": "Minimize the admission of containers wishing to share the host IPC namespace",
    "4.2.4": "Minimize the admission of containers wishing to share the host network namespace",
    "4.2.5": "Minimize the admission of containers with allowPrivilegeEscalation",
    "4.3.1": "Ensure CNI plugin supports network policies",
    "4.3.2": "Ensure that all Namespaces have Network Policies defined",
    "4.4.1": "Prefer using secrets as files over secrets as environment variables",
    "4.4.2": "Consider external secret storage",
    "4.5.1": "Create administrative boundaries between resources using namespaces",
    "4.5.2": "The default namespace should not be used",
    "5.1.1": "Ensure Image Vulnerability Scanning using Amazon ECR image scanning or a third party provider",
    "5.1.2": "Minimize user access to Amazon ECR",
    "5.1.3": "Minimize cluster access to read-only for Amazon ECR",
    "5.1.4": "Minimize Container Registries to only those approved",
    "5.2.1": "Prefer using dedicated Amazon EKS Service Accounts",
    "5.3.1": "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS",
    "5.4.1": "Restrict Access to the Control Plane Endpoint",
    "5.4.2": "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
    "5.4.3": "Ensure clusters are created with Private Nodes",
    "5.4.4": "Ensure Network Policy is Enabled and set as appropriate",
    "5.4.5": "Encrypt traffic to HTTPS load balancers with TLS certificates",
    "5.5.1": "Manage Kubernetes RBAC users with AWS IAM Authenticator for Kubernetes or Upgrade to AWS CLI v1.16.156 or greater",
};

describe("framework references", () => {
    const cis = allPolicies.flatMap((policy) => policy.frameworks.filter((f) => f.framework === "CIS Amazon EKS Benchmark").map((f) => [policy.name, f] as const));

    it.each(cis.map(([name, f]) => [name, f.reference, f] as const))("%s cites CIS EKS %s as it is in v1.7.0", (_name, _reference, item) => {
        expect(item.version).toBe("v1.7.0");
        expect(CIS_EKS_1_7_0[item.reference], `${item.reference} is not an item of v1.7.0`).toBe(item.title);
    });

    it("ties the private-nodes item to the policy that keeps nodes off public IPs, and access entries to 4.1.7", () => {
        const citing = (reference: string) => cis.filter(([, f]) => f.reference === reference).map(([name]) => name);
        expect(citing("5.4.3")).toEqual(["ec2-no-public-ip"]);
        expect(citing("4.1.7")).toEqual(["eks-cluster-authentication-mode-api"]);
        expect(citing("5.5.1")).toEqual([]);
    });

    it("claims an FSBP control only where the policy enforces it", () => {
        const claiming = (reference: string) =>
            allPolicies.filter((p) => p.frameworks.some((f) => f.framework === "AWS Foundational Security Best Practices" && f.reference === reference)).map((p) => p.name);
        expect(claiming("EKS.1")).toEqual(["eks-cluster-endpoint-not-public"]);
        expect(claiming("S3.17")).toEqual(["s3-bucket-encryption"]);
        expect(claiming("EC2.7")).toEqual(["ebs-default-encryption"]);
        expect(claiming("S3.1")).toEqual(["s3-account-public-access-block"]);
    });
});
