// Rotation limits how much data one key version protects. Only symmetric encryption keys can
// rotate automatically, so asymmetric and HMAC keys are out of scope.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { asString } from "../../lib/values";
import { KMS_KEY } from "./types";

export const kmsKeyRotation = defineResourcePolicy(
    {
        name: "kms-key-rotation",
        description: "Symmetric KMS keys must enable automatic key rotation.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("KMS.4", "AWS KMS key rotation should be enabled"),
            checkov("CKV_AWS_7", "Ensure rotation for customer created CMKs is enabled"),
            prowler("kms_cmk_rotation_enabled", "KMS customer-managed symmetric CMK has automatic rotation enabled"),
        ],
        appliesTo: KMS_KEY,
        remediation: "Set `enableKeyRotation: true`.",
    },
    {
        appliesTo: ofTypes(KMS_KEY),
        check(resource) {
            // A SYMMETRIC_DEFAULT key can only ENCRYPT_DECRYPT (CreateKey rejects any other key usage).
            if ((asString(resource.props.customerMasterKeySpec) ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT") return;
            if (resource.props.enableKeyRotation !== true) resource.report("symmetric KMS key does not rotate");
        },
    },
);
