// Outside standard support a cluster pays for extended support (or, with the STANDARD upgrade
// policy, is upgraded by AWS on its own schedule); past extended support it gets no patches at
// all. Judged against the dated table in policy/data/eks-kubernetes-versions.json.
import { supportStatus, kubernetesMinor } from "../../lib/eksVersions";
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { asString } from "../../lib/values";
import { EKS_CLUSTER_TYPES } from "./eks";

interface Config {
    minimumDaysOfStandardSupport: number;
}

const TABLE = "policy/data/eks-kubernetes-versions.json";

export const eksClusterSupportedVersion = defineResourcePolicy<Config>(
    {
        name: "eks-cluster-supported-version",
        description: "EKS clusters must run a Kubernetes version in Amazon EKS standard support (dated table in policy/data/eks-kubernetes-versions.json).",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EKS.2", "EKS clusters should run on a supported Kubernetes version"),
            checkov("CKV_AWS_339", "Ensure EKS clusters run on a supported Kubernetes version"),
            prowler("eks_cluster_uses_a_supported_version", "EKS cluster uses a supported Kubernetes version"),
        ],
        appliesTo: EKS_CLUSTER_TYPES.join(", "),
        remediation: "Upgrade the cluster (`version`) to a minor in standard support; plan upgrades before the end date.",
        knobs: {
            minimumDaysOfStandardSupport: {
                type: "integer",
                minimum: 0,
                default: 0,
                description: "Also flag versions whose standard support ends within this many days.",
            },
        },
    },
    {
        appliesTo: ofTypes(...EKS_CLUSTER_TYPES),
        check(resource) {
            const version = asString(resource.props.version);
            // Unset: EKS creates the cluster at its current default version, which is in standard support.
            if (version === undefined) return;
            const minor = kubernetesMinor(version);
            if (minor === undefined) return resource.report(`EKS cluster version "${version}" is not a Kubernetes minor version`);
            const status = supportStatus(minor, new Date());
            switch (status.status) {
                case "standard":
                    if (status.daysLeft < resource.config.minimumDaysOfStandardSupport) {
                        resource.report(`Kubernetes ${minor} leaves EKS standard support on ${status.support.endOfStandardSupport} (${status.daysLeft} days)`);
                    }
                    return;
                case "extended":
                    return resource.report(`Kubernetes ${minor} left EKS standard support on ${status.support.endOfStandardSupport} (extended support until ${status.support.endOfExtendedSupport})`);
                case "ended":
                    return resource.report(`Kubernetes ${minor} is past EKS extended support (ended ${status.support.endOfExtendedSupport})`);
                case "older":
                    return resource.report(`Kubernetes ${minor} is older than every version in ${TABLE} (oldest ${status.oldest}): out of EKS support`);
                default:
                    return resource.report(`Kubernetes ${minor} is not in ${TABLE} (reviewed ${status.reviewed}): refresh the table`);
            }
        },
    },
);
