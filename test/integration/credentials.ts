/**
 * Whether the real deployment test can run here: AWS credentials, a Pulumi backend (with a
 * secrets provider when the backend is self-managed) and the `kubectl` binary. Pure over the
 * environment it is given, so it is unit-tested offline.
 */

/** Exit code of `npm run test:integration` when the test did not run (EX_CONFIG in sysexits.h). */
export const NOT_RUN_EXIT_CODE = 78;

export type AwsCredentialSource = "static keys" | "profile" | "web identity" | "role to assume";
export type PulumiBackend = "Pulumi Cloud (PULUMI_ACCESS_TOKEN)" | `self-managed (${string})`;

export interface CredentialReport {
    ready: boolean;
    aws?: AwsCredentialSource;
    backend?: PulumiBackend;
    /** What is missing, one readable line each; empty when ready. */
    missing: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

function set(env: Env, key: string): boolean {
    const value = env[key];
    return value !== undefined && value.trim() !== "";
}

export function awsCredentialSource(env: Env): AwsCredentialSource | undefined {
    if (set(env, "AWS_ACCESS_KEY_ID") && set(env, "AWS_SECRET_ACCESS_KEY")) return "static keys";
    if (set(env, "AWS_ROLE_ARN") && set(env, "AWS_WEB_IDENTITY_TOKEN_FILE")) return "web identity";
    if (set(env, "AWS_PROFILE")) return "profile";
    // A role ARN alone: the caller is expected to assume it (e.g. aws-actions/configure-aws-credentials
    // exports static keys afterwards; this branch covers a runner where a credential chain exists).
    if (set(env, "AWS_ROLE_ARN")) return "role to assume";
    return undefined;
}

export function pulumiBackend(env: Env): { backend?: PulumiBackend; problem?: string } {
    const url = env.PULUMI_BACKEND_URL?.trim();
    const selfManaged = url !== undefined && url !== "" && !/^https:\/\/(api\.|app\.)?pulumi\.com/.test(url);
    if (selfManaged) {
        const secrets = set(env, "PULUMI_CONFIG_PASSPHRASE") || set(env, "PULUMI_CONFIG_PASSPHRASE_FILE") || set(env, "PULUMI_SECRETS_PROVIDER");
        if (!secrets) {
            return { problem: `PULUMI_BACKEND_URL=${url} is self-managed: also set PULUMI_CONFIG_PASSPHRASE(_FILE) or PULUMI_SECRETS_PROVIDER (e.g. awskms://alias/...)` };
        }
        return { backend: `self-managed (${url.replace(/\/\/[^@/]*@/, "//***@")})` };
    }
    if (set(env, "PULUMI_ACCESS_TOKEN")) return { backend: "Pulumi Cloud (PULUMI_ACCESS_TOKEN)" };
    return { problem: "no Pulumi backend: set PULUMI_ACCESS_TOKEN (Pulumi Cloud) or PULUMI_BACKEND_URL (s3://..., file://...)" };
}

export function detectCredentials(env: Env, tools: { kubectl: boolean; pulumi: boolean }): CredentialReport {
    const missing: string[] = [];
    const aws = awsCredentialSource(env);
    if (aws === undefined) {
        missing.push("no AWS credentials: set AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_ROLE_ARN (+ AWS_WEB_IDENTITY_TOKEN_FILE)");
    }
    const { backend, problem } = pulumiBackend(env);
    if (problem !== undefined) missing.push(problem);
    if (!tools.pulumi) missing.push("the pulumi CLI is not on PATH (the Automation API drives it)");
    if (!tools.kubectl) missing.push("kubectl is not on PATH (the cluster checks use it)");
    return { ready: missing.length === 0, aws, backend, missing };
}

/** The banner printed when the test cannot run. It must never be mistaken for a pass. */
export function notRunBanner(missing: string[]): string {
    const line = "#".repeat(78);
    return [
        line,
        "#  INTEGRATION TEST NOT RUN -- this is NOT a pass",
        "#",
        "#  The real deployment test (test/integration/deploy.integration.ts) needs:",
        ...missing.map((m) => `#   - ${m}`),
        "#",
        `#  Exiting with code ${NOT_RUN_EXIT_CODE} (not run). See docs/runbooks/disaster-recovery.md`,
        "#  and .github/workflows/platform.yaml (job integration) for how CI provides them.",
        line,
    ].join("\n");
}

/**
 * `aws sts get-caller-identity` returns `arn:aws:sts::<acct>:assumed-role/<role>/<session>`
 * for a role session; EKS access entries and key policies need the role's IAM ARN.
 * Roles with a path lose it in the STS ARN: pass IT_ADMIN_ROLE_ARN for those.
 */
export function roleArnFromCallerArn(callerArn: string): string {
    const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
    if (assumed) return `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
    if (/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(callerArn)) return callerArn;
    throw new Error(`${callerArn} is not a role (an IAM user cannot be the cluster admin here); set IT_ADMIN_ROLE_ARN to a role you can assume`);
}
