/**
 * Every IAM document the dev and prod plans attach (identity, trust, bucket, queue and key
 * policies), read from what the program registered and judged by the IAM simulator: the
 * statements AWS accepts, and the trust and key policies of the cluster, the node groups, the
 * network and the service accounts, each with the request it must allow and the near miss it must
 * deny.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { denyInsecureTransport, policyDocument, type PolicyDocument } from "../components/shared/iamDocuments";
import { planStackFile, type PlannedStack } from "./fixtures/stacks";
import { recordedJson, type RecordedResource } from "./harness";
import { simulate } from "./support/iam";

const ACCOUNT = "111122223333";
const OTHER_ACCOUNT = "999988887777";
const REGION = "eu-west-1";

interface AttachedDocument {
    where: string;
    document: PolicyDocument;
}

/** Every input of every registered resource that is a policy document (a JSON string with a Statement list). */
function attachedDocuments(resources: RecordedResource[]): AttachedDocument[] {
    const found: AttachedDocument[] = [];
    const visit = (value: unknown, where: string) => {
        if (typeof value === "string" && value.startsWith("{") && value.includes('"Statement"')) {
            const parsed = JSON.parse(value) as Partial<PolicyDocument>;
            if (Array.isArray(parsed.Statement)) found.push({ where, document: parsed as PolicyDocument });
        } else if (value && typeof value === "object") {
            for (const [key, child] of Object.entries(value)) visit(child, `${where}.${key}`);
        }
    };
    for (const resource of resources) visit(resource.inputs, `${resource.type}::${resource.name}`);
    return found;
}

describe.each(["dev", "prod"])("statement ids of every document the %s plan attaches", (stack) => {
    let documents: AttachedDocument[];
    beforeAll(async () => {
        documents = attachedDocuments((await planStackFile(stack)).recorded.resources);
    }, 60_000);

    it("finds the identity, trust, bucket, queue and key policies of the platform", () => {
        expect(documents.map((d) => d.where)).toEqual(
            expect.arrayContaining([
                "aws:iam/rolePolicy:RolePolicy::karpenter-controller.policy",
                "aws:iam/role:Role::karpenter-controller.assumeRolePolicy",
                "aws:iam/role:Role::karpenter-node.assumeRolePolicy",
                "aws:sqs/queuePolicy:QueuePolicy::karpenter-interruption.policy",
                "aws:iam/rolePolicy:RolePolicy::velero-irsa-least-privilege.policy",
                "aws:iam/role:Role::velero-irsa.assumeRolePolicy",
                "aws:s3/bucketPolicy:BucketPolicy::velero-backups.policy",
                "aws:kms/key:Key::velero-backups.policy",
                "aws:iam/rolePolicy:RolePolicy::external-secrets-operator.policy",
                "aws:kms/key:Key::external-secrets-secrets.policy",
                "aws:iam/rolePolicy:RolePolicy::trivy-operator-ecr-read.policy",
                "aws:iam/role:Role::trivy-operator-ecr-read.assumeRolePolicy",
                "aws:kms/key:Key::cluster-secrets.policy",
                "aws:kms/key:Key::cluster-control-plane-logs.policy",
                "aws:kms/key:Key::network-flow-logs.policy",
                "aws:iam/role:Role::network-flow-logs.assumeRolePolicy",
                "aws:iam/rolePolicy:RolePolicy::network-flow-logs.policy",
                "aws:iam/role:Role::node-group-system-node.assumeRolePolicy",
                "aws:s3/bucketPolicy:BucketPolicy::access-logs.policy",
            ]),
        );
    });

    /**
     * S3 bucket policies and KMS key policies reject a document with two statements of the same
     * Sid; Access Analyzer findings and CloudTrail name statements by Sid, and IAM allows only
     * letters and digits in one.
     */
    it("every statement has an alphanumeric Sid, unique within its document", () => {
        const problems: string[] = [];
        for (const { where, document } of documents) {
            const sids = document.Statement.map((s) => s.Sid);
            sids.forEach((sid, index) => {
                if (typeof sid !== "string" || !/^[A-Za-z0-9]+$/.test(sid)) problems.push(`${where}: statement ${index} has Sid ${JSON.stringify(sid)}`);
            });
            const repeated = sids.filter((sid, index) => sids.indexOf(sid) !== index);
            if (repeated.length > 0) problems.push(`${where}: Sid ${[...new Set(repeated)].join(", ")} repeated`);
        }
        expect(problems).toEqual([]);
    });
});

/** The dev plan's cluster, node group, network and service-account documents. */
describe("trust and key policies of the dev plan", () => {
    const CLUSTER = "eks-platform-dev";
    const clusterArn = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
    let planned: PlannedStack;
    const role = (name: string) => planned.recorded.one("aws:iam/role:Role", name);
    const trustOf = (name: string) => recordedJson(role(name), "assumeRolePolicy");
    const keyPolicyOf = (name: string) => recordedJson(planned.recorded.one("aws:kms/key:Key", name));
    const keyArnOf = (name: string) => String(planned.recorded.one("aws:kms/key:Key", name).outputs.arn);
    const roleArn = (roleName: string) => `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
    const ADMIN: PolicyDocument = policyDocument({ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" });

    beforeAll(async () => {
        planned = await planStackFile("dev");
    }, 60_000);

    describe("EKS Pod Identity roles", () => {
        // Each role with the one service account it is for.
        const podIdentityRoles: Array<[string, string, string]> = [
            ["karpenter-controller", "karpenter", "karpenter"],
            ["external-secrets-operator", "external-secrets", "external-secrets"],
            ["load-balancer-controller", "aws-load-balancer-controller", "aws-load-balancer-controller"],
            ["system-addons-ebs-csi", "kube-system", "ebs-csi-controller-sa"],
        ];
        const sessionTags = (cluster: string, namespace: string, serviceAccount: string) => ({
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": cluster,
            "aws:RequestTag/eks-cluster-arn": cluster,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
        });
        const assume = (name: string, context: Record<string, string>) =>
            simulate({ principal: "pods.eks.amazonaws.com", action: "sts:AssumeRole", resource: roleArn(String(role(name).inputs.name)), resourceAccount: ACCOUNT, resourcePolicy: trustOf(name), context });

        it.each(podIdentityRoles)("%s: its service account of this cluster may assume it", async (name, namespace, serviceAccount) => {
            expect(await assume(name, sessionTags(clusterArn, namespace, serviceAccount))).toBe("Allowed");
        });

        it.each(podIdentityRoles)("%s: not on behalf of another cluster, even with this cluster's session tags", async (name, namespace, serviceAccount) => {
            const otherCluster = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/eks-platform-prod`;
            expect(await assume(name, { ...sessionTags(clusterArn, namespace, serviceAccount), "aws:SourceArn": otherCluster })).not.toBe("Allowed");
        });
    });

    describe("IRSA roles", () => {
        const irsaRoles: Array<[string, string]> = [
            ["velero-irsa", "system:serviceaccount:velero:velero-server"],
            ["trivy-operator-ecr-read", "system:serviceaccount:trivy-system:trivy-operator"],
        ];
        const provider = (trust: PolicyDocument) => String((trust.Statement[0].Principal as { Federated: string }).Federated);
        const assume = (name: string, principal: string, claims: Record<string, string>) =>
            simulate({
                principal,
                action: "sts:AssumeRoleWithWebIdentity",
                resource: roleArn(String(role(name).inputs.name)),
                resourceAccount: ACCOUNT,
                resourcePolicy: trustOf(name),
                context: claims,
                unlistedContextKeys: Object.keys(claims),
            });
        const claimsOf = (trust: PolicyDocument, sub: string, aud = "sts.amazonaws.com") => {
            const issuerHost = provider(trust).split(":oidc-provider/")[1];
            return { [`${issuerHost}:sub`]: sub, [`${issuerHost}:aud`]: aud };
        };

        it.each(irsaRoles)("%s: trusts this cluster's OIDC provider", (name) => {
            expect(provider(trustOf(name))).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:oidc-provider/oidc\\.eks\\.${REGION}\\.amazonaws\\.com/id/[A-Za-z0-9]+$`));
        });

        it.each(irsaRoles)("%s: its service account's token for STS may assume it", async (name, sub) => {
            const trust = trustOf(name);
            expect(await assume(name, provider(trust), claimsOf(trust, sub))).toBe("Allowed");
        });

        it.each(irsaRoles)("%s: not another service account, not a token for another audience, not another cluster's provider", async (name, sub) => {
            const trust = trustOf(name);
            expect(await assume(name, provider(trust), claimsOf(trust, "system:serviceaccount:payments:default"))).not.toBe("Allowed");
            expect(await assume(name, provider(trust), claimsOf(trust, sub, "https://kubernetes.default.svc"))).not.toBe("Allowed");
            const otherProvider = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/0THERC1USTER0000000000000000000`;
            expect(await assume(name, otherProvider, claimsOf(trust, sub))).not.toBe("Allowed");
        });
    });

    describe("node roles", () => {
        it.each(["node-group-system-node", "node-group-application-node", "karpenter-node"])("%s: assumed by EC2 instances only", async (name) => {
            const assume = (principal: string) =>
                simulate({ principal, action: "sts:AssumeRole", resource: roleArn(String(role(name).inputs.name)), resourceAccount: ACCOUNT, resourcePolicy: trustOf(name) });
            expect(await assume("ec2.amazonaws.com")).toBe("Allowed");
            expect(await assume("lambda.amazonaws.com")).not.toBe("Allowed");
            expect(await assume("pods.eks.amazonaws.com")).not.toBe("Allowed");
        });

        it("node groups carry exactly the four AWS managed node policies", () => {
            for (const name of ["node-group-system-node", "node-group-application-node"]) {
                const attached = planned.recorded
                    .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .filter((a) => a.inputs.role === role(name).inputs.name)
                    .map((a) => String(a.props.policyArn))
                    .sort();
                expect(attached, name).toEqual([
                    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
                    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
                    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                ]);
            }
        });
    });

    describe("VPC flow logs", () => {
        const flowLogGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/vpc/${CLUSTER}/flow-logs`;
        const assume = (context: Record<string, string>) =>
            simulate({ principal: "vpc-flow-logs.amazonaws.com", action: "sts:AssumeRole", resource: roleArn(String(role("network-flow-logs").inputs.name)), resourceAccount: ACCOUNT, resourcePolicy: trustOf("network-flow-logs"), context });

        it("the role is assumed for this account's flow logs in this region only", async () => {
            const flowLog = (region: string, account: string) => `arn:aws:ec2:${region}:${account}:vpc-flow-log/fl-0123456789abcdef0`;
            expect(await assume({ "aws:SourceAccount": ACCOUNT, "aws:SourceArn": flowLog(REGION, ACCOUNT) })).toBe("Allowed");
            expect(await assume({ "aws:SourceAccount": ACCOUNT, "aws:SourceArn": flowLog("us-east-1", ACCOUNT) })).not.toBe("Allowed");
            expect(await assume({ "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-1` })).not.toBe("Allowed");
            expect(await assume({ "aws:SourceAccount": OTHER_ACCOUNT, "aws:SourceArn": flowLog(REGION, OTHER_ACCOUNT) })).not.toBe("Allowed");
        });

        it("the role writes to the flow-log group and nothing else", async () => {
            const delivery = recordedJson(planned.recorded.one("aws:iam/rolePolicy:RolePolicy", "network-flow-logs"), "policy", "props");
            const principal = roleArn(String(role("network-flow-logs").inputs.name));
            const ask = (action: string, resource: string) => simulate({ principal, action, resource, resourceAccount: ACCOUNT, identityPolicies: [delivery] });
            for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
                expect(await ask(action, `${flowLogGroup}:log-stream:eni-0abc-all`), action).toBe("Allowed");
                expect(await ask(action, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/eks/${CLUSTER}/cluster:log-stream:x`), action).not.toBe("Allowed");
            }
            expect(await ask("logs:DescribeLogStreams", flowLogGroup)).toBe("Allowed");
            expect(await ask("logs:DeleteLogGroup", flowLogGroup)).not.toBe("Allowed");
        });
    });

    describe("the cluster's KMS keys", () => {
        const logKeys: Array<[string, string]> = [
            ["cluster-control-plane-logs", `/aws/eks/${CLUSTER}/cluster`],
            ["network-flow-logs", `/aws/vpc/${CLUSTER}/flow-logs`],
        ];

        it.each(["cluster-secrets", ...logKeys.map(([key]) => key)])("%s: the account administers it through IAM, another account cannot", async (key) => {
            const manage = (principal: string, action: string) =>
                simulate({ principal, action, resource: keyArnOf(key), resourceAccount: ACCOUNT, resourcePolicy: keyPolicyOf(key), identityPolicies: [ADMIN] });
            for (const action of ["kms:PutKeyPolicy", "kms:DescribeKey", "kms:ScheduleKeyDeletion"]) {
                expect(await manage(roleArn("platform-admins"), action), action).toBe("Allowed");
                expect(await manage(`arn:aws:iam::${OTHER_ACCOUNT}:role/platform-admins`, action), action).not.toBe("Allowed");
            }
            // Without an IAM policy that allows it, a principal of the account gets nothing from the key policy.
            expect(await simulate({ principal: roleArn("developers"), action: "kms:PutKeyPolicy", resource: keyArnOf(key), resourceAccount: ACCOUNT, resourcePolicy: keyPolicyOf(key) })).not.toBe("Allowed");
        });

        it.each(logKeys)("%s: CloudWatch Logs uses it for %s only", async (key, logGroupName) => {
            const logGroup = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
            const use = (action: string, name: string) =>
                simulate({
                    principal: `logs.${REGION}.amazonaws.com`,
                    action,
                    resource: keyArnOf(key),
                    resourceAccount: ACCOUNT,
                    resourcePolicy: keyPolicyOf(key),
                    context: { "kms:EncryptionContext:aws:logs:arn": logGroup(name) },
                    unlistedContextKeys: ["kms:EncryptionContext:aws:logs:arn"],
                });
            for (const action of ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:DescribeKey"]) {
                expect(await use(action, logGroupName), action).toBe("Allowed");
                expect(await use(action, "/aws/lambda/someone-else"), action).not.toBe("Allowed");
            }
            expect(await use("kms:ScheduleKeyDeletion", logGroupName)).not.toBe("Allowed");
        });
    });
});

describe("the TLS guard", () => {
    it("denies every action over plain HTTP, and nothing over TLS", async () => {
        const queue = `arn:aws:sqs:${REGION}:${ACCOUNT}:q`;
        const guard = policyDocument(denyInsecureTransport([queue]));
        const ask = (action: string, secure: string) =>
            simulate({
                principal: `arn:aws:iam::${ACCOUNT}:role/app`,
                action,
                resource: queue,
                resourceAccount: ACCOUNT,
                resourcePolicy: guard,
                identityPolicies: [policyDocument({ Sid: "Sqs", Effect: "Allow", Action: "sqs:*", Resource: "*" })],
                context: { "aws:SecureTransport": secure },
            });
        for (const action of ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:PurgeQueue", "sqs:SetQueueAttributes"]) {
            expect(await ask(action, "false"), action).toBe("ExplicitlyDenied");
            expect(await ask(action, "true"), action).toBe("Allowed");
        }
    });
});
