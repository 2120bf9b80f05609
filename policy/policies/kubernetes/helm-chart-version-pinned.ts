// An unpinned chart installs whatever the repository serves today: two previews of the same
// commit can deploy different software. Local chart paths are versioned with the program.
import { eksBestPractices } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { asString } from "../../lib/values";

export const HELM_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart"];

function isLocalPath(chart: string): boolean {
    return chart.startsWith("./") || chart.startsWith("../") || chart.startsWith("/");
}

/** Exact versions only: ranges (`^1.2`, `~1`, `>=1`, `1.x`, `*`) float. */
export function isPinnedVersion(version: string): boolean {
    return /^v?\d+(\.\d+){0,2}([-+][0-9A-Za-z.-]+)?$/.test(version.trim());
}

export const helmChartVersionPinned = defineResourcePolicy(
    {
        name: "helm-chart-version-pinned",
        description: "Helm charts (v3 Release, v3/v4 Chart) must pin an exact chart version.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [eksBestPractices("Cluster upgrades", "Pin add-on and chart versions")],
        appliesTo: HELM_TYPES.join(", "),
        remediation: "Set `version` to an exact chart version (no ranges).",
    },
    {
        appliesTo: ofTypes(...HELM_TYPES),
        check(resource) {
            // A v3 Chart built from a directory (LocalChartOpts) names it in `path`, with no `chart`.
            const chart = asString(resource.props.chart);
            if (chart === undefined || isLocalPath(chart)) return;
            const version = asString(resource.props.version);
            if (version === undefined || version.trim() === "") resource.report(`chart ${chart} has no version`);
            else if (!isPinnedVersion(version)) resource.report(`chart ${chart} version ${version} is a range`);
        },
    },
);
