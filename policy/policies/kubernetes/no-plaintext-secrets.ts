// Secrets written into env vars or ConfigMaps end up in Git, in `kubectl describe` output and
// in the Pulumi state in clear. Literal values only: `valueFrom` references are the fix.
import { cisEks, nsaCisa } from "../../lib/frameworks";
import { containersOf, describeContainer, isKind, isPodBearing, parseKubernetesType } from "../../lib/kubernetes";
import { defineResourcePolicy, ResourceCheck } from "../../lib/policy";
import { canBeSecretValue, containsPrivateKey, looksLikeSecretName } from "../../lib/secrets";
import { asArray, asRecord, asString, globMatches } from "../../lib/values";

interface Config {
    allowedNames: string[];
}

function isAllowedName(name: string, config: Config): boolean {
    return config.allowedNames.some((pattern) => globMatches(pattern, name));
}

function checkEnvironment(resource: ResourceCheck<Config>): void {
    const kind = parseKubernetesType(resource.type)?.kind;
    const sites = containersOf(resource.type, resource.props, undefined, resource);
    resource.each(sites, (site) => {
        resource.each(asArray(site.container.env), (entry) => {
            const env = asRecord(entry);
            const name = asString(env?.name);
            const value = asString(env?.value);
            if (name === undefined || value === undefined) return;
            if (containsPrivateKey(value)) {
                resource.report(`${kind} ${describeContainer(site)} has a PEM private key in env var ${name}`);
            } else if (looksLikeSecretName(name) && canBeSecretValue(value) && !isAllowedName(name, resource.config)) {
                resource.report(`${kind} ${describeContainer(site)} sets env var ${name} to a literal value`);
            }
        });
    });
}

function checkConfigMap(resource: ResourceCheck<Config>): void {
    const data = asRecord(resource.props.data) ?? {};
    for (const key of Object.keys(data)) {
        resource.tolerate(() => {
            const value = asString(data[key]) ?? "";
            if (containsPrivateKey(value)) {
                resource.report(`ConfigMap key ${key} holds a PEM private key`);
            } else if (looksLikeSecretName(key) && canBeSecretValue(value) && !isAllowedName(key, resource.config)) {
                resource.report(`ConfigMap key ${key} looks like a secret`);
            }
        });
    }
}

export const noPlaintextSecrets = defineResourcePolicy<Config>(
    {
        name: "k8s-no-plaintext-secrets",
        description:
            "No literal secret in env vars or ConfigMaps: names like password/token/key/credential with a literal value, or a PEM private key.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("4.4.1", "Prefer using secrets as files over secrets as environment variables"),
            cisEks("4.4.2", "Consider external secret storage"),
            nsaCisa("Secrets", "Do not store secrets in plain text in manifests"),
        ],
        appliesTo: "pod-bearing Kubernetes objects, ConfigMap",
        remediation: "Move the value to a Secret (ideally an ExternalSecret) and reference it with `valueFrom.secretKeyRef`.",
        knobs: {
            allowedNames: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Env var / ConfigMap key names that look secret but are not (e.g. `LOG_TOKEN_HEADER`); `*` allowed.",
            },
        },
    },
    {
        appliesTo: (type) => isPodBearing(type) || isKind(type, "ConfigMap"),
        check: (resource) => (isKind(resource.type, "ConfigMap") ? checkConfigMap(resource) : checkEnvironment(resource)),
    },
);
