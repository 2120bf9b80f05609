/**
 * Names the components derive from the cluster name, and the rules AWS enforces on them at
 * create time. Checked at config load so that a stack name AWS would refuse (`Staging_EU`, or
 * one too long for an IAM role) stops before any resource exists, instead of failing halfway
 * through `pulumi up`. test/awsNames.test.ts keeps the list equal to the names a plan records;
 * test/configAwsNames.test.ts holds the rules to AWS's documented limits.
 */

export interface AwsNameRule {
    /** What AWS calls the name, with its article. */
    kind: string;
    minLength: number;
    maxLength: number;
    pattern: RegExp;
    /** One allowed character. */
    characters: RegExp;
    /** The rule in words, as the error message states it. */
    rule: string;
    /** Further rules beyond length and characters; returns what is wrong, if anything. */
    extra?: (name: string) => string | undefined;
}

const S3_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const S3_RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** AWS's naming rules (each service's API reference, CreateX request parameters). */
export const AWS_NAME_RULES = {
    eksCluster: {
        kind: "an EKS cluster name",
        minLength: 1,
        maxLength: 100,
        pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/,
        characters: /[A-Za-z0-9_-]/,
        rule: "1-100 letters, digits, hyphens and underscores, starting with a letter or digit",
    },
    iamRole: { kind: "an IAM role name", minLength: 1, maxLength: 64, pattern: /^[\w+=,.@-]+$/, characters: /[\w+=,.@-]/, rule: "at most 64 letters, digits and + = , . @ _ -" },
    s3Bucket: {
        kind: "an S3 bucket name",
        minLength: 3,
        maxLength: 63,
        pattern: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
        characters: /[a-z0-9.-]/,
        rule: "3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
        extra: (name: string) => {
            if (name.includes("..")) return "two adjacent dots";
            if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "the form of an IP address";
            const prefix = S3_RESERVED_PREFIXES.find((p) => name.startsWith(p));
            if (prefix) return `the reserved prefix ${prefix}`;
            const suffix = S3_RESERVED_SUFFIXES.find((s) => name.endsWith(s));
            return suffix ? `the reserved suffix ${suffix}` : undefined;
        },
    },
    sqsQueue: { kind: "an SQS queue name", minLength: 1, maxLength: 80, pattern: /^[A-Za-z0-9_-]+$/, characters: /[A-Za-z0-9_-]/, rule: "at most 80 letters, digits, hyphens and underscores" },
    eventBridgeRule: { kind: "an EventBridge rule name", minLength: 1, maxLength: 64, pattern: /^[.\-_A-Za-z0-9]+$/, characters: /[.\-_A-Za-z0-9]/, rule: "at most 64 letters, digits and . - _" },
    logGroup: { kind: "a CloudWatch log group name", minLength: 1, maxLength: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, characters: /[.\-_/#A-Za-z0-9]/, rule: "at most 512 letters, digits and . - _ / #" },
    kmsAlias: {
        kind: "a KMS alias",
        minLength: 7,
        maxLength: 256,
        pattern: /^alias\/[a-zA-Z0-9:/_-]+$/,
        characters: /[a-zA-Z0-9:/_-]/,
        rule: "alias/ followed by letters, digits and : / _ -, at most 256 in all",
        extra: (name: string) => (name.startsWith("alias/aws/") ? "the prefix alias/aws/, which AWS reserves" : undefined),
    },
    /** The provider appends a 26-character unique suffix to a name prefix; the name may have 128. */
    launchTemplatePrefix: {
        kind: "a launch template name prefix",
        minLength: 1,
        maxLength: 128 - 26,
        pattern: /^[a-zA-Z0-9().\-/_]+$/,
        characters: /[a-zA-Z0-9().\-/_]/,
        rule: "at most 102 letters, digits and ( ) . - / _ (the provider adds a 26-character suffix; a name may have 128)",
    },
} satisfies Record<string, AwsNameRule>;

export type AwsNameKind = keyof typeof AWS_NAME_RULES;

export interface DerivedName {
    /** What the name is for, e.g. "the Velero backup bucket". */
    purpose: string;
    name: string;
    kind: AwsNameKind;
}

/** What `derivedAwsNames` needs to know of the validated config. */
export interface NameInputs {
    clusterName: string;
    managedNetwork: boolean;
    nodeGroupNames: string[];
    addons: { karpenter: boolean; externalSecrets: boolean; velero: boolean; trivy: boolean; awsLoadBalancerController: boolean };
}

/** What of a validated config decides the derived names. */
export interface NamedConfig {
    clusterName: string;
    network: { mode: string };
    nodeGroups: ReadonlyArray<{ name: string }>;
    addons: {
        karpenter: { enabled: boolean };
        externalSecrets: { enabled: boolean };
        velero: { enabled: boolean };
        trivy: { enabled: boolean };
        awsLoadBalancerController: { enabled: boolean };
    };
}

export function nameInputsOf(config: NamedConfig): NameInputs {
    const { karpenter, externalSecrets, velero, trivy, awsLoadBalancerController } = config.addons;
    return {
        clusterName: config.clusterName,
        managedNetwork: config.network.mode === "managed",
        nodeGroupNames: config.nodeGroups.map((g) => g.name),
        addons: {
            karpenter: karpenter.enabled,
            externalSecrets: externalSecrets.enabled,
            velero: velero.enabled,
            trivy: trivy.enabled,
            awsLoadBalancerController: awsLoadBalancerController.enabled,
        },
    };
}

/** Stands in for the deploying account's id (always 12 digits) where a name contains it. */
export const ACCOUNT_ID_PLACEHOLDER = "<account-id>";
const ACCOUNT_ID_LENGTH = 12;

/** The Karpenter interruption rules, by the suffix their names end in (components/karpenter.ts). */
const KARPENTER_EVENT_RULES = ["spot", "rebalance", "state-change", "health", "capacity-reservation"];

/** Every AWS name the components derive from the cluster name (formats as in components/). */
export function derivedAwsNames(inputs: NameInputs, accountId = ACCOUNT_ID_PLACEHOLDER): DerivedName[] {
    const c = inputs.clusterName;
    const names: DerivedName[] = [
        { purpose: "the EKS cluster", name: c, kind: "eksCluster" },
        { purpose: "the control-plane log group", name: `/aws/eks/${c}/cluster`, kind: "logGroup" },
        { purpose: "the Secrets encryption key alias", name: `alias/${c}-eks-secrets`, kind: "kmsAlias" },
        { purpose: "the EBS CSI driver role", name: `${c}-system-addons-ebs-csi`, kind: "iamRole" },
    ];
    if (inputs.managedNetwork) {
        names.push({ purpose: "the VPC flow log group", name: `/aws/vpc/${c}/flow-logs`, kind: "logGroup" });
        names.push({ purpose: "the VPC flow logs role", name: `${c}-vpc-flow-logs`, kind: "iamRole" });
    }
    for (const group of inputs.nodeGroupNames) {
        names.push({ purpose: `the node role of node group ${group}`, name: `${c}-${group}-node`, kind: "iamRole" });
        names.push({ purpose: `the launch template of node group ${group}`, name: `${c}-${group}-`, kind: "launchTemplatePrefix" });
    }
    if (inputs.addons.karpenter) {
        names.push({ purpose: "the Karpenter controller role", name: `${c}-karpenter-controller`, kind: "iamRole" });
        names.push({ purpose: "the Karpenter node role", name: `${c}-karpenter-node`, kind: "iamRole" });
        names.push({ purpose: "the Karpenter interruption queue", name: `${c}-karpenter-interruption`, kind: "sqsQueue" });
        for (const rule of KARPENTER_EVENT_RULES) {
            names.push({ purpose: `the Karpenter ${rule} event rule`, name: `${c}-karpenter-${rule}`, kind: "eventBridgeRule" });
        }
    }
    if (inputs.addons.externalSecrets) {
        names.push({ purpose: "the External Secrets role", name: `${c}-external-secrets-operator`, kind: "iamRole" });
        names.push({ purpose: "the platform secrets key alias", name: `alias/${c}-platform-secrets`, kind: "kmsAlias" });
    }
    if (inputs.addons.velero) {
        names.push({ purpose: "the Velero role", name: `${c}-velero-irsa`, kind: "iamRole" });
        names.push({ purpose: "the Velero backup bucket", name: `${c}-backups-${accountId}`, kind: "s3Bucket" });
        names.push({ purpose: "the Velero backup key alias", name: `alias/${c}-velero-backups`, kind: "kmsAlias" });
        names.push({ purpose: "the S3 access-log bucket", name: `${c}-access-logs-${accountId}`, kind: "s3Bucket" });
    }
    if (inputs.addons.trivy) {
        names.push({ purpose: "the Trivy scan jobs' ECR read role", name: `${c}-trivy-operator-ecr-read`, kind: "iamRole" });
    }
    if (inputs.addons.awsLoadBalancerController) {
        names.push({ purpose: "the AWS Load Balancer Controller role", name: `${c}-load-balancer-controller`, kind: "iamRole" });
    }
    return names;
}

/** What is wrong with `name` under `rule`, or undefined if AWS would accept it. */
export function nameProblem(name: string, rule: AwsNameRule): string | undefined {
    // The account id is always 12 digits: judge the real length and characters.
    const concrete = name.replace(ACCOUNT_ID_PLACEHOLDER, "0".repeat(ACCOUNT_ID_LENGTH));
    if (concrete.length < rule.minLength || concrete.length > rule.maxLength) return `has ${concrete.length} characters`;
    if (!rule.pattern.test(concrete)) {
        const bad = [...new Set([...concrete].filter((ch) => !rule.characters.test(ch)))];
        return bad.length > 0 ? `contains ${bad.map((ch) => JSON.stringify(ch)).join(", ")}` : "does not have the required form";
    }
    const extra = rule.extra?.(concrete);
    return extra ? `has ${extra}` : undefined;
}

/** One message per derived name AWS would reject. */
export function derivedNameProblems(inputs: NameInputs): string[] {
    return derivedAwsNames(inputs).flatMap(({ purpose, name, kind }) => {
        const rule: AwsNameRule = AWS_NAME_RULES[kind];
        const problem = nameProblem(name, rule);
        return problem ? [`${purpose} would be named "${name}", which ${problem}: ${rule.kind} must be ${rule.rule}`] : [];
    });
}
