import { evaluatePolicies, loadPolicyPackConfig, platformPolicyConfigPath, type PolicyReport, type ResourceUnderTest } from "../policy/engine";
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
    /** Policy pack config (the `--policy-pack-config` format); the platform's own by default. */
    policyConfigFile?: string;
    /** Replaces the stack file's config (tests and benchmarks build variants of a stack). */
    transformConfig?: (source: StackConfigSource) => StackConfigSource;
}

export interface Plan {
    source: StackConfigSource;
    run: ProgramRun;
    document: PlanDocument;
}

export async function createPlan(options: PlanOptions): Promise<Plan> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const loaded = loadStackConfig(projectDir, options.stack);
    const source = options.transformConfig ? options.transformConfig(loaded) : loaded;
    const policyConfig = loadPolicyPackConfig(options.policyConfigFile ?? platformPolicyConfigPath);
    const run = await runProgram(source, { preview: options.preview, projectDir });
    const policy = evaluatePolicies(policyResourcesOf(run.resources), policyConfig);
    return { source, run, document: toDocument(run, policy) };
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

/** The stack's region and environment class, as the cost model needs them. */
export function stackFacts(source: StackConfigSource): { region: string; environment: "dev" | "prod" } {
    const environment = source.values[`${source.project}:environment`];
    return { region: source.values["aws:region"] ?? "us-east-1", environment: environment === "dev" ? "dev" : "prod" };
}
