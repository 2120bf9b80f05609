import { z } from "zod";
import { projectRepositoryFilesUrl } from "./repository";

const duration = z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?$/, "must be a Go duration such as 720h or 30m").refine((v) => v.length > 0, "must not be empty");
const cron = z.string().regex(/^(\S+\s+){4}\S+$/, "must be a five-field cron expression such as 0 2 * * *");
const enabled = z.boolean().default(true).describe("Install this add-on.");

export const karpenterSchema = z.strictObject({
    enabled,
    amiAlias: z
        .string()
        // AL2023 releases are dated (al2023@v20261110); Bottlerocket's are semver (bottlerocket@v1.30.0).
        .regex(/^(al2023@v\d{8}|bottlerocket@v\d+\.\d+\.\d+)$/, "must pin an AMI release such as al2023@v20261110 (never @latest)")
        .default("al2023@v20261110")
        .describe("Pinned EKS-optimized AMI alias for Karpenter nodes."),
    capacityTypes: z.array(z.enum(["spot", "on-demand"])).min(1).default(["on-demand"]).describe("Capacity types Karpenter may launch for the application NodePool."),
    architectures: z.array(z.enum(["amd64", "arm64"])).min(1).default(["amd64"]).describe("CPU architectures allowed (images must support them)."),
    instanceCategories: z.array(z.string().regex(/^[a-z]$/, "must be one letter, e.g. c, m, r")).min(1).default(["c", "m", "r"]).describe("EC2 instance categories (c compute, m general, r memory)."),
    minInstanceGeneration: z.number().int().min(1).default(5).describe("Oldest instance generation allowed."),
    cpuLimit: z.number().int().min(1).default(64).describe("Total vCPUs Karpenter may launch."),
    memoryLimitGiB: z.number().int().min(1).default(256).describe("Total memory Karpenter may launch."),
    consolidateAfter: duration.default("1m").describe("How long a node must be empty or underused before Karpenter consolidates it."),
    expireAfter: duration.default("720h").describe("Nodes are replaced after this age (picks up new AMIs and patches)."),
});

export const externalSecretsSchema = z.strictObject({
    enabled,
    secretsPrefix: z
        .string()
        .regex(/^[A-Za-z0-9/_+=.@-]+\/$/, "must be a Secrets Manager name prefix ending in '/', e.g. prod/apps/")
        .optional()
        .describe("Secrets Manager name prefix the operator may read; defaults to `<clusterName>/`."),
    allowedNamespaces: z.array(z.string()).optional().describe("Namespaces that may use the ClusterSecretStore; defaults to every tenant."),
});

export const veleroSchema = z.strictObject({
    enabled,
    schedule: cron.default("0 2 * * *").describe("When the daily backup runs (cron, UTC)."),
    ttl: duration.default("720h").describe("How long a backup is kept."),
    noncurrentVersionRetentionDays: z.number().int().min(1).default(30).describe("Days a deleted or overwritten backup object is kept as a noncurrent version."),
    objectLock: z
        .strictObject({
            enabled: z.boolean().default(false).describe("Turn on Object Lock (only at bucket creation: changing it later replaces the bucket)."),
            mode: z.enum(["GOVERNANCE", "COMPLIANCE"]).default("GOVERNANCE").describe("GOVERNANCE: removable with a special permission; COMPLIANCE: nobody can shorten it."),
            retentionDays: z.number().int().min(1).default(30).describe("Default retention of every backup object."),
        })
        .default({ enabled: false, mode: "GOVERNANCE", retentionDays: 30 })
        .describe("S3 Object Lock on the backup bucket (write-once backups)."),
});

export const trivySchema = z.strictObject({
    enabled,
    severities: z.array(z.enum(["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"])).min(1).default(["CRITICAL", "HIGH"]).describe("Vulnerability severities Trivy reports."),
    scanJobsConcurrentLimit: z.number().int().min(1).max(50).default(3).describe("Scan jobs running at once (bounds load on system nodes)."),
});

/** Defaults to the repository's web address when package.json names one; required otherwise. */
function withRepositoryDefault(url: z.ZodString) {
    const repository = projectRepositoryFilesUrl();
    return repository ? url.default(repository) : url;
}

export const monitoringSchema = z.strictObject({
    enabled,
    prometheusRetention: z.string().regex(/^\d+[dhw]$/, "must be a Prometheus duration such as 15d").default("15d").describe("How long Prometheus keeps samples."),
    prometheusStorageGiB: z.number().int().min(5).default(50).describe("Encrypted gp3 volume per Prometheus replica."),
    alertmanagerStorageGiB: z.number().int().min(1).default(5).describe("Encrypted gp3 volume per Alertmanager replica."),
    grafanaEnabled: z.boolean().default(true).describe("Install Grafana (admin password generated, held only as a Pulumi secret)."),
    runbookBaseUrl: withRepositoryDefault(
        z.string().regex(/^https?:\/\/\S+\/$/, "must be an http(s) URL ending in /, e.g. https://github.com/acme/eks-platform/blob/main/"),
    ).describe(
            "Where alert runbook links point: each alert's `runbook_url` is this base followed by the runbook's path in the repository (`docs/runbooks/...`). Defaults to the repository's web address from package.json `repository`, branch main.",
        ),
    alertmanagerConfigSecret: z
        .string()
        .regex(/^[A-Za-z0-9/_+=.@-]+$/, "must be a Secrets Manager secret name (relative to the External Secrets prefix)")
        .optional()
        .describe(
            "Secrets Manager secret, under the External Secrets prefix, holding the whole `alertmanager.yaml` (receivers, routes). Synced by an ExternalSecret; without it alerts are evaluated but routed nowhere.",
        ),
});

export const awsLoadBalancerControllerSchema = z.strictObject({
    enabled,
});

export const addonsSchema = z
    .strictObject({
        karpenter: karpenterSchema.default(karpenterSchema.parse({})),
        externalSecrets: externalSecretsSchema.default(externalSecretsSchema.parse({})),
        velero: veleroSchema.default(veleroSchema.parse({})),
        trivy: trivySchema.default(trivySchema.parse({})),
        monitoring: monitoringSchema.default(monitoringSchema.parse({})),
        awsLoadBalancerController: awsLoadBalancerControllerSchema
            .default(awsLoadBalancerControllerSchema.parse({}))
            .describe("AWS Load Balancer Controller: tenants expose services through an Ingress (ALB) or a Service (NLB); internal unless a tenant is `internetFacing`."),
    })
    .describe("Platform add-ons, each switchable per stack.");

export type AddonsConfig = z.infer<typeof addonsSchema>;
export type KarpenterConfig = z.infer<typeof karpenterSchema>;
export type ExternalSecretsConfig = z.infer<typeof externalSecretsSchema>;
export type VeleroConfig = z.infer<typeof veleroSchema>;
export type TrivyConfig = z.infer<typeof trivySchema>;
export type MonitoringConfig = z.infer<typeof monitoringSchema>;
export type AwsLoadBalancerControllerConfig = z.infer<typeof awsLoadBalancerControllerSchema>;
