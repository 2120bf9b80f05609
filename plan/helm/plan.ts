/** The render step for a whole offline plan: what `npm run plan -- --render` runs. */
import { resolve } from "node:path";
import { policyResourcesOf, type Plan } from "../index";
import type { HelmBinary } from "./binary";
import { renderFailures, renderHelmReleases, type HelmRenderReport } from "./index";
import { renderHelmReport } from "./report";
import { RenderInputError } from "./releases";

export interface PlanRender {
    report: HelmRenderReport;
    /** Mandatory findings, releases that do not render and pods admission would reject. */
    failures: number;
    text(): string;
}

export async function renderPlanReleases(plan: Plan, helm: HelmBinary, chartsDir?: string): Promise<PlanRender> {
    const kubernetesVersion = plan.source.values[`${plan.source.project}:kubernetesVersion`];
    if (!kubernetesVersion) throw new RenderInputError(`${plan.source.project}:kubernetesVersion is not set: the charts are rendered for the cluster's version`);
    const report = await renderHelmReleases(policyResourcesOf(plan.run.resources), {
        chartsDir: chartsDir ? resolve(chartsDir) : undefined,
        kubernetesVersion,
        policyConfig: plan.policyConfig,
        planPolicy: plan.document.policy,
        helm,
    });
    return { report, failures: renderFailures(report), text: () => renderHelmReport(report) };
}
