// kms:Decrypt on every key turns one role into a reader of every secret, backup and volume the
// account encrypts. Grant decryption on the keys a workload needs (ideally via kms:ViaService).
// Identity policies only; a key policy's Resource "*" means "this key".
import { allowsAction, eachStatement, IDENTITY_DOCUMENT_TYPES, oneOrMany, wildcardMatches } from "../../lib/iam";
import { awsFsbp } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";

const DECRYPTION_ACTIONS = ["kms:Decrypt", "kms:ReEncryptFrom"];

/** Two key IDs without a hex digit in common: a pattern that matches both leaves the key ID free. */
const PROBE_KEY_IDS = ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"];

/**
 * "*", "arn:aws:kms:*", "arn:aws:kms:eu-west-1:123:key/*", "...:key*": resources that match every
 * key ID of some partition, region and account. IAM wildcards span ":" and "/", so the whole pattern
 * is matched (case-sensitively, as IAM matches ARNs) against key ARNs in its own partition, region
 * and account segments: a wildcard matches itself. A segment the pattern lacks joins as "", which
 * only a "*" spanning it can match.
 */
function namesEveryKey(resource: string): boolean {
    const [, partition, , region, account] = resource.split(":");
    return PROBE_KEY_IDS.every((id) => wildcardMatches(resource, ["arn", partition, "kms", region, account, `key/${id}`].join(":"), false));
}

export const iamNoKmsDecryptOnAllKeys = defineResourcePolicy(
    {
        name: "iam-no-kms-decrypt-on-all-keys",
        description: "Identity policies must not allow kms:Decrypt or kms:ReEncryptFrom on every KMS key.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("KMS.1", "IAM customer managed policies should not allow decryption actions on all KMS keys"),
            awsFsbp("KMS.2", "IAM principals should not have IAM inline policies that allow decryption actions on all KMS keys"),
        ],
        appliesTo: IDENTITY_DOCUMENT_TYPES.join(", "),
        remediation: "Name the key ARNs in Resource (and add a kms:ViaService condition where the key is used through a service).",
    },
    {
        appliesTo: ofTypes(...IDENTITY_DOCUMENT_TYPES),
        check: (resource) =>
            eachStatement(resource, resource.type, resource.props, "identity", (statement, where) => {
                const actions = DECRYPTION_ACTIONS.filter((action) => allowsAction(statement, action));
                const everyKey = statement.NotResource !== undefined || oneOrMany(statement.Resource).some(namesEveryKey);
                if (actions.length > 0 && everyKey) resource.report(`${where} allows ${actions.join(", ")} on every KMS key`);
            }),
    },
);
