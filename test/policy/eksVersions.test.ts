// The dated EKS support table and the policy that reads it. The first test fails on purpose once
// today is past the table's reviewBy date: re-read the Amazon EKS release calendar, update
// policy/data/eks-kubernetes-versions.json (dates, sources, reviewed, reviewBy).
import { describe, expect, it } from "vitest";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../../config/cluster";
import { EKS_VERSION_TABLE, kubernetesMinor, supportStatus } from "../../policy/lib/eksVersions";
import { awsCluster, violationsOf } from "./helpers";

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);
const addMonths = (iso: string, months: number) => {
    const date = new Date(`${iso}T00:00:00Z`);
    date.setUTCMonth(date.getUTCMonth() + months);
    return date.toISOString().slice(0, 10);
};

describe("EKS Kubernetes support table", () => {
    it("has been reviewed: today is not past its reviewBy date", () => {
        const today = new Date().toISOString().slice(0, 10);
        expect(today <= EKS_VERSION_TABLE.reviewBy, `policy/data/eks-kubernetes-versions.json was due for review on ${EKS_VERSION_TABLE.reviewBy}`).toBe(true);
    });

    it("must be reviewed again before its newest version leaves standard support", () => {
        const newest = Object.values(EKS_VERSION_TABLE.versions).map((v) => v.endOfStandardSupport).sort().at(-1)!;
        expect(EKS_VERSION_TABLE.reviewBy < newest).toBe(true);
        expect(EKS_VERSION_TABLE.reviewed <= EKS_VERSION_TABLE.reviewBy).toBe(true);
    });

    it("follows AWS's rule: extended support ends 12 months after standard support", () => {
        for (const [minor, support] of Object.entries(EKS_VERSION_TABLE.versions)) {
            expect(support.endOfExtendedSupport, minor).toBe(addMonths(support.endOfStandardSupport, 12));
        }
    });

    it("knows every Kubernetes version the config accepts", () => {
        for (const version of SUPPORTED_KUBERNETES_VERSIONS) expect(Object.keys(EKS_VERSION_TABLE.versions)).toContain(version);
    });

    it("places a version by date: the end date is the first day of the next phase (UTC)", () => {
        expect(supportStatus("1.33", day("2026-07-28"))).toMatchObject({ status: "standard", daysLeft: 1 });
        expect(supportStatus("1.33", day("2026-07-29"))).toMatchObject({ status: "extended" });
        expect(supportStatus("1.31", day("2026-11-26"))).toMatchObject({ status: "ended" });
        expect(supportStatus("1.20", day("2026-11-30"))).toEqual({ status: "older", oldest: "1.27" });
        expect(supportStatus("1.40", day("2026-11-30"))).toEqual({ status: "not-in-table", reviewed: EKS_VERSION_TABLE.reviewed });
    });

    it("reads minor versions the way EKS and users write them", () => {
        expect(kubernetesMinor("1.35")).toBe("1.35");
        expect(kubernetesMinor("v1.35.2")).toBe("1.35");
        expect(kubernetesMinor("latest")).toBeUndefined();
    });
});

describe("eks-cluster-supported-version", () => {
    it("reports versions outside the table, unparsable versions, and warns ahead with the knob", () => {
        expect(violationsOf("eks-cluster-supported-version", [awsCluster({ version: "1.19" })])).toEqual([
            "Kubernetes 1.19 is older than every version in policy/data/eks-kubernetes-versions.json (oldest 1.27): out of EKS support",
        ]);
        expect(violationsOf("eks-cluster-supported-version", [awsCluster({ version: "one" })])).toEqual(['EKS cluster version "one" is not a Kubernetes minor version']);
        expect(violationsOf("eks-cluster-supported-version", [awsCluster({ version: "1.35" })], { "eks-cluster-supported-version": { minimumDaysOfStandardSupport: 100000 } })).toEqual([
            expect.stringMatching(/^Kubernetes 1\.35 leaves EKS standard support on 2027-03-27 \(\d+ days\)$/),
        ]);
    });

    it("leaves an unset version alone (EKS creates the cluster at its default, supported version)", () => {
        expect(violationsOf("eks-cluster-supported-version", [awsCluster()])).toEqual([]);
    });
});
