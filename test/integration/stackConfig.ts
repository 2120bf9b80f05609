/**
 * The ephemeral integration stack's config, assembled from the committed dev stack file.
 * Only names, sizes, the region and the identities of the account under test change; every
 * security setting (endpoint exposure, encryption, Pod Security, network policies, add-ons,
 * tenants, log types) is kept, so the test deploys what dev deploys.
 */

const PROJECT = "eks-platform";
const key = (name: string) => `${PROJECT}:${name}`;

/** A Pulumi stack file's `config:` map, as YAML parses it (structured values are objects). */
export type StackFileConfig = Record<string, unknown>;

export interface EphemeralOptions {
    /** Makes names unique, e.g. `20261128200301`; the stack is `it-<suffix>`. */
    suffix: string;
    /** AWS region to deploy to; defaults to the dev stack's. */
    region?: string;
    /** The role running the test: cluster admin (to run kubectl), deployer. */
    adminRoleArn: string;
    /** Break-glass reader of the backups; defaults to the admin role. */
    breakGlassRoleArn?: string;
    /** Public endpoint allow-list (the runner's egress address); defaults to the dev stack's. */
    publicAccessCidrs?: string[];
    /** `runs-on` labels of the runner the test deploys from (the workflow's integration job). */
    runnerLabels?: string[];
}

/** Where the workflow's integration job runs: a GitHub-hosted runner, whose egress address the test allow-lists. */
export const INTEGRATION_RUNNER_LABELS = ["ubuntu-24.04"];

interface NodeGroup {
    name: string;
    minSize: number;
    maxSize: number;
    desiredSize: number;
    [other: string]: unknown;
}

export function ephemeralStackName(suffix: string): string {
    return `it-${suffix}`;
}

/** `2026-11-28T20:03:01.123Z` -> `20261128200301`: sortable and valid in every AWS name. */
export function timestampSuffix(now: Date): string {
    return now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

export function ephemeralStackConfig(devConfig: StackFileConfig, options: EphemeralOptions): StackFileConfig {
    if (!/^[a-z0-9]{1,20}$/.test(options.suffix)) throw new Error(`suffix ${JSON.stringify(options.suffix)} must be 1-20 lowercase letters or digits`);
    if (devConfig[key("environment")] !== "dev") throw new Error("the ephemeral stack is built from the dev stack's config (environment: dev)");
    const config = structuredClone(devConfig);

    config[key("clusterName")] = `${PROJECT}-it-${options.suffix}`;
    if (options.region !== undefined) config["aws:region"] = options.region;

    // Identities: the dev file names roles of another account. Only the runner's role is
    // granted (as admin); no developer, viewer or CI principals exist in the test account. It
    // creates the cluster, so it is also the deployer: EKS's bootstrap entry is its one entry.
    const access = { ...(config[key("access")] as Record<string, unknown>) };
    access.platformAdminRoleArns = [options.adminRoleArn];
    access.deployerRoleArn = options.adminRoleArn;
    access.developerRoleArns = [];
    access.viewerRoleArns = [];
    access.ciRoleArns = [];
    access.breakGlassRoleArn = options.breakGlassRoleArn ?? options.adminRoleArn;
    config[key("access")] = access;

    // Exposure stays as dev has it (public only to an allow-list); the allow-list becomes the runner.
    const endpoint = config[key("endpoint")] as { publicAccess?: boolean; publicAccessCidrs?: string[] } | undefined;
    if (options.publicAccessCidrs !== undefined) {
        for (const cidr of options.publicAccessCidrs) {
            if (OPEN.has(cidr)) throw new Error(`publicAccessCidrs ${cidr} would open the API server to the internet; give the runner's /32`);
        }
        if (endpoint?.publicAccess !== true) throw new Error("publicAccessCidrs given, but the dev stack's endpoint is private");
        config[key("endpoint")] = { ...endpoint, publicAccessCidrs: [...options.publicAccessCidrs] };
        // The test deploys from this runner, through the public endpoint, from the allow-listed address.
        config[key("deployRunner")] = { labels: [...(options.runnerLabels ?? INTEGRATION_RUNNER_LABELS)], network: "public", sourceCidrs: [...options.publicAccessCidrs] };
    }

    // Capacity: one node per group is enough to prove both groups join and are Ready.
    const groups = config[key("nodeGroups")] as NodeGroup[];
    config[key("nodeGroups")] = groups.map((group) => ({ ...group, minSize: 1, desiredSize: 1, maxSize: Math.min(group.maxSize, 2) }));

    // Karpenter may launch at most a couple of small nodes.
    const addons = config[key("addons")] as Record<string, Record<string, unknown>> | undefined;
    if (addons?.karpenter !== undefined) {
        const karpenter = addons.karpenter;
        karpenter.cpuLimit = Math.min(Number(karpenter.cpuLimit ?? 8), 8);
        karpenter.memoryLimitGiB = Math.min(Number(karpenter.memoryLimitGiB ?? 32), 32);
    }

    const tags = { ...((config[key("tags")] as Record<string, string> | undefined) ?? {}) };
    tags["platform.eks.aws/ephemeral"] = "true";
    tags["platform.eks.aws/integration-run"] = options.suffix;
    config[key("tags")] = tags;
    return config;
}

/**
 * The stack file's config as the Pulumi runtime hands it to the program: scalars as strings,
 * structured values as JSON. Lets tests run the result through `parsePlatformConfig`.
 */
export function asRuntimeValues(config: StackFileConfig): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v)]));
}
