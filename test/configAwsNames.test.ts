/**
 * The AWS naming rules config load applies (config/awsNames.ts), held to AWS's own literals: the
 * lengths, characters, reserved prefixes and suffixes each service's API reference states, the
 * names the committed stacks derive, and the message a user gets for each name AWS would refuse.
 */
import { describe, expect, it } from "vitest";
import { parsePlatformConfig, type RawConfigSource } from "../config";
import { AWS_NAME_RULES, derivedAwsNames, derivedNameProblems, nameInputsOf, nameProblem, type NameInputs } from "../config/awsNames";
import { PROJECT_DIR } from "../plan/run";
import { loadStackConfig } from "../plan/stackConfig";
import { stackSource, planStackFile } from "./fixtures/stacks";
import { configErrorOf, withConfig } from "./harness";

const devSource = loadStackConfig(PROJECT_DIR, "dev");

const problemsOf = (source: RawConfigSource): string[] => configErrorOf(source).problems;

const S3_RULE = "an S3 bucket name must be 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit";
const IAM_RULE = "an IAM role name must be at most 64 letters, digits and + = , . @ _ -";
const KMS_RULE = "a KMS alias must be alias/ followed by letters, digits and : / _ -, at most 256 in all";
const EKS_RULE = "an EKS cluster name must be 1-100 letters, digits, hyphens and underscores, starting with a letter or digit";
const SQS_RULE = "an SQS queue name must be at most 80 letters, digits, hyphens and underscores";
const EVENT_RULE = "an EventBridge rule name must be at most 64 letters, digits and . - _";
const LAUNCH_TEMPLATE_RULE = "a launch template name prefix must be at most 102 letters, digits and ( ) . - / _ (the provider adds a 26-character suffix; a name may have 128)";
const LOG_GROUP_RULE = "a CloudWatch log group name must be at most 512 letters, digits and . - _ / #";

describe("the names the committed stacks give AWS", () => {
    it.each(["dev", "prod"])("%s: every derived name, in full, and each within AWS's rules", (stack) => {
        const config = parsePlatformConfig(stackSource(stack));
        const c = `eks-platform-${stack}`;
        expect(derivedAwsNames(nameInputsOf(config), "123456789012").map(({ kind, name }) => `${kind} ${name}`)).toEqual([
            `eksCluster ${c}`,
            `logGroup /aws/eks/${c}/cluster`,
            `kmsAlias alias/${c}-eks-secrets`,
            `iamRole ${c}-system-addons-ebs-csi`,
            `logGroup /aws/vpc/${c}/flow-logs`,
            `iamRole ${c}-vpc-flow-logs`,
            `iamRole ${c}-system-node`,
            `launchTemplatePrefix ${c}-system-`,
            `iamRole ${c}-application-node`,
            `launchTemplatePrefix ${c}-application-`,
            `iamRole ${c}-karpenter-controller`,
            `iamRole ${c}-karpenter-node`,
            `sqsQueue ${c}-karpenter-interruption`,
            `eventBridgeRule ${c}-karpenter-spot`,
            `eventBridgeRule ${c}-karpenter-rebalance`,
            `eventBridgeRule ${c}-karpenter-state-change`,
            `eventBridgeRule ${c}-karpenter-health`,
            `eventBridgeRule ${c}-karpenter-capacity-reservation`,
            `iamRole ${c}-external-secrets-operator`,
            `kmsAlias alias/${c}-platform-secrets`,
            `iamRole ${c}-velero-irsa`,
            `s3Bucket ${c}-backups-123456789012`,
            `kmsAlias alias/${c}-velero-backups`,
            `s3Bucket ${c}-access-logs-123456789012`,
            `iamRole ${c}-trivy-operator-ecr-read`,
            `iamRole ${c}-load-balancer-controller`,
        ]);
        expect(derivedNameProblems(nameInputsOf(config))).toEqual([]);
    });

    it("a VPC the program does not own and add-ons switched off: the plan creates, and config judges, only the cluster's own names", async () => {
        const patch = {
            network: { mode: "existing", vpcId: "vpc-0abc12345def67890", privateSubnetIds: ["subnet-0aaa11112222", "subnet-0bbb11112222"] },
            addons: {
                karpenter: { enabled: false },
                externalSecrets: { enabled: false },
                velero: { enabled: false },
                trivy: { enabled: false },
                awsLoadBalancerController: { enabled: false },
            },
            // Without the load balancer controller no tenant may expose a port.
            tenants: [{ name: "payments", owners: ["team-payments"], quota: "small" }],
        };
        const { recorded, config } = await planStackFile("dev", { patch });
        const planned = [
            ...recorded.ofType("eks:index:Cluster").map((r) => `eksCluster ${r.inputs.name}`),
            ...recorded.ofType("aws:cloudwatch/logGroup:LogGroup").map((r) => `logGroup ${r.inputs.name}`),
            ...recorded.ofType("aws:kms/alias:Alias").map((r) => `kmsAlias ${r.inputs.name}`),
            ...recorded.ofType("aws:iam/role:Role").map((r) => `iamRole ${r.inputs.name}`),
            ...recorded.ofType("aws:ec2/launchTemplate:LaunchTemplate").map((r) => `launchTemplatePrefix ${r.inputs.namePrefix}`),
            // None of these is expected: each would show as its type.
            ...["aws:s3/bucket:Bucket", "aws:sqs/queue:Queue", "aws:cloudwatch/eventRule:EventRule"].flatMap((type) => recorded.ofType(type).map(() => type)),
        ];
        const expected = [
            "eksCluster eks-platform-dev",
            "logGroup /aws/eks/eks-platform-dev/cluster",
            "kmsAlias alias/eks-platform-dev-eks-secrets",
            "iamRole eks-platform-dev-system-addons-ebs-csi",
            "iamRole eks-platform-dev-system-node",
            "iamRole eks-platform-dev-application-node",
            "launchTemplatePrefix eks-platform-dev-system-",
            "launchTemplatePrefix eks-platform-dev-application-",
        ];
        expect([...planned].sort()).toEqual([...expected].sort());
        expect(derivedAwsNames(nameInputsOf(config)).map(({ kind, name }) => `${kind} ${name}`).sort()).toEqual([...expected].sort());
    }, 60_000);
});

describe("a stack name AWS would refuse in some derived names stops at config load, naming each one", () => {
    const renamed = (stack: string) => ({ ...devSource, stack });
    const derivedFrom = (c: string) => `eks-platform:clusterName (not set: derived from project and stack as "${c}")`;
    const advice = "set clusterName (lowercase letters, digits and dashes) or rename the stack";

    it("a dotted stack name (v1.2): the EKS cluster, the SQS queue and the KMS aliases, which allow no dot", () => {
        const c = "eks-platform-v1.2";
        expect(problemsOf(renamed("v1.2"))).toEqual([
            `${derivedFrom(c)}: the EKS cluster would be named "${c}", which contains ".": ${EKS_RULE}; ${advice}`,
            `${derivedFrom(c)}: the Secrets encryption key alias would be named "alias/${c}-eks-secrets", which contains ".": ${KMS_RULE}; ${advice}`,
            `${derivedFrom(c)}: the Karpenter interruption queue would be named "${c}-karpenter-interruption", which contains ".": ${SQS_RULE}; ${advice}`,
            `${derivedFrom(c)}: the platform secrets key alias would be named "alias/${c}-platform-secrets", which contains ".": ${KMS_RULE}; ${advice}`,
            `${derivedFrom(c)}: the Velero backup key alias would be named "alias/${c}-velero-backups", which contains ".": ${KMS_RULE}; ${advice}`,
        ]);
    });

    it("two adjacent dots (a..b): the buckets too, which S3 refuses", () => {
        const c = "eks-platform-a..b";
        const problems = problemsOf(renamed("a..b"));
        expect(problems.filter((p) => p.includes("bucket"))).toEqual([
            `${derivedFrom(c)}: the Velero backup bucket would be named "${c}-backups-<account-id>", which has two adjacent dots: ${S3_RULE}; ${advice}`,
            `${derivedFrom(c)}: the S3 access-log bucket would be named "${c}-access-logs-<account-id>", which has two adjacent dots: ${S3_RULE}; ${advice}`,
        ]);
        expect(problems).toHaveLength(7);
    });

    it("a 100-character dotted stack name: every name over its limit or with a dot is named with what it is for", () => {
        const stack = `blue.${"x".repeat(95)}`;
        const c = `eks-platform-${stack}`;
        const line = (purpose: string, name: string, which: string, rule: string) => `${derivedFrom(c)}: ${purpose} would be named "${name}", which ${which}: ${rule}; ${advice}`;
        expect(problemsOf(renamed(stack))).toEqual([
            line("the EKS cluster", c, "has 113 characters", EKS_RULE),
            line("the Secrets encryption key alias", `alias/${c}-eks-secrets`, 'contains "."', KMS_RULE),
            line("the EBS CSI driver role", `${c}-system-addons-ebs-csi`, "has 135 characters", IAM_RULE),
            line("the VPC flow logs role", `${c}-vpc-flow-logs`, "has 127 characters", IAM_RULE),
            line("the node role of node group system", `${c}-system-node`, "has 125 characters", IAM_RULE),
            line("the launch template of node group system", `${c}-system-`, "has 121 characters", LAUNCH_TEMPLATE_RULE),
            line("the node role of node group application", `${c}-application-node`, "has 130 characters", IAM_RULE),
            line("the launch template of node group application", `${c}-application-`, "has 126 characters", LAUNCH_TEMPLATE_RULE),
            line("the Karpenter controller role", `${c}-karpenter-controller`, "has 134 characters", IAM_RULE),
            line("the Karpenter node role", `${c}-karpenter-node`, "has 128 characters", IAM_RULE),
            line("the Karpenter interruption queue", `${c}-karpenter-interruption`, "has 136 characters", SQS_RULE),
            line("the Karpenter spot event rule", `${c}-karpenter-spot`, "has 128 characters", EVENT_RULE),
            line("the Karpenter rebalance event rule", `${c}-karpenter-rebalance`, "has 133 characters", EVENT_RULE),
            line("the Karpenter state-change event rule", `${c}-karpenter-state-change`, "has 136 characters", EVENT_RULE),
            line("the Karpenter health event rule", `${c}-karpenter-health`, "has 130 characters", EVENT_RULE),
            line("the Karpenter capacity-reservation event rule", `${c}-karpenter-capacity-reservation`, "has 144 characters", EVENT_RULE),
            line("the External Secrets role", `${c}-external-secrets-operator`, "has 139 characters", IAM_RULE),
            line("the platform secrets key alias", `alias/${c}-platform-secrets`, 'contains "."', KMS_RULE),
            line("the Velero role", `${c}-velero-irsa`, "has 125 characters", IAM_RULE),
            line("the Velero backup bucket", `${c}-backups-<account-id>`, "has 134 characters", S3_RULE),
            line("the Velero backup key alias", `alias/${c}-velero-backups`, 'contains "."', KMS_RULE),
            line("the S3 access-log bucket", `${c}-access-logs-<account-id>`, "has 138 characters", S3_RULE),
            line("the Trivy scan jobs' ECR read role", `${c}-trivy-operator-ecr-read`, "has 137 characters", IAM_RULE),
            line("the AWS Load Balancer Controller role", `${c}-load-balancer-controller`, "has 138 characters", IAM_RULE),
        ]);
    });
});

describe("S3's reserved bucket name prefixes, from an explicit clusterName the schema accepts", () => {
    it.each(["xn--", "sthree-", "amzn-s3-demo-"])("a clusterName starting with %s is refused for both buckets", (prefix) => {
        const clusterName = `${prefix}platform`;
        const where = `eks-platform:clusterName = "${clusterName}"`;
        expect(problemsOf(withConfig({ clusterName })(devSource))).toEqual([
            `${where}: the Velero backup bucket would be named "${clusterName}-backups-<account-id>", which has the reserved prefix ${prefix}: ${S3_RULE}; choose a shorter or plainer clusterName`,
            `${where}: the S3 access-log bucket would be named "${clusterName}-access-logs-<account-id>", which has the reserved prefix ${prefix}: ${S3_RULE}; choose a shorter or plainer clusterName`,
        ]);
    });

    it("the same letters elsewhere in the name are fine", () => {
        expect(() => parsePlatformConfig(withConfig({ clusterName: "platform-xn--sthree-1" })(devSource))).not.toThrow();
    });
});

describe("AWS's literal rules, name by name (the cases no derived name reaches today)", () => {
    const s3 = (name: string) => nameProblem(name, AWS_NAME_RULES.s3Bucket);

    it("an S3 bucket name has 3 to 63 characters", () => {
        expect(s3("abc")).toBeUndefined();
        expect(s3("ab")).toBe("has 2 characters");
        expect(s3("a".repeat(63))).toBeUndefined();
        expect(s3("a".repeat(64))).toBe("has 64 characters");
    });

    it("an S3 bucket name starts and ends with a letter or digit, even when every character is allowed", () => {
        expect(s3("-logs")).toBe("does not have the required form");
        expect(s3("logs.")).toBe("does not have the required form");
        expect(s3("Logs_")).toBe('contains "L", "_"');
    });

    it("an S3 bucket name is not formatted as an IP address", () => {
        expect(s3("192.168.5.4")).toBe("has the form of an IP address");
        expect(s3("10.200.100.250")).toBe("has the form of an IP address");
        expect(s3("a1.2.3.4")).toBeUndefined();
        expect(s3("1.2.3.4a")).toBeUndefined();
        expect(s3("1.2.3")).toBeUndefined();
        expect(s3("my..bucket")).toBe("has two adjacent dots");
    });

    it.each(["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"])("an S3 bucket name does not end with the reserved suffix %s", (suffix) => {
        expect(s3(`backups${suffix}`)).toBe(`has the reserved suffix ${suffix}`);
        expect(s3(`backups${suffix}1`)).toBeUndefined();
    });

    it("a KMS alias is alias/ and at least one character, and not under alias/aws/", () => {
        const kms = (name: string) => nameProblem(name, AWS_NAME_RULES.kmsAlias);
        expect(kms("alias/a")).toBeUndefined();
        expect(kms("alias/")).toBe("has 6 characters");
        expect(kms("keys/a1")).toBe("does not have the required form");
        expect(kms("alias/aws/ebs")).toBe("has the prefix alias/aws/, which AWS reserves");
        expect(kms("alias/team/aws/")).toBeUndefined();
    });

    it("an IAM role name has 1 to 64 characters", () => {
        const iam = (name: string) => nameProblem(name, AWS_NAME_RULES.iamRole);
        expect(iam("r")).toBeUndefined();
        expect(iam("")).toBe("has 0 characters");
        expect(iam("r".repeat(64))).toBeUndefined();
        expect(iam("r".repeat(65))).toBe("has 65 characters");
    });

    it("a CloudWatch log group name has at most 512 characters: the flow-log group is the first to go over", () => {
        const inputs = (length: number): NameInputs => ({
            clusterName: "c".repeat(length),
            managedNetwork: true,
            nodeGroupNames: [],
            addons: { karpenter: false, externalSecrets: false, velero: false, trivy: false, awsLoadBalancerController: false },
        });
        const logGroupProblems = (length: number) => derivedNameProblems(inputs(length)).filter((p) => p.includes("log group would be named"));
        expect(logGroupProblems(493)).toEqual([]);
        const c494 = "c".repeat(494);
        expect(logGroupProblems(494)).toEqual([`the VPC flow log group would be named "/aws/vpc/${c494}/flow-logs", which has 513 characters: ${LOG_GROUP_RULE}`]);
        const c496 = "c".repeat(496);
        expect(logGroupProblems(496)).toEqual([
            `the control-plane log group would be named "/aws/eks/${c496}/cluster", which has 513 characters: ${LOG_GROUP_RULE}`,
            `the VPC flow log group would be named "/aws/vpc/${c496}/flow-logs", which has 515 characters: ${LOG_GROUP_RULE}`,
        ]);
    });
});
