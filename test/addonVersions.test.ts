/**
 * Drift on the next `pulumi up`: managed add-on builds are pinned per Kubernetes minor, so two
 * plans of the same config are identical and only a change of `kubernetesVersion` (or of the
 * table) moves an add-on.
 */
import { describe, expect, it } from "vitest";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../config/cluster";
import { MANAGED_ADDON_VERSIONS } from "../components/addonVersions";
import { planStack, withConfig, type Recorded } from "./harness";

const ADDONS = {
    "node-addons-vpc-cni": "vpc-cni",
    "node-addons-kube-proxy": "kube-proxy",
    "node-addons-eks-pod-identity-agent": "eks-pod-identity-agent",
    "system-addons-coredns": "coredns",
    "system-addons-aws-ebs-csi-driver": "aws-ebs-csi-driver",
} as const;

function addonVersions(recorded: Recorded): Record<string, unknown> {
    const addons = recorded.ofType("aws:eks/addon:Addon");
    expect(addons.map((a) => a.name).sort()).toEqual(Object.keys(ADDONS).sort());
    return Object.fromEntries(addons.map((a) => [a.props.addonName, a.props.addonVersion]));
}

describe("pinned managed add-on builds", () => {
    it("has a row for every Kubernetes minor the config allows, each an eksbuild of all five add-ons", () => {
        expect(Object.keys(MANAGED_ADDON_VERSIONS).sort()).toEqual([...SUPPORTED_KUBERNETES_VERSIONS].sort());
        for (const row of Object.values(MANAGED_ADDON_VERSIONS)) {
            expect(Object.keys(row).sort()).toEqual(Object.values(ADDONS).sort());
            for (const version of Object.values(row)) expect(version).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
        }
    });

    it("installs the dev stack's minor (1.35) at the pinned builds, not at whatever AWS published last", async () => {
        const { recorded } = await planStack("dev");
        expect(addonVersions(recorded)).toEqual({
            "vpc-cni": "v1.21.1-eksbuild.1",
            "kube-proxy": "v1.35.3-eksbuild.2",
            "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
            coredns: "v1.13.2-eksbuild.4",
            "aws-ebs-csi-driver": "v1.60.0-eksbuild.1",
        });
    });

    it("plans the same config twice to the same document", async () => {
        const first = await planStack("prod");
        const second = await planStack("prod");
        expect(JSON.stringify(second.plan.document)).toBe(JSON.stringify(first.plan.document));
    });

    it("moves each add-on to the row of the new minor when kubernetesVersion changes, and nothing else about them", async () => {
        const before = await planStack("dev", { transformConfig: withConfig({ kubernetesVersion: "1.32" }) });
        const after = await planStack("dev", { transformConfig: withConfig({ kubernetesVersion: "1.35" }) });
        expect(addonVersions(before.recorded)).toMatchObject({ "kube-proxy": "v1.32.13-eksbuild.5", coredns: "v1.11.4-eksbuild.33" });
        expect(addonVersions(after.recorded)).toMatchObject({ "kube-proxy": "v1.35.3-eksbuild.2", coredns: "v1.13.2-eksbuild.4" });
        const strip = (recorded: Recorded) => recorded.ofType("aws:eks/addon:Addon").map((a) => ({ ...a.props, addonVersion: undefined }));
        expect(strip(after.recorded)).toEqual(strip(before.recorded));
    });
});
