/**
 * Add-ons install in parallel and wait only for what they need. A false dependency does not
 * break `pulumi up`, it makes it slower (docs/performance.md): these guard the modeled chain.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { planStack, type Recorded } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe.each(["dev", "prod"])("install order in the %s plan", (stack) => {
    let recorded: Recorded;
    beforeAll(async () => {
        recorded = (await planStack(stack)).recorded;
    });

    const release = (name: string) => recorded.one(RELEASE, name);
    const ebsCsi = () => recorded.one("aws:eks/addon:Addon", "system-addons-aws-ebs-csi-driver");
    const systemNodes = () => recorded.one("eks:index:ManagedNodeGroup", "node-group-system");

    const CRD_CHARTS = ["karpenter-crd", "monitoring-prometheus-crds"];

    it("a CRD-only chart waits for the API server, not for nodes", () => {
        for (const name of CRD_CHARTS) expect(recorded.dependsOn(release(name), systemNodes()), name).toBe(false);
    });

    it("every chart that runs pods waits for the system nodes", () => {
        for (const r of recorded.ofType(RELEASE).filter((r) => !CRD_CHARTS.includes(r.name))) {
            expect(recorded.dependsOn(r, systemNodes()), r.name).toBe(true);
        }
    });

    it("only charts that mount volumes wait for the EBS CSI driver", () => {
        const waiting = recorded.ofType(RELEASE).filter((r) => recorded.dependsOn(r, ebsCsi())).map((r) => r.name);
        expect(waiting).toEqual(["kube-prometheus-stack"]);
    });

    it("no add-on release waits for another add-on's release", () => {
        const releases = recorded.ofType(RELEASE);
        for (const a of releases) {
            for (const b of releases) {
                if (a === b || (a.name === "karpenter" && b.name === "karpenter-crd") || b.name === "monitoring-prometheus-crds") continue;
                expect(recorded.dependsOn(a, b), `${a.name} waits for ${b.name}`).toBe(false);
            }
        }
    });

    it("exactly the charts that render ServiceMonitors wait for the Prometheus CRDs, and for nothing of monitoring but them", () => {
        const crds = release("monitoring-prometheus-crds");
        const waiting = recorded.ofType(RELEASE).filter((r) => recorded.dependsOn(r, crds)).map((r) => r.name).sort();
        expect(waiting).toEqual(["aws-load-balancer-controller", "external-secrets", "karpenter", "kube-prometheus-stack", "trivy-operator", "velero"]);
    });

    it("the managed add-ons the nodes need do not wait for access entries", () => {
        const vpcCni = recorded.one("aws:eks/addon:Addon", "node-addons-vpc-cni");
        for (const entry of recorded.ofType("aws:eks/accessEntry:AccessEntry")) expect(recorded.dependsOn(vpcCni, entry)).toBe(false);
    });
});
