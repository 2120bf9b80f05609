// Scanning on push surfaces known CVEs before an image is deployed.
import { awsFsbp, checkov, cisEks, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { asRecord } from "../../lib/values";
import { ECR_REPOSITORY } from "./types";

export const ecrScanOnPush = defineResourcePolicy(
    {
        name: "ecr-scan-on-push",
        description: "ECR repositories must scan images on push.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("5.1.1", "Ensure Image Vulnerability Scanning using Amazon ECR image scanning or a third party provider"),
            awsFsbp("ECR.1", "ECR private repositories should have image scanning configured"),
            checkov("CKV_AWS_163", "Ensure ECR image scanning on push is enabled"),
            prowler("ecr_repositories_scan_images_on_push_enabled", "[DEPRECATED] ECR repository has image scanning on push enabled"),
        ],
        appliesTo: ECR_REPOSITORY,
        remediation: "Set `imageScanningConfiguration: { scanOnPush: true }`.",
    },
    {
        appliesTo: ofTypes(ECR_REPOSITORY),
        check(resource) {
            if (asRecord(resource.props.imageScanningConfiguration)?.scanOnPush !== true) {
                resource.report("ECR repository does not scan on push");
            }
        },
    },
);
