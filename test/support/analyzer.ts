// The engine's side of the CrossGuard analyzer protocol (@pulumi/pulumi/proto, analyzer.proto),
// as the Pulumi CLI drives a policy pack: start it, read the port it prints, GetAnalyzerInfo,
// Configure with the reconciled `--policy-pack-config`, Analyze each resource (inputs marshalled
// with unknowns and secrets kept, resource options and provider set) and AnalyzeStack with all of
// them. Diagnostics come back as the engine would print them.
import { ChildProcess, spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import type { PolicyPackConfig, PolicyReport } from "../../policy/engine";

/** Signature of a secret as the engine marshals it (`KeepSecrets`); unknowns travel as the sentinel string (`KeepUnknowns`). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

/** A resource as the engine holds it: inputs with secrets still wrapped, options, provider. */
export interface EngineResource {
    urn: string;
    type: string;
    name: string;
    /** Marshalled inputs: secrets as `secret(value)`, unknowns as the unknown sentinel. */
    properties: Record<string, unknown>;
    custom: boolean;
    parent?: string;
    dependencies?: string[];
    protect?: boolean;
    provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
}

export interface Analyzer {
    client: analyzerRpc.AnalyzerClient;
    stop(): void;
}

/** Starts a pack (`command` in `dir`) and connects once it prints its port, as the CLI does. */
export async function startAnalyzer(dir: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Analyzer> {
    const child: ChildProcess = spawn(command, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
    const port = await new Promise<number>((resolve, reject) => {
        let stdout = "";
        child.stdout!.on("data", (chunk) => {
            stdout += String(chunk);
            const line = /^(\d+)\s*$/m.exec(stdout);
            if (line) resolve(Number(line[1]));
        });
        child.on("exit", (code) => reject(new Error(`policy pack exited (${code}) before printing its port:\n${stderr}${stdout}`)));
    });
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
    });
    return {
        client,
        stop() {
            client.close();
            child.kill();
        },
    };
}

function call<Req, Res>(method: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(error) : resolve(response))));
}

export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: string;
    configSchema: Record<string, { default?: unknown }>;
}

const LEVELS: Record<number, string> = {
    [analyzerProto.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerProto.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerProto.EnforcementLevel.DISABLED]: "disabled",
    [analyzerProto.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_CODES: Record<string, analyzerProto.EnforcementLevel> = Object.fromEntries(
    Object.entries(LEVELS).map(([code, name]) => [name, Number(code) as analyzerProto.EnforcementLevel]),
);

export async function getAnalyzerInfo(analyzer: Analyzer): Promise<{ name: string; version: string; supportsConfig: boolean; policies: PolicyInfo[] }> {
    const info = await call<Empty, analyzerProto.AnalyzerInfo>(analyzer.client.getAnalyzerInfo.bind(analyzer.client), new Empty());
    return {
        name: info.getName(),
        version: info.getVersion(),
        supportsConfig: info.getSupportsconfig(),
        policies: info.getPoliciesList().map((p) => ({
            name: p.getName(),
            description: p.getDescription(),
            enforcementLevel: LEVELS[p.getEnforcementlevel()],
            configSchema: (p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, { default?: unknown }>,
        })),
    };
}

/**
 * The config the CLI sends for `--policy-pack-config FILE` (pulumi's ReconcilePolicyPackConfig):
 * every policy with its default level and schema defaults, then "all", then per-policy entries.
 */
export function reconcile(policies: PolicyInfo[], config: PolicyPackConfig): Record<string, { enforcementLevel: string; properties: Record<string, unknown> }> {
    const result: Record<string, { enforcementLevel: string; properties: Record<string, unknown> }> = {};
    for (const policy of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema)) if (schema.default !== undefined) properties[key] = schema.default;
        result[policy.name] = { enforcementLevel: policy.enforcementLevel, properties };
    }
    const all = config.all;
    if (typeof all === "string") for (const entry of Object.values(result)) entry.enforcementLevel = all;
    for (const [name, value] of Object.entries(config)) {
        const entry = (result[name] ??= { enforcementLevel: "", properties: {} });
        if (typeof value === "string") entry.enforcementLevel = value;
        else {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (typeof enforcementLevel === "string") entry.enforcementLevel = enforcementLevel;
            Object.assign(entry.properties, properties);
        }
    }
    return result;
}

export async function configure(analyzer: Analyzer, policies: PolicyInfo[], config: PolicyPackConfig): Promise<void> {
    const request = new analyzerProto.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, entry] of Object.entries(reconcile(policies, config))) {
        const policyConfig = new analyzerProto.PolicyConfig();
        policyConfig.setEnforcementlevel(LEVEL_CODES[entry.enforcementLevel] ?? analyzerProto.EnforcementLevel.ADVISORY);
        policyConfig.setProperties(Struct.fromJavaScript(entry.properties as Record<string, never>));
        map.set(name, policyConfig);
    }
    await call(analyzer.client.configure.bind(analyzer.client), request);
}

/** JSON-compatible value without `undefined` (absent in the engine's property maps). */
function marshal(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : marshal(v)));
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, marshal(v)]));
}

const struct = (value: Record<string, unknown>) => Struct.fromJavaScript(marshal(value) as Record<string, never>);

function options(resource: EngineResource): analyzerProto.AnalyzerResourceOptions {
    const timeouts = new analyzerProto.AnalyzerResourceOptions.CustomTimeouts();
    timeouts.setCreate(0);
    timeouts.setUpdate(0);
    timeouts.setDelete(0);
    return new analyzerProto.AnalyzerResourceOptions()
        .setProtect(resource.protect ?? false)
        .setIgnorechangesList([])
        .setDeletebeforereplacedefined(false)
        .setAdditionalsecretoutputsList([])
        .setAliasesList([])
        .setCustomtimeouts(timeouts)
        .setParent(resource.parent ?? "");
}

function provider(resource: EngineResource): analyzerProto.AnalyzerProviderResource | undefined {
    if (!resource.provider) return undefined;
    return new analyzerProto.AnalyzerProviderResource()
        .setUrn(resource.provider.urn)
        .setType(resource.provider.type)
        .setName(resource.provider.name)
        .setProperties(struct(resource.provider.properties));
}

export interface Diagnostic {
    policy: string;
    enforcementLevel: string;
    urn: string;
    message: string;
}

function diagnostics(response: analyzerProto.AnalyzeResponse): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), enforcementLevel: LEVELS[d.getEnforcementlevel()], urn: d.getUrn(), message: d.getMessage() }));
}

export async function analyze(analyzer: Analyzer, resource: EngineResource): Promise<Diagnostic[]> {
    const request = new analyzerProto.AnalyzeRequest()
        .setUrn(resource.urn)
        .setType(resource.type)
        .setName(resource.name)
        .setProperties(struct(resource.properties))
        .setOptions(options(resource));
    const resourceProvider = provider(resource);
    if (resourceProvider) request.setProvider(resourceProvider);
    const response = await call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>(analyzer.client.analyze.bind(analyzer.client), request);
    return diagnostics(response).map((d) => ({ ...d, urn: d.urn || resource.urn }));
}

export async function analyzeStack(analyzer: Analyzer, resources: EngineResource[]): Promise<Diagnostic[]> {
    const request = new analyzerProto.AnalyzeStackRequest().setResourcesList(
        resources.map((resource) => {
            const entry = new analyzerProto.AnalyzerResource()
                .setUrn(resource.urn)
                .setType(resource.type)
                .setName(resource.name)
                .setProperties(struct(resource.properties))
                .setOptions(options(resource))
                .setParent(resource.parent ?? "")
                .setDependenciesList(resource.dependencies ?? []);
            const resourceProvider = provider(resource);
            if (resourceProvider) entry.setProvider(resourceProvider);
            return entry;
        }),
    );
    return diagnostics(await call<analyzerProto.AnalyzeStackRequest, analyzerProto.AnalyzeResponse>(analyzer.client.analyzeStack.bind(analyzer.client), request));
}

/** Analyze for every resource (a few at a time), then AnalyzeStack: what a preview does. */
export async function analyzeAll(analyzer: Analyzer, resources: EngineResource[]): Promise<Diagnostic[]> {
    const found: Diagnostic[] = [];
    for (let i = 0; i < resources.length; i += 16) {
        const batch = await Promise.all(resources.slice(i, i + 16).map((resource) => analyze(analyzer, resource)));
        found.push(...batch.flat());
    }
    found.push(...(await analyzeStack(analyzer, resources)));
    return found;
}

/**
 * Diagnostics in the offline engine's terms. The analyzer prefixes a violation with the policy's
 * description, reports an unknown value as an advisory "can't run ... during preview" note, and
 * leaves the URN of a stack-level finding empty; the offline engine reports the policy's own
 * message, lists unknowns as not evaluated, and uses `stackUrn`.
 */
export function asPolicyReport(found: Diagnostic[], pack: { name: string; version: string; policies: PolicyInfo[] }, stackUrn: string): PolicyReport {
    const descriptions = new Map(pack.policies.map((p) => [p.name, p.description]));
    const report: PolicyReport = { violations: [], notEvaluated: [] };
    for (const d of found) {
        const urn = d.urn || stackUrn;
        const preview = `can't run policy '${d.policy}' from policy pack '${pack.name}@v${pack.version}' during preview: `;
        if (d.enforcementLevel === "advisory" && d.message.startsWith(preview)) {
            report.notEvaluated.push({ policy: d.policy, urn, reason: d.message.slice(preview.length) });
            continue;
        }
        const prefix = `${descriptions.get(d.policy)}\n`;
        if (!d.message.startsWith(prefix)) throw new Error(`diagnostic of ${d.policy} does not start with the policy description: ${d.message}`);
        report.violations.push({ policy: d.policy, enforcementLevel: d.enforcementLevel as "mandatory" | "advisory", urn, message: d.message.slice(prefix.length) });
    }
    return report;
}
