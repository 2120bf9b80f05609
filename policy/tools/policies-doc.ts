// Renders docs/policies.md from the policy metadata, so the table cannot drift from the code.
// `npx tsx policy/tools/policies-doc.ts` rewrites the file; a test fails when it is stale.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { resolvePolicyConfig, type PolicyPackConfig } from "../lib/config";
import { ENVIRONMENT_CLASSES, ENVIRONMENT_LEVELS, environmentPolicyConfig, type EnvironmentClass } from "../lib/environments";
import type { ExemptObject } from "../lib/exemptions";
import { isPodSecurityPolicy, LATEST_POD_SECURITY_MINOR } from "../lib/podSecurity";
import { PlatformPolicy } from "../lib/policy";
import { allPolicies } from "../policies";
import platformConfig from "../platform-policy-config.json";

export const policiesDocPath = path.resolve(__dirname, "../../docs/policies.md");

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Level of every policy under each environment's platform config. */
const environmentLevels = new Map(
    ENVIRONMENT_CLASSES.map((environment) => [environment, resolvePolicyConfig(allPolicies, environmentPolicyConfig(platformConfig as PolicyPackConfig, environment))] as const),
);

function platformLevel(policy: PlatformPolicy, environment: EnvironmentClass): string {
    return environmentLevels.get(environment)!.get(policy.name)!.enforcementLevel;
}

function knobs(policy: PlatformPolicy): string {
    const names = Object.keys(policy.configSchema?.properties ?? {}).filter((k) => !k.startsWith("exempt"));
    return names.length === 0 ? "" : ` Knobs: ${names.map((n) => `\`${n}\``).join(", ")}.`;
}

/** Kubernetes objects have namespaces and labels; AWS resources have names and tags. */
function exemptBy(policy: PlatformPolicy): string {
    return /^(k8s|helm)-/.test(policy.name) ? "`exemptObjects`, `exemptNamespaces`, `exemptNames`, `exemptLabels`" : "`exemptNames`, `exemptLabels` (tags)";
}

/** Every exemption the platform's config grants, read from the config itself so the list cannot drift. */
function platformExemptions(): string[] {
    const rows: string[] = [];
    for (const [policy, entry] of Object.entries(platformConfig as Record<string, unknown>)) {
        if (typeof entry !== "object" || entry === null) continue;
        const knobs = entry as Record<string, unknown>;
        for (const object of (knobs.exemptObjects as ExemptObject[] | undefined) ?? []) {
            const where = object.namespace ? `${object.namespace}/${object.name}` : object.name;
            rows.push(`| \`${policy}\` | ${object.kind} \`${where}\` | ${cell(object.reason)} |`);
        }
        for (const knob of ["exemptNamespaces", "exemptNames", "exemptLabels"]) {
            const value = knobs[knob];
            const given = Array.isArray(value) ? value.length > 0 : typeof value === "object" && value !== null && Object.keys(value).length > 0;
            if (given) rows.push(`| \`${policy}\` | \`${knob}\`: \`${cell(JSON.stringify(value))}\` | (no reason field: prefer \`exemptObjects\`) |`);
        }
    }
    return rows.length === 0 ? ["The platform's config exempts nothing."] : ["| Policy | Object | Why |", "|---|---|---|", ...rows];
}

const HAND_WRITTEN_MARKER = "<!-- End of the generated part. Everything below is written by hand and kept as it is by the generator. -->";

/** What follows the marker in the current file: the sections written by hand. */
function handWritten(): string {
    const current = existsSync(policiesDocPath) ? readFileSync(policiesDocPath, "utf8") : "";
    const at = current.indexOf(HAND_WRITTEN_MARKER);
    return at < 0 ? "\n" : current.slice(at + HAND_WRITTEN_MARKER.length);
}

function row(policy: PlatformPolicy): string {
    const frameworks = policy.frameworks.map((f) => `${f.framework} ${f.reference}`).join("; ");
    const checks = `${cell(policy.description)} (${cell(policy.appliesTo)}).${knobs(policy)} Fix: ${cell(policy.remediationSteps ?? "")}`;
    const levels = ENVIRONMENT_CLASSES.map((environment) => platformLevel(policy, environment)).join(" | ");
    return `| \`${policy.name}\` | ${policy.severity} | ${policy.enforcementLevel} | ${levels} | ${policy.scope} | ${cell(frameworks)} | ${checks} | ${exemptBy(policy)} |`;
}

/** Every Pod Security Standards control, the policy implementing it and the admission checks behind it. */
function podSecuritySection(): string[] {
    const rows = allPolicies.filter(isPodSecurityPolicy).flatMap((policy) =>
        policy.frameworks
            .filter((f) => f.framework === "Pod Security Standards")
            .map((f) => ({ control: f.reference, policy: policy.name, checks: policy.podSecurityChecks })),
    );
    const level = (control: string) => (control.startsWith("Baseline") ? 0 : 1);
    rows.sort((a, b) => level(a.control) - level(b.control) || a.control.localeCompare(b.control));
    return [
        "## Pod Security Standards",
        "",
        `Every control of the baseline and restricted levels, as Kubernetes' pod-security-admission evaluates the restricted level`,
        "(`policy/check_*.go`), for every pod-bearing kind (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,",
        "ReplicationController, PodTemplate) and every container list (containers, init containers, ephemeral containers). Each",
        "policy's `podSecurityVersion` knob selects the version of the rules: `latest` (default, " + `v1.${LATEST_POD_SECURITY_MINOR}` + ") or the `v1.N` a",
        "namespace pins with `pod-security.kubernetes.io/enforce-version`; e.g. probe and lifecycle `host` is forbidden from v1.34,",
        "and from v1.35 `runAsNonRoot` and `runAsUser: 0` are allowed in a user namespace (`hostUsers: false`). Windows pods",
        "(`spec.os.name: windows`) are exempt from the restricted privilege-escalation, capabilities and seccomp rules from v1.25,",
        "as in admission. A pod template or security field of the wrong type is reported (`cannot be checked`), never passed.",
        "",
        "| Control | Policy | Admission checks |",
        "|---|---|---|",
        ...rows.map((r) => `| ${cell(r.control)} | \`${r.policy}\` | ${r.checks.map((c) => `\`${c}\``).join(", ")} |`),
        "",
        "`test/policy/podSecurity.test.ts` holds the proof: pods rebuilt from pod-security-admission's own fixture definitions,",
        "at every version v1.0 to " + `v1.${LATEST_POD_SECURITY_MINOR}` + ": every pod admission rejects at baseline or restricted is blocked by the policy of",
        "its check, and no pod it admits at restricted is blocked by any of these policies.",
        "",
    ];
}

export function renderPoliciesDoc(): string {
    return [
        "# Policies",
        "",
        "<!-- Generated by `npx tsx policy/tools/policies-doc.ts` from the policy metadata; do not edit by hand. -->",
        "",
        "The CrossGuard pack in `policy/` (`pulumi preview --policy-pack policy`) and the offline checker",
        "(`npm run policy:check`) run the same policies. *Default* is the pack's own level; *dev*, *staging* and *prod*",
        "are the levels under `policy/platform-policy-config.<environment>.json`, which a stack of that `environment` uses",
        "(see [Levels per environment](#levels-per-environment)).",
        "",
        "| Policy | Severity | Default | dev | staging | prod | Scope | Frameworks | What it checks | Exempt with |",
        "|---|---|---|---|---|---|---|---|---|---|",
        ...allPolicies.map(row),
        "",
        ...podSecuritySection(),
        "## Levels per environment",
        "",
        "What stops a breach is mandatory in every environment. What buys resilience or evidence is mandatory in",
        "prod and advisory elsewhere. Levels are set in the policy config per environment, never by exempting",
        "resources: `policy/platform-policy-config.json` is the base every environment shares (its levels are",
        "prod's), and `policy/platform-policy-config.<environment>.json` is that base with the table below applied",
        "(generated by `npx tsx policy/tools/policy-configs.ts`; a test fails when they are stale, and another that",
        "they differ anywhere else). `npm run plan` picks the file from the stack's `eks-platform:environment`;",
        "CI passes it to `pulumi preview|up --policy-pack-config` through `npx tsx scripts/policy-config-path.ts --stack <name>`.",
        "",
        "| Policy | dev | staging | prod | Why not mandatory everywhere |",
        "|---|---|---|---|---|",
        ...Object.entries(ENVIRONMENT_LEVELS).map(
            ([name, entry]) => `| \`${name}\` | ${ENVIRONMENT_CLASSES.map((environment) => entry.levels[environment]).join(" | ")} | ${cell(entry.reason)} |`,
        ),
        "",
        "## How the platform passes its own pack",
        "",
        "Both stacks plan with no mandatory violation. Where a control failed, the platform changed, except where",
        "the table above sets the level for the environment:",
        "",
        "- S3 access logging (both stacks): the platform creates an access-log bucket (`components/accessLogs.ts`) and",
        "  sends the Velero bucket's server access logs to it. S3 delivers access logs only to a bucket with SSE-S3",
        "  default encryption, without Object Lock, and recommends it not log itself (S3 User Guide, \"Enabling Amazon S3 server",
        "  access logging\"). Decision: the policies know a log-target bucket (the `targetBucket` of an",
        "  `aws.s3.BucketLogging`) and judge it by those rules: `s3-bucket-encryption` requires SSE-S3 (AES256) there",
        "  and flags SSE-KMS as undeliverable; `s3-bucket-object-lock` and `s3-bucket-access-logging` do not apply to",
        "  it. Every other guard applies (public access block, ACLs disabled, versioning, TLS-only, no public policy).",
        "- Kubernetes version (both stacks): 1.33 (prod) left EKS standard support on 2026-07-29 and 1.34 (dev) leaves",
        "  it on 2026-12-02; both stacks run 1.35 (`eks-cluster-supported-version`, dated table",
        "  `policy/data/eks-kubernetes-versions.json`).",
        "- dev: control-plane and flow-log retention (30 and 14 days), no deletion protection, no Object Lock on the",
        "  backup bucket (it must stay destroyable) and a CIDR-limited public endpoint are reported as advisory by the",
        "  dev levels above; prod satisfies all of them.",
        "",
        "## Exemptions",
        "",
        "Every policy accepts the same knobs in the policy pack config; nothing is exempted in code.",
        "",
        "- `exemptObjects`: Kubernetes objects named exactly, each `{\"kind\", \"namespace\" (omitted for cluster-scoped",
        "  objects), \"name\", \"reason\"}`; no wildcards, and the reason is required. The one to use for a decision about",
        "  one object: it covers that object and nothing beside it.",
        "- `exemptNamespaces`: Kubernetes namespaces to ignore (`*` wildcards; a Namespace object counts as in itself).",
        "- `exemptNames`: Kubernetes `metadata.name` or Pulumi resource names to ignore (`*` wildcards).",
        "- `exemptLabels`: label (Kubernetes) or tag (AWS) key/value pairs; a resource carrying any of them is ignored.",
        "",
        "```json",
        '{ "k8s-no-host-namespaces": { "exemptNamespaces": ["monitoring"], "exemptNames": ["node-exporter-*"] } }',
        "```",
        "",
        "The platform's own config (`policy/platform-policy-config.json`) grants these exemptions, each to one object;",
        "they apply alike at `pulumi preview`, in the offline plan and to the objects the render step gets from the charts",
        "(see *What the pack sees, add-on by add-on* below for the reasoning):",
        "",
        ...platformExemptions(),
        "",
        "## Policy pack config",
        "",
        "Same format as `pulumi preview --policy-pack-config FILE`: `{\"all\": \"<level>\", \"<policy>\": \"<level>\" | {\"enforcementLevel\": \"<level>\", <knob>: ...}}`",
        "with levels `advisory`, `mandatory`, `remediate` (reported as mandatory) and `disabled`. Defaults come from each",
        "policy's `configSchema`. The offline tools also reject unknown policy and knob names.",
        "",
        "## Unknown values",
        "",
        "During a preview some inputs are unknown. A policy reports every violation it can prove; when it can prove none",
        "and it read an unknown value, it is reported as *not evaluated* (CrossGuard: an advisory \"can't run during",
        "preview\" note) instead of passing or failing.",
        "",
        "## Offline checker",
        "",
        "```",
        "npm run --silent policy:check -- [--format text|json|sarif|markdown] [--config FILE] PATH...",
        "```",
        "",
        "- Inputs: Kubernetes YAML (multi-document, `kind: List` expanded), `pulumi stack export` JSON",
        "  (`deployment.resources[].inputs`) and `pulumi preview --json` output (`steps[].newState`). A directory means every",
        "  `.yaml`, `.yml` and `.json` file in it, recursively. Each file is one stack for the stack-level policies.",
        "- Kubernetes objects are typed as Pulumi names them: `kubernetes:<group>/<version>:<Kind>`, core group `core`.",
        "- `--format json` prints `{ \"resources\": N, \"files\": N, \"violations\": [ { \"policy\", \"enforcementLevel\", \"resource\": { \"type\",",
        "  \"name\", \"namespace\", \"urn\", \"file\", \"document\", \"line\" }, \"message\" } ], \"notEvaluated\": [...] }` (fields are only ever added).",
        "- `--format sarif` prints SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`): one rule per policy,",
        "  mandatory findings as `error`, advisory as `warning`, each located at its file and the first line of its document.",
        "- `--format markdown` prints a pull-request summary: the counts, then the first 50 findings of each kind.",
        "- Large inputs are streamed: each YAML document is checked as it is read and results are written as they are found.",
        "- Exit code 0: no mandatory violation; 1: at least one; 2: unreadable or invalid input, a file with nothing to check in it",
        "  (empty, `/dev/null`, comments only), bad config or usage (the message on stderr names the file and document; nothing on",
        "  stdout).",
        "- `--namespace NAME`: the namespace the manifests are applied to (`kubectl apply -n`, `helm template --namespace`);",
        "  namespaced objects that name none are checked as in it. Without it they count as landing in `default`.",
        "",
        HAND_WRITTEN_MARKER,
    ].join("\n") + handWritten();
}

if (require.main === module) {
    writeFileSync(policiesDocPath, renderPoliciesDoc());
    process.stdout.write(`wrote ${policiesDocPath}\n`);
}
