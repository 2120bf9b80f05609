/**
 * The payments team's stack: reads the platform's outputs through a StackReference, checks
 * them against the platform's outputs contract, and deploys a workload into the team's tenant
 * namespace that passes the platform's policy pack (restricted Pod Security, pinned image,
 * requests and limits, its own ServiceAccount without a token, a disruption budget, its
 * database password from AWS Secrets Manager through the platform's ClusterSecretStore), exposed
 * through an internal Application Load Balancer (the platform's IngressClass; internet-facing only
 * where the platform's config allows the namespace, and then with an ACM certificate).
 *
 * In this repository the contract is imported by path; an application team imports the
 * published type and schema instead (e.g. `@acme/eks-platform-contract`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CONTRACT_FIELDS, parsePlatformOutputs, type PlatformOutputs } from "../../contract/outputs";

const APP = "payments-api";
const PORT = 9898;
const APPLICATION_NODES = { "platform.eks.aws/node-role": "application" };

/** Reads every output the contract declares from the platform stack and validates them. */
async function readPlatform(platformStack: string): Promise<PlatformOutputs> {
    const platform = new pulumi.StackReference("platform", { name: platformStack });
    const details = await Promise.all(CONTRACT_FIELDS.map((field) => platform.getOutputDetails(field)));
    const values = Object.fromEntries(
        CONTRACT_FIELDS.map((field, i) => [field, details[i].value ?? details[i].secretValue] as const).filter(([, value]) => value !== undefined),
    );
    return parsePlatformOutputs(values, `platform stack ${platformStack}`);
}

interface Requirements {
    storeName: string;
    secretsPrefix: string;
    ingressClassName: string;
}

/** What this stack needs from the platform beyond the always-present outputs. */
function requireFor(platform: PlatformOutputs, platformStack: string, namespace: string, exposure: Exposure): Requirements {
    if (!platform.tenantNamespaces.includes(namespace)) {
        throw new Error(`namespace "${namespace}" is not a tenant namespace of platform stack ${platformStack} (tenantNamespaces: ${platform.tenantNamespaces.join(", ")})`);
    }
    if (platform.externalSecretsStoreName === undefined || platform.secretsPrefix === undefined) {
        throw new Error(`platform stack ${platformStack} has no External Secrets add-on (outputs externalSecretsStoreName and secretsPrefix are absent); this app reads its database password through it`);
    }
    const ingressClassName = exposure === "internet-facing" ? platform.internetFacingIngressClassName : platform.ingressClassName;
    if (ingressClassName === undefined) {
        throw new Error(`platform stack ${platformStack} has no AWS Load Balancer Controller add-on (output ${exposure === "internet-facing" ? "internetFacingIngressClassName" : "ingressClassName"} is absent); this app is exposed through it`);
    }
    return { storeName: platform.externalSecretsStoreName, secretsPrefix: platform.secretsPrefix, ingressClassName };
}

type Exposure = "internal" | "internet-facing";

function exposureOf(config: pulumi.Config): Exposure {
    const exposure = config.get("exposure") ?? "internal";
    if (exposure !== "internal" && exposure !== "internet-facing") throw new Error(`payments-app:exposure = ${JSON.stringify(exposure)}: must be internal or internet-facing`);
    return exposure;
}

export = async () => {
    const config = new pulumi.Config();
    const platformStack = config.require("platformStack");
    const namespace = config.require("namespace");
    const image = config.get("image") ?? "ghcr.io/stefanprodan/podinfo:6.7.1";
    const dbSecretName = config.get("dbSecretName") ?? "orders-db";
    const exposure = exposureOf(config);
    const certificateArn = config.get("certificateArn");

    const platform = await readPlatform(platformStack);
    const { storeName, secretsPrefix, ingressClassName } = requireFor(platform, platformStack, namespace, exposure);

    // The kubeconfig stays a secret in this stack's state too.
    const provider = new k8s.Provider("platform", { kubeconfig: pulumi.secret(platform.kubeconfig), enableServerSideApply: true });
    const opts = { provider };
    const labels = { "app.kubernetes.io/name": APP, "app.kubernetes.io/part-of": "payments" };
    const metadata = (name: string) => ({ name, namespace, labels });

    const serviceAccount = new k8s.core.v1.ServiceAccount(APP, { metadata: metadata(APP), automountServiceAccountToken: false }, opts);

    const dbSecret = new k8s.apiextensions.CustomResource(
        `${APP}-db`,
        {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: metadata(`${APP}-db`),
            spec: {
                refreshInterval: "1h",
                secretStoreRef: { kind: "ClusterSecretStore", name: storeName },
                target: { name: `${APP}-db`, creationPolicy: "Owner", deletionPolicy: "Retain" },
                data: [{ secretKey: "password", remoteRef: { key: `${secretsPrefix}${namespace}/${dbSecretName}`, property: "password" } }],
            },
        },
        opts,
    );

    const deployment = new k8s.apps.v1.Deployment(
        APP,
        {
            metadata: metadata(APP),
            spec: {
                replicas: 2,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: serviceAccount.metadata.name,
                        automountServiceAccountToken: false,
                        nodeSelector: APPLICATION_NODES,
                        topologySpreadConstraints: [
                            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
                        ],
                        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [
                            {
                                name: "api",
                                image,
                                ports: [{ name: "http", containerPort: PORT }],
                                env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: `${APP}-db`, key: "password" } } }],
                                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                                readinessProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 5 },
                                livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 },
                                securityContext: {
                                    runAsNonRoot: true,
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    capabilities: { drop: ["ALL"] },
                                    seccompProfile: { type: "RuntimeDefault" },
                                },
                                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                            },
                        ],
                        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                    },
                },
            },
        },
        { ...opts, dependsOn: [dbSecret] },
    );

    new k8s.policy.v1.PodDisruptionBudget(APP, { metadata: metadata(APP), spec: { maxUnavailable: 1, selector: { matchLabels: labels } } }, opts);

    const service = new k8s.core.v1.Service(
        APP,
        { metadata: metadata(APP), spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] } },
        opts,
    );

    // An Application Load Balancer in front of the Service, sending to the pods' port (target type
    // ip): the platform's NetworkPolicies admit the load balancer there because the platform's
    // config lists 9898 in `tenants[].expose` for this namespace. Internal unless configured otherwise;
    // an internet-facing one listens on HTTPS only, with the team's ACM certificate.
    const ingress = new k8s.networking.v1.Ingress(
        APP,
        {
            metadata: {
                ...metadata(APP),
                annotations: {
                    "alb.ingress.kubernetes.io/healthcheck-path": "/readyz",
                    ...(exposure === "internet-facing" && certificateArn ? { "alb.ingress.kubernetes.io/certificate-arn": certificateArn } : {}),
                },
            },
            spec: {
                ingressClassName,
                rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service.metadata.name, port: { name: "http" } } } }] } }],
            },
        },
        opts,
    );

    return {
        namespace,
        ingressName: ingress.metadata.name,
        exposure,
        deploymentName: deployment.metadata.name,
        serviceName: service.metadata.name,
        serviceHost: pulumi.interpolate`${service.metadata.name}.${namespace}.svc.cluster.local`,
        clusterName: platform.clusterName,
    };
};
