// With mutable tags, whoever can push can replace what `app:1.2.3` means on every node that pulls
// it next, after review and scanning have passed.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { asString } from "../../lib/values";
import { ECR_REPOSITORY } from "./types";

const IMMUTABLE = ["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"];

export const ecrTagImmutability = defineResourcePolicy(
    {
        name: "ecr-tag-immutability",
        description: "ECR repositories must make image tags immutable.",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("ECR.2", "ECR private repositories should have tag immutability configured"),
            checkov("CKV_AWS_51", "Ensure ECR Image Tags are immutable"),
            prowler("ecr_repositories_tag_immutability", "ECR repository has image tag immutability enabled"),
        ],
        appliesTo: ECR_REPOSITORY,
        remediation: "Set `imageTagMutability: \"IMMUTABLE\"`.",
    },
    {
        appliesTo: ofTypes(ECR_REPOSITORY),
        check(resource) {
            const mutability = asString(resource.props.imageTagMutability) ?? "MUTABLE";
            if (!IMMUTABLE.includes(mutability)) resource.report(`ECR repository tags are ${mutability}`);
        },
    },
);
