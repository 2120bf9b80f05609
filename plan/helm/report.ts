import type { HelmRenderReport } from "./index";

/** The render step's section of the text plan: per release, then every finding naming release and object. */
export function renderHelmReport(report: HelmRenderReport): string {
    const lines = [`Helm releases rendered with Helm ${report.helm.version} (${report.helm.source}), Kubernetes ${report.kubeVersion}:`];
    for (const release of report.releases) {
        const what = release.error ? `DOES NOT RENDER: ${release.error}` : `${release.objects} object(s), ${release.hooks} hook(s)`;
        lines.push(`  ${release.release}  ${release.chart} ${release.version} in ${release.namespace}: ${what}`);
    }
    for (const skipped of report.notRendered) lines.push(`  not rendered: ${skipped.urn}: ${skipped.reason}`);

    const { violations, notEvaluated } = report.policy;
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    lines.push("", `Policy report on the rendered objects: ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)`);
    for (const v of violations) lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.release ? `release ${v.release}, ` : ""}${v.object}: ${v.message}`);
    if (notEvaluated.length > 0) {
        lines.push(`  ${notEvaluated.length} check(s) could not be evaluated:`);
        for (const n of notEvaluated) lines.push(`    ${n.policy} on ${n.urn}: ${n.reason}`);
    }

    const rejected = report.podSecurity.filter((p) => p.verdict === "rejected");
    const outside = report.podSecurity.filter((p) => p.verdict === "namespace not in the plan");
    lines.push(
        "",
        `Pod Security admission at each namespace's enforced level: ${report.podSecurity.length - rejected.length - outside.length} admitted, ${rejected.length} rejected` +
            (outside.length > 0 ? `, ${outside.length} in namespaces the plan does not declare` : ""),
    );
    for (const pod of rejected) lines.push(`  rejected in ${pod.namespace} (${pod.level}): ${pod.urn}\n    ${pod.reasons.join("\n    ")}`);
    for (const pod of outside) lines.push(`  not judged (namespace ${pod.namespace} not in the plan): ${pod.urn}`);
    return lines.join("\n");
}
