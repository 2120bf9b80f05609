import { parsePlatformConfig } from "../config";
import type { ResolvedCostAssumptions } from "../config/load";
import { evaluatePolicies, loadPolicyPackConfig, platformPolicyConfigPathFor, type PolicyPackConfig, type PolicyReport, type ResourceUnderTest } from "../policy/engine";
import type { RecordedResource } from "./record";
import { runProgram, PROJECT_DIR, type ProgramRun } from "./run";
import { loadStackConfig, type StackConfigSource } from "./stackConfig";

/** A recorded resource as the `--json` contract prints it: everything but the policy view of its inputs. */
export type PlanResourceDocument = Omit<RecordedResource, "props">;

/** The `--json` contract: other tools read these fields; extend, never rename or drop. */
export interface PlanDocument {
    project: string;
    stack: string;
    resources: PlanResourceDocument[];
    outputs: Record<string, unknown>;
    policy: PolicyReport;
}

export interface PlanOptions {
    stack: string;
    preview?: boolean;
    projectDir?: string;
    /** Policy pack config (the `--policy-pack-config` format); by default the platform's own for the stack's environment. */
    policyConfigFile?: string;
    /** Replaces the stack file's config (tests and benchmarks build variants of a stack). */
    transformConfig?: (source: StackConfigSource) => StackConfigSource;
}

export interface Plan {
    source: StackConfigSource;
    run: ProgramRun;
    document: PlanDocument;
    /** The policy config the plan was checked with (the render step checks charts with the same). */
    policyConfig: PolicyPackConfig;
}

export async function createPlan(options: PlanOptions): Promise<Plan> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const loaded = loadStackConfig(projectDir, options.stack);
    const source = options.transformConfig ? options.transformConfig(loaded) : loaded;
    const policyConfig = loadPolicyPackConfig(options.policyConfigFile ?? policyConfigPathOf(source));
    const run = await runProgram(source, { preview: options.preview, projectDir });
    const policy = evaluatePolicies(policyResourcesOf(run.resources), policyConfig);
    return { source, run, document: toDocument(run, policy), policyConfig };
}

/** `policy/platform-policy-config.<environment>.json` for the stack's `environment` (the base file if it is not a known class). */
export function policyConfigPathOf(source: StackConfigSource): string {
    return platformPolicyConfigPathFor(source.values[`${source.project}:environment`]);
}

function toDocument(run: ProgramRun, policy: PolicyReport): PlanDocument {
    return {
        project: run.project,
        stack: run.stack,
        resources: run.resources.map(({ props: _props, ...resource }) => resource),
        outputs: run.outputs,
        policy,
    };
}

/** Recorded resources as the policy engine takes them. */
export function policyResourcesOf(resources: RecordedResource[]): ResourceUnderTest[] {
    return resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: r.props,
        parent: r.parent ?? undefined,
        provider: r.provider ?? undefined,
        dependencies: r.dependencies,
    }));
}

export function mandatoryViolations(document: PlanDocument): number {
    return document.policy.violations.filter((v) => v.enforcementLevel === "mandatory").length;
}

/** The stack's region and usage assumptions, as the cost model needs them (from the validated config). */
export function stackFacts(source: StackConfigSource): { region: string; environment: string; costAssumptions: ResolvedCostAssumptions } {
    const config = parsePlatformConfig(source);
    return { region: config.region, environment: config.environment, costAssumptions: config.costAssumptions };
}
