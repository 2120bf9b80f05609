import { z } from "zod";
import { addonsSchema } from "./addons";
import { cidrContains, cidrsCoverEverything, isIpv4Cidr } from "./cidr";

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
import { accessSchema, endpointSchema, OPEN_CIDRS, SUPPORTED_KUBERNETES_VERSIONS } from "./cluster";
import { deployRunnerSchema, GITHUB_HOSTED_LABEL } from "./deploy";
import { nodeGroupsSchema } from "./nodeGroups";
import { networkSchema } from "./network";
import { costAssumptionsSchema } from "./costAssumptions";
import { tenantsSchema } from "./tenants";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;

const LOG_RETENTION_DAYS = [30, 60, 90, 180, 365, 400, 731] as const;

/**
 * YAML reads an unquoted `1.30` as the number 1.3, which Pulumi hands over as "1.3": say so
 * instead of only refusing "1.3". Other bad values keep the default message, which lists the versions.
 */
function unquotedVersionHint(input: unknown): string | undefined {
    if (typeof input !== "string" || !/^\d+\.\d$/.test(input)) return undefined;
    const versions = SUPPORTED_KUBERNETES_VERSIONS.map((v) => `"${v}"`).join(", ");
    return `must be quoted in the stack file: YAML reads an unquoted version such as ${input}0 as the number ${input} (write kubernetesVersion: "${input}0"); supported: ${versions}`;
}

/**
 * Scalar keys, declared with the same type and default in Pulumi.yaml's `config:` block
 * (a test keeps the two in step). Everything else is structured and lives in the stack files.
 */
export const SCALAR_KEYS = {
    environment: "string",
    clusterName: "string",
    kubernetesVersion: "string",
    controlPlaneLogRetentionDays: "integer",
} as const;

export const stackConfigSchema = z
    .strictObject({
        environment: z.enum(ENVIRONMENTS).describe("Environment class; `prod` turns on the high-availability and protection rules."),
        clusterName: z
            .string()
            .regex(/^[a-z][a-z0-9-]{2,37}$/, "must be 3-38 lowercase letters, digits or dashes, starting with a letter")
            .optional()
            .describe("EKS cluster name; defaults to `<project>-<stack>`."),
        kubernetesVersion: z
            .enum(SUPPORTED_KUBERNETES_VERSIONS, { error: (issue) => unquotedVersionHint(issue.input) })
            .default("1.34")
            .describe("EKS Kubernetes minor version."),
        controlPlaneLogRetentionDays: z
            .union(
                LOG_RETENTION_DAYS.map((days) => z.literal(days)),
                { error: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (days; CloudWatch Logs retention periods of at least 30 days, for audit)` },
            )
            .default(90)
            .describe("Retention of the control-plane (audit) log group: 30, 60, 90, 180, 365, 400 or 731 days."),
        network: networkSchema,
        endpoint: endpointSchema.default({ publicAccess: false, publicAccessCidrs: [] }).describe("API server endpoint exposure."),
        access: accessSchema.describe("IAM roles granted access to the cluster through EKS access entries."),
        nodeGroups: nodeGroupsSchema,
        tenants: tenantsSchema,
        addons: addonsSchema.default(addonsSchema.parse({})),
        tags: z.record(z.string(), z.string()).default({}).describe("Tags added to every AWS resource."),
        deployRunner: deployRunnerSchema.optional(),
        costAssumptions: costAssumptionsSchema,
    })
    .superRefine((config, ctx) => {
        checkEndpointNotOpen(config.endpoint.publicAccessCidrs, ctx);
        const allowed = config.addons.externalSecrets.allowedNamespaces ?? [];
        const tenantNames = new Set(config.tenants.map((t) => t.name));
        allowed.forEach((namespace, index) => {
            if (!tenantNames.has(namespace)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["addons", "externalSecrets", "allowedNamespaces", index],
                    message: `"${namespace}" is not a tenant namespace of this stack`,
                });
            }
        });
        if (config.addons.monitoring.alertmanagerConfigSecret && !config.addons.externalSecrets.enabled) {
            ctx.addIssue({
                code: "custom",
                path: ["addons", "monitoring", "alertmanagerConfigSecret"],
                message: "needs addons.externalSecrets.enabled: the Alertmanager configuration is synced from Secrets Manager by External Secrets",
            });
        }
        const lock = config.addons.velero.objectLock;
        if (config.environment !== "prod" && config.addons.velero.enabled && lock.enabled && lock.mode === "COMPLIANCE") {
            ctx.addIssue({
                code: "custom",
                path: ["addons", "velero", "objectLock", "mode"],
                message:
                    "COMPLIANCE retention cannot be shortened by anyone: `pulumi destroy` of this non-production stack could not empty the backup bucket until every backup's retention ends; use GOVERNANCE outside prod",
            });
        }
        checkExposure(config, ctx);
        checkDeployRunner(config, ctx);
        if (config.environment === "prod") checkProductionRules(config, ctx);
    });

type StackConfigInput = z.infer<typeof stackConfigSchema>;

/** Exposed ports need the controller that creates load balancers, and internet-facing ones need public subnets. */
function checkExposure(config: StackConfigInput, ctx: z.RefinementCtx): void {
    const noPublicSubnets = config.network.mode === "existing" && config.network.publicSubnetIds.length === 0;
    config.tenants.forEach((tenant, index) => {
        if (tenant.expose.length > 0 && !config.addons.awsLoadBalancerController.enabled) {
            ctx.addIssue({ code: "custom", path: ["tenants", index, "expose"], message: "needs addons.awsLoadBalancerController.enabled: nothing else creates the load balancers" });
        }
        const internetFacing = tenant.expose.findIndex((exposed) => exposed.scheme === "internet-facing");
        if (internetFacing >= 0 && noPublicSubnets) {
            ctx.addIssue({
                code: "custom",
                path: ["tenants", index, "expose", internetFacing, "scheme"],
                message: "network.publicSubnetIds is empty: an internet-facing load balancer needs public subnets (tagged kubernetes.io/role/elb)",
            });
        }
    });
}

/** The runner must reach the API server: a private endpoint only from the VPC, a public one only from its allow-list. */
function checkDeployRunner(config: StackConfigInput, ctx: z.RefinementCtx): void {
    const runner = config.deployRunner;
    if (!runner) return;
    const path = ["deployRunner"];
    if (runner.network === "vpc") {
        const hosted = runner.labels.filter((label) => GITHUB_HOSTED_LABEL.test(label));
        if (hosted.length > 0) ctx.addIssue({ code: "custom", path: [...path, "labels"], message: `${hosted.join(", ")} is a GitHub-hosted runner, never inside your VPC; use your self-hosted runner's labels` });
        runner.sourceCidrs.forEach((cidr, index) => {
            if (!PRIVATE_RANGES.some((range) => isIpv4Cidr(cidr) && cidrContains(range, cidr))) {
                ctx.addIssue({ code: "custom", path: [...path, "sourceCidrs", index], message: `${cidr} is not a private address range: a runner inside the VPC connects from private addresses` });
            }
        });
        return;
    }
    if (!config.endpoint.publicAccess) {
        ctx.addIssue({ code: "custom", path: [...path, "network"], message: "the API server endpoint is private (endpoint.publicAccess false): the runner must be inside the VPC (network: vpc)" });
        return;
    }
    runner.sourceCidrs.forEach((cidr, index) => {
        if (isIpv4Cidr(cidr) && !config.endpoint.publicAccessCidrs.some((allowed) => isIpv4Cidr(allowed) && cidrContains(allowed, cidr))) {
            ctx.addIssue({ code: "custom", path: [...path, "sourceCidrs", index], message: `${cidr} is not inside endpoint.publicAccessCidrs (${config.endpoint.publicAccessCidrs.join(", ")}): the API server would refuse the runner` });
        }
    });
}

/** No environment may open the API server to the internet: not with 0.0.0.0/0, nor with CIDRs that add up to it. */
function checkEndpointNotOpen(cidrs: string[], ctx: z.RefinementCtx): void {
    const open = "opens the API server to the whole internet; list your office/VPN CIDRs instead";
    cidrs.forEach((cidr, index) => {
        if (OPEN_CIDRS.includes(cidr)) ctx.addIssue({ code: "custom", path: ["endpoint", "publicAccessCidrs", index], message: open });
    });
    const ipv4 = cidrs.filter((cidr) => !OPEN_CIDRS.includes(cidr) && isIpv4Cidr(cidr));
    // One valid CIDR covers everything only as 0.0.0.0/0, refused above: only several together can.
    if (cidrsCoverEverything(ipv4)) {
        ctx.addIssue({ code: "custom", path: ["endpoint", "publicAccessCidrs"], message: `together cover every IPv4 address, which ${open}` });
    }
}

/** prod must survive the loss of one AZ and one node. */
function checkProductionRules(config: StackConfigInput, ctx: z.RefinementCtx): void {
    if (config.network.mode === "managed") {
        if (config.network.natGateways !== "perAz") {
            ctx.addIssue({ code: "custom", path: ["network", "natGateways"], message: 'must be "perAz" in prod (a single NAT gateway is a single point of failure)' });
        }
        if (config.network.azCount < 3) {
            ctx.addIssue({ code: "custom", path: ["network", "azCount"], message: "must be at least 3 in prod" });
        }
    }
    config.nodeGroups.forEach((group, index) => {
        if (group.minSize < 2) {
            ctx.addIssue({ code: "custom", path: ["nodeGroups", index, "minSize"], message: "must be at least 2 in prod (one node must be able to fail)" });
        }
    });
}
