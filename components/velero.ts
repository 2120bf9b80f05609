import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { VeleroConfig } from "../config/addons";
import { PLATFORM_NAMESPACES } from "../config/namespaces";
import { addonNamespaceLimits, LockedNamespace, scrapedByMonitoring, type TrafficRule } from "./lockedNamespace";
import { CHARTS, helmRelease } from "./shared/helm";
import { workloadIdentity } from "./shared/identity";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, resources, restrictedPodSecurityContext, systemPlacement } from "./shared/scheduling";
import { AccessLogBucket } from "./accessLogs";
import type { MetricsEndpoint, PlatformAddon, ServiceMonitorSupport } from "./shared/addon";
import type { ClusterContext } from "./shared/types";
import { veleroBucketPolicy, veleroKeyPolicy, veleroRolePolicy } from "./velero.iam";

/**
 * The AWS plugin release the plugin's compatibility table pairs with Velero 1.18
 * (velero-plugin-for-aws README on branch release-1.14: "v1.14.x | v1.18.x").
 */
export const VELERO_AWS_PLUGIN_IMAGE = "velero/velero-plugin-for-aws:v1.14.0";

/** The release, service account and schedule names the chart renders (fullname = release name). */
export const VELERO_RELEASE = "velero";
export const VELERO_SERVICE_ACCOUNT = "velero-server";
export const VELERO_SCHEDULE = "daily";
/** Velero's metrics port (`http-monitoring`). */
export const VELERO_METRICS_PORT = 8085;

export interface VeleroArgs {
    cluster: ClusterContext;
    config: VeleroConfig;
    /** The one human role besides Velero that may read backups. */
    breakGlassRoleArn: string;
    /** The roles that run `pulumi up`: the only ones besides break-glass that may change the bucket's guards (and, outside production, empty it on destroy). */
    deployerRoleArns: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * When monitoring is on: the Prometheus CRDs the chart's ServiceMonitor needs. Velero waits
     * for the CRDs only, never for the monitoring release itself.
     */
    monitoring?: ServiceMonitorSupport;
    /** Where the backup bucket's S3 server access logs go (the platform's access-log bucket). */
    accessLogs?: { bucketName: pulumi.Input<string>; ready: pulumi.Resource[] };
}

/**
 * Velero with a backup bucket nobody else can read: dedicated bucket and CMK, deny-by-default
 * bucket policy, IRSA role scoped to this bucket and this cluster's EBS snapshots.
 */
export class Velero extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: VeleroArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:index:Velero", name, {}, opts);
        const { cluster, config } = args;
        const namespace = PLATFORM_NAMESPACES.velero;
        // prod: `pulumi destroy` must never take the backups (or their guards) with it.
        const stateful: pulumi.CustomResourceOptions = { parent: this, protect: cluster.protectStateful, retainOnDelete: cluster.protectStateful };

        // Velero (1 CPU / 1Gi), its CRD job and plugin init container, with room for a rollout.
        const limits = addonNamespaceLimits("4", "4Gi", "10");
        const ns = new LockedNamespace(`${name}-namespace`, { cluster, name: namespace, podSecurity: "restricted", rules: trafficRules(args.monitoring !== undefined), limits }, { parent: this });

        // IRSA, not Pod Identity: velero#7421 (the AWS plugin failing on the Pod Identity
        // credential endpoint) is still open upstream; IRSA is the proven path.
        const identity = workloadIdentity(this, `${name}-irsa`, {
            cluster,
            namespace,
            serviceAccount: VELERO_SERVICE_ACCOUNT,
            mechanism: "irsa",
        });
        // Its permissions are attached below, once the key and bucket exist (the key policy names the role).
        const key = new aws.kms.Key(
            `${name}-backups`,
            {
                description: `Velero backups of EKS cluster ${cluster.name}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify(
                    pulumi.all([cluster.partition, cluster.accountId, identity.roleArn]).apply(([partition, accountId, veleroRoleArn]) =>
                        veleroKeyPolicy({ partition, region: cluster.region, accountId, veleroRoleArn, breakGlassRoleArn: args.breakGlassRoleArn }),
                    ),
                ),
                tags: cluster.tags,
            },
            stateful,
        );
        new aws.kms.Alias(`${name}-backups`, { name: `alias/${cluster.name}-velero-backups`, targetKeyId: key.keyId }, stateful);

        const bucket = new aws.s3.Bucket(
            `${name}-backups`,
            {
                bucket: pulumi.interpolate`${cluster.name}-backups-${cluster.accountId}`,
                objectLockEnabled: config.objectLock.enabled,
                // Outside production `pulumi destroy` empties the bucket (every version, bypassing
                // GOVERNANCE retention) instead of stopping at BucketNotEmpty; prod keeps it.
                forceDestroy: !cluster.protectStateful,
                tags: cluster.tags,
            },
            stateful,
        );
        const bucketId = bucket.id;
        const companion = { ...stateful, dependsOn: [bucket] };
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-backups`,
            { bucket: bucketId, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            companion,
        );
        new aws.s3.BucketOwnershipControls(`${name}-backups`, { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } }, companion);
        const versioning = new aws.s3.BucketVersioning(`${name}-backups`, { bucket: bucketId, versioningConfiguration: { status: "Enabled" } }, companion);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-backups`,
            { bucket: bucketId, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
            companion,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-backups`,
            {
                bucket: bucketId,
                rules: [
                    {
                        id: "expire-noncurrent-versions",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: config.noncurrentVersionRetentionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            { ...companion, dependsOn: [bucket, versioning] },
        );
        if (args.accessLogs) {
            new aws.s3.BucketLogging(
                `${name}-backups`,
                { bucket: bucketId, targetBucket: args.accessLogs.bucketName, targetPrefix: `${name}-backups/` },
                { ...companion, dependsOn: [bucket, ...args.accessLogs.ready] },
            );
        }
        if (config.objectLock.enabled) {
            new aws.s3.BucketObjectLockConfiguration(
                `${name}-backups`,
                {
                    bucket: bucketId,
                    objectLockEnabled: "Enabled",
                    rule: { defaultRetention: { mode: config.objectLock.mode, days: config.objectLock.retentionDays } },
                },
                { ...companion, dependsOn: [bucket, versioning] },
            );
        }
        new aws.s3.BucketPolicy(
            `${name}-backups`,
            {
                bucket: bucketId,
                policy: pulumi.jsonStringify(
                    pulumi
                        .all([bucket.arn, identity.roleArn, pulumi.output(args.deployerRoleArns)])
                        .apply(([bucketArn, veleroRoleArn, deployerRoleArns]) =>
                            veleroBucketPolicy({ bucketArn, veleroRoleArn, deployerRoleArns, breakGlassRoleArn: args.breakGlassRoleArn, deployersMayEmpty: !cluster.protectStateful }),
                        ),
                ),
            },
            // After the public-access block: S3 rejects a policy it considers public while blocks are being set.
            { ...companion, dependsOn: [bucket, publicAccess] },
        );

        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-irsa-least-privilege`,
            {
                role: identity.role.name,
                name: "velero-least-privilege",
                policy: pulumi.jsonStringify(
                    pulumi
                        .all([cluster.partition, cluster.accountId, bucket.arn, key.arn])
                        .apply(([partition, accountId, bucketArn, keyArn]) => veleroRolePolicy({ partition, region: cluster.region, accountId, clusterName: cluster.name, bucketArn, keyArn })),
                ),
            },
            { parent: this },
        );

        // Velero restores any kind of object, RBAC included: whatever role allows that can grant
        // itself everything else, so it is cluster-admin, said here (seen at preview) rather than
        // by a chart default. The chart's own RBAC (this binding plus a redundant `*` Role) is off.
        const serverBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-server-cluster-admin`,
            {
                metadata: { name: VELERO_SERVICE_ACCOUNT, labels: { "app.kubernetes.io/name": "velero", "app.kubernetes.io/component": "server" } },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
                subjects: [{ kind: "ServiceAccount", name: VELERO_SERVICE_ACCOUNT, namespace }],
            },
            { parent: this, provider: cluster.provider, dependsOn: [ns] },
        );

        helmRelease(this, VELERO_RELEASE, {
            cluster,
            source: CHARTS.velero,
            namespace,
            values: veleroValues({ cluster, config, bucketName: bucket.bucket, roleArn: identity.roleArn, monitoring: args.monitoring !== undefined }),
            dependsOn: [ns, rolePolicy, serverBinding, ...(args.monitoring?.crds ?? [])],
        });

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.kmsKeyArn = key.arn;
        this.roleArn = identity.roleArn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn, roleArn: this.roleArn });
    }
}

/** Where Prometheus scrapes Velero (its chart's ServiceMonitor). */
export const VELERO_METRICS: MetricsEndpoint = { name: "velero", title: "Velero", namespace: PLATFORM_NAMESPACES.velero, port: VELERO_METRICS_PORT };

export interface VeleroAddonArgs {
    config: VeleroConfig;
    breakGlassRoleArn: string;
    /** The role that runs `pulumi up` (aws:PrincipalArn is the role, not the session). */
    deployerRoleArn: string;
}

/**
 * Velero as a platform add-on, with the bucket that keeps the backup bucket's server access
 * logs (who read or deleted backups, and when).
 */
export function veleroAddon(args: VeleroAddonArgs): PlatformAddon {
    return {
        name: "velero",
        metrics: VELERO_METRICS,
        install({ cluster, monitoring }) {
            const accessLogs = new AccessLogBucket("access-logs", {
                clusterName: cluster.name,
                accountId: cluster.accountId,
                partition: cluster.partition,
                tags: cluster.tags,
                protectStateful: cluster.protectStateful,
            });
            const velero = new Velero("velero", {
                cluster,
                config: args.config,
                breakGlassRoleArn: args.breakGlassRoleArn,
                deployerRoleArns: [args.deployerRoleArn],
                monitoring,
                accessLogs,
            });
            return { outputs: { veleroBucketName: velero.bucketName, veleroBucketArn: velero.bucketArn, veleroKmsKeyArn: velero.kmsKeyArn, veleroRoleArn: velero.roleArn } };
        },
    };
}

function trafficRules(monitoring: boolean): TrafficRule[] {
    const rules: TrafficRule[] = [
        { name: "allow-apiserver", description: "Velero and its CRD upgrade job talk to the Kubernetes API", direction: "egress", peer: { kind: "apiServer" }, ports: [{ port: 443 }] },
        { name: "allow-aws-apis", description: "Velero reaches S3, EC2 (EBS snapshots) and STS (IRSA) over HTTPS", direction: "egress", peer: { kind: "awsApis" }, ports: [{ port: 443 }] },
    ];
    if (monitoring) rules.push(scrapedByMonitoring("Prometheus scrapes Velero's metrics", VELERO_METRICS_PORT, "allow-scrape-from-monitoring"));
    return rules;
}

interface VeleroValuesInput {
    cluster: ClusterContext;
    config: VeleroConfig;
    bucketName: pulumi.Input<string>;
    roleArn: pulumi.Input<string>;
    monitoring: boolean;
}

/** Helm values for chart velero 12.1.0; every key is checked against the pinned values.yaml and schema. */
export function veleroValues(input: VeleroValuesInput): pulumi.Output<Record<string, unknown>> {
    const { cluster, config } = input;
    const securityContext = { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, capabilities: { drop: ["ALL"] } };
    return pulumi.all([input.bucketName, input.roleArn]).apply(([bucket, roleArn]): Record<string, unknown> => ({
        ...systemPlacement(),
        resources: resources("100m", "256Mi", "1", "1Gi"),
        podSecurityContext: restrictedPodSecurityContext(65532),
        containerSecurityContext: securityContext,
        // The CRD upgrade hook job runs the Velero image with the same pod/container security
        // context and placement; it needs a writable HOME.
        upgradeCRDs: true,
        upgradeJobResources: resources("50m", "64Mi", "200m", "256Mi"),
        upgradeCRDsJob: {
            extraVolumes: [{ name: "home", emptyDir: {} }],
            extraVolumeMounts: [{ name: "home", mountPath: "/tmp" }],
            extraEnvVars: [{ name: "HOME", value: "/tmp" }],
            automountServiceAccountToken: true,
        },
        // Used only by the (disabled) CRD clean-up job; restricted anyway.
        kubectl: { image: { repository: "registry.k8s.io/kubectl" }, containerSecurityContext: securityContext, resources: resources("50m", "64Mi", "200m", "256Mi") },
        cleanUpCRDs: false,
        initContainers: [
            {
                name: "velero-plugin-for-aws",
                image: VELERO_AWS_PLUGIN_IMAGE,
                imagePullPolicy: "IfNotPresent",
                volumeMounts: [{ mountPath: "/target", name: "plugins" }],
                resources: resources("50m", "64Mi", "200m", "128Mi"),
                securityContext,
            },
        ],
        credentials: { useSecret: false },
        // The cluster-admin binding is the program's own (see Velero above), not the chart's.
        rbac: { create: false },
        serviceAccount: {
            server: {
                create: true,
                name: VELERO_SERVICE_ACCOUNT,
                annotations: { "eks.amazonaws.com/role-arn": roleArn, "eks.amazonaws.com/sts-regional-endpoints": "true" },
                automountServiceAccountToken: true,
            },
        },
        // The node agent (file-system backups) needs hostPath: volumes are backed up as EBS snapshots instead.
        deployNodeAgent: false,
        backupsEnabled: true,
        snapshotsEnabled: true,
        configuration: {
            backupStorageLocation: [{ name: "default", provider: "aws", bucket, default: true, config: { region: cluster.region } }],
            volumeSnapshotLocation: [{ name: "default", provider: "aws", config: { region: cluster.region } }],
            defaultVolumeSnapshotLocations: "aws:default",
            logFormat: "json",
            // Restored volumes are claimed by this cluster (`kubernetes.io/cluster/<name>=owned`).
            extraEnvVars: [{ name: "AWS_CLUSTER_NAME", value: cluster.name }],
        },
        metrics: {
            enabled: true,
            // Fail loudly instead of silently skipping the monitor when the CRD is missing.
            serviceMonitor: { enabled: input.monitoring, autodetect: false },
            prometheusRule: { enabled: false, autodetect: false },
        },
        schedules: {
            [VELERO_SCHEDULE]: {
                disabled: false,
                schedule: config.schedule,
                useOwnerReferencesInBackup: false,
                template: veleroScheduleTemplate(config),
            },
        },
    }));
}

/**
 * Every namespace that holds workloads: `*` includes tenants created later without a change
 * here. Cluster-scoped resources come along so a whole cluster can be rebuilt.
 */
export function veleroScheduleTemplate(config: VeleroConfig): Record<string, unknown> {
    return {
        ttl: config.ttl,
        storageLocation: "default",
        volumeSnapshotLocations: ["default"],
        includedNamespaces: ["*"],
        excludedNamespaces: ["kube-node-lease", "kube-public"],
        includeClusterResources: true,
        snapshotVolumes: true,
    };
}
