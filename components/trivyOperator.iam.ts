/**
 * The ECR read identity of Trivy's scan jobs, as plain data. Scan jobs cannot use the node's
 * credentials (IMDSv2 hop limit 1), so without their own identity private ECR images cannot be
 * pulled for scanning.
 */
import { policyDocument, type PolicyDocument } from "./shared/iamDocuments";

export interface TrivyIamFacts {
    partition: string;
    region: string;
    accountId: string;
}

/**
 * Pull-only on the account's repositories in the stack's region: what an image pull needs
 * (the same three actions as AWS's AmazonEC2ContainerRegistryPullOnly, scoped). No push, no
 * repository or lifecycle reads beyond the image. `GetAuthorizationToken` has no resource-level
 * permissions: it only mints the registry login, the repository statement decides what it reads.
 */
export function trivyEcrReadPolicy(f: TrivyIamFacts): PolicyDocument {
    return policyDocument(
        {
            Sid: "LogInToTheRegistry",
            Effect: "Allow",
            Action: "ecr:GetAuthorizationToken",
            Resource: "*",
        },
        {
            Sid: "PullImagesOfThisAccountsRepositories",
            Effect: "Allow",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Resource: `arn:${f.partition}:ecr:${f.region}:${f.accountId}:repository/*`,
        },
    );
}
