/**
 * The EKS managed add-on builds this code is tested with, per Kubernetes minor the config
 * allows. Pinned, so that a later `pulumi up` never upgrades an add-on because AWS published a
 * build (with `mostRecent` it would); changing `kubernetesVersion` moves every add-on to the row
 * of the new minor. Bump a row on purpose, after reading the add-on's release notes.
 *
 * Sources, read 2026-11-30 (the AWS pages as held by the public-docs search index; their
 * publication date is not shown):
 * - kube-proxy: Amazon EKS User Guide, "Manage kube-proxy", table "kube-proxy versions"
 *   (docs.amazonaws.cn/zh_cn/eks/latest/userguide/managing-kube-proxy.md).
 * - coredns: Amazon EKS User Guide, "Manage CoreDNS", table "CoreDNS versions"
 *   (docs.amazonaws.cn/zh_cn/eks/latest/userguide/managing-coredns.md).
 * - vpc-cni, eks-pod-identity-agent, aws-ebs-csi-driver: the AWS tables for these could not be
 *   retrieved for this era. The builds are those public Terraform configurations pin for EKS
 *   1.35 next to exactly the kube-proxy (v1.35.3-eksbuild.2) and CoreDNS (v1.13.2-eksbuild.4)
 *   builds of the AWS tables above. These three add-ons publish one build for every supported
 *   minor (the AWS VPC CNI table lists the same build for each), so the row is the same for
 *   1.32 to 1.35; EKS rejects an incompatible build at CreateAddon with InvalidParameterException.
 */
import type { SUPPORTED_KUBERNETES_VERSIONS } from "../config/cluster";

export type KubernetesMinor = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];
export type ManagedAddonName = "vpc-cni" | "kube-proxy" | "coredns" | "eks-pod-identity-agent" | "aws-ebs-csi-driver";

const SAME_BUILD_FOR_EVERY_MINOR = {
    "vpc-cni": "v1.21.1-eksbuild.1",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    "aws-ebs-csi-driver": "v1.60.0-eksbuild.1",
} as const;

export const MANAGED_ADDON_VERSIONS = {
    "1.32": { ...SAME_BUILD_FOR_EVERY_MINOR, "kube-proxy": "v1.32.13-eksbuild.5", coredns: "v1.11.4-eksbuild.33" },
    "1.33": { ...SAME_BUILD_FOR_EVERY_MINOR, "kube-proxy": "v1.33.10-eksbuild.2", coredns: "v1.13.2-eksbuild.4" },
    "1.34": { ...SAME_BUILD_FOR_EVERY_MINOR, "kube-proxy": "v1.34.6-eksbuild.2", coredns: "v1.13.2-eksbuild.4" },
    "1.35": { ...SAME_BUILD_FOR_EVERY_MINOR, "kube-proxy": "v1.35.3-eksbuild.2", coredns: "v1.13.2-eksbuild.4" },
} as const satisfies Record<KubernetesMinor, Record<ManagedAddonName, string>>;

/** The pinned build of `addon` for a Kubernetes minor; an unknown minor is a programming error (config allows only the rows above). */
export function managedAddonVersion(kubernetesVersion: string, addon: ManagedAddonName): string {
    const row = (MANAGED_ADDON_VERSIONS as Record<string, Record<ManagedAddonName, string>>)[kubernetesVersion];
    if (!row) throw new Error(`no pinned add-on builds for Kubernetes ${kubernetesVersion} (components/addonVersions.ts has ${Object.keys(MANAGED_ADDON_VERSIONS).join(", ")})`);
    return row[addon];
}
