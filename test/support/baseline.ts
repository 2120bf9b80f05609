/** Builds the namespace baseline for a committed stack alone under mocks. */
import { parsePlatformConfig, type PlatformConfig } from "../../config";
import { NamespaceBaseline } from "../../components/namespaceBaseline";
import { PROJECT_DIR } from "../../plan/run";
import { loadStackConfig } from "../../plan/stackConfig";
import { fakeClusterContext } from "../fixtures/cluster";
import { runComponent, type Recorded, type RecordedResource } from "../harness";

export const STACKS = ["dev", "prod"] as const;

export function stackConfig(stack: string): PlatformConfig {
    return parsePlatformConfig(loadStackConfig(PROJECT_DIR, stack));
}

/** The baseline as platform.ts builds it for `stack` (optionally with the CoreDNS PDB). */
export async function buildBaseline(stack: string, options: { coreDnsDisruptionBudget?: boolean } = {}): Promise<{ config: PlatformConfig; recorded: Recorded }> {
    const config = stackConfig(stack);
    const { recorded } = await runComponent(
        () =>
            new NamespaceBaseline("baseline", {
                cluster: fakeClusterContext(),
                tenants: config.tenants,
                developerExec: !config.isProduction,
                coreDnsDisruptionBudget: options.coreDnsDisruptionBudget ?? false,
            }),
        { stack },
    );
    return { config, recorded };
}

export const kindOf = (r: RecordedResource): string => r.type.split(":").pop() ?? "";
export const metadataOf = (r: RecordedResource) =>
    (r.props.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

export function ofKind(recorded: Recorded, kind: string): RecordedResource[] {
    return recorded.resources.filter((r) => r.custom && kindOf(r) === kind);
}

export function inNamespace(recorded: Recorded, kind: string, namespace: string): RecordedResource[] {
    return ofKind(recorded, kind).filter((r) => metadataOf(r).namespace === namespace);
}
