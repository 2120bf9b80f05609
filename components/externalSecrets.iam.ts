/**
 * External Secrets Operator's IAM documents and the platform secrets key policy, as plain
 * data: pure functions of plain strings.
 */
import { KEY_ADMIN_ACTIONS, policyDocument, type PolicyDocument } from "./shared/iamDocuments";

export interface SecretsScope {
    partition: string;
    region: string;
    accountId: string;
}

/** The service endpoint KMS sees in `kms:ViaService` when Secrets Manager calls it for a caller. */
export function secretsManagerViaService(partition: string, region: string): string {
    return `secretsmanager.${region}.${partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

/** ARN pattern of every secret whose name starts with `prefix` (Secrets Manager appends `-XXXXXX`). */
export function secretArnPattern(scope: SecretsScope, prefix: string): string {
    if (!prefix.endsWith("/") || prefix.includes("*")) throw new Error(`secrets prefix ${JSON.stringify(prefix)} must end with "/" and contain no wildcard`);
    return `arn:${scope.partition}:secretsmanager:${scope.region}:${scope.accountId}:secret:${prefix}*`;
}

/**
 * Read-only access to the secrets under one prefix, and decryption with the platform secrets
 * key only when Secrets Manager asks for it. Nothing else: no listing, no writes.
 */
export function externalSecretsPolicy(scope: SecretsScope & { secretsPrefix: string; kmsKeyArn: string }): PolicyDocument {
    return policyDocument(
        {
            Sid: "ReadSecretsUnderPrefix",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy", "secretsmanager:ListSecretVersionIds"],
            Resource: secretArnPattern(scope, scope.secretsPrefix),
        },
        {
            Sid: "DecryptThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: scope.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": secretsManagerViaService(scope.partition, scope.region) } },
        },
    );
}

/**
 * Key policy of the platform secrets key. The account administers the key through IAM (every
 * management action, no use); any principal of the account that IAM allows may use it, but only
 * through Secrets Manager in this region: the key cannot decrypt anything handed to KMS directly.
 */
export function platformSecretsKeyPolicy(scope: SecretsScope): PolicyDocument {
    const account = `arn:${scope.partition}:iam::${scope.accountId}:root`;
    return policyDocument(
        {
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: account },
            Action: [...KEY_ADMIN_ACTIONS],
            Resource: "*",
        },
        {
            Sid: "UseOnlyThroughSecretsManager",
            Effect: "Allow",
            Principal: { AWS: account },
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
            Resource: "*",
            Condition: {
                StringEquals: { "kms:ViaService": secretsManagerViaService(scope.partition, scope.region), "kms:CallerAccount": scope.accountId },
            },
        },
    );
}
