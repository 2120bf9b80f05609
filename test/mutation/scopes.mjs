// @ts-check
// What `npm run test:mutation` mutates, one scope at a time, and the tests each scope runs: the
// modules where a wrong line is a security hole, each with the test files that exercise it in
// this process (a test that runs the code in a child process, such as the CLI tests, always runs
// it unmutated and cannot kill a mutant). Scoping keeps a mutant's run to the files that matter.

/** @typedef {{ description: string, mutate: string[], tests: string[], tsconfig?: string }} MutationScope */

/** The pack is a TypeScript project of its own (the root tsconfig excludes it). */
const POLICY_TSCONFIG = "policy/tsconfig.json";

/** The pack's tests that run it in another process (the checker CLI, the analyzer server, the packaged pack): a mutant is never active there. */
export const POLICY_TESTS_IN_ANOTHER_PROCESS = ["test/policy/analyzer.test.ts", "test/policy/checker.test.ts", "test/policy/package.test.ts"];

const POLICY_TESTS = [
    "test/policy/aws.test.ts",
    "test/policy/awsComputeNetworkFindings.test.ts",
    "test/policy/awsControls.test.ts",
    "test/policy/awsEksFindings.test.ts",
    "test/policy/awsMechanisms.test.ts",
    "test/policy/awsS3IamFindings.test.ts",
    "test/policy/docs.test.ts",
    "test/policy/eksVersions.test.ts",
    "test/policy/engine.test.ts",
    "test/policy/environments.test.ts",
    "test/policy/frameworks.test.ts",
    "test/policy/kubernetes.test.ts",
    "test/policy/kubernetesFindings.test.ts",
    "test/policy/libFields.test.ts",
    "test/policy/libKubernetes.test.ts",
    "test/policy/libNetwork.test.ts",
    "test/policy/libShared.test.ts",
    "test/policy/loadBalancers.test.ts",
    "test/policy/podSecurity.test.ts",
    "test/policy/policies.test.ts",
    "test/policy/stack.test.ts",
    "test/operatorPods.test.ts",
];

/** @type {Record<string, MutationScope>} */
export const SCOPES = {
    // The pack in three scopes with the same tests: each first run fits a sitting on two cores,
    // and each commits its results on its own (Stryker writes them only when a run completes).
    "policy-lib": {
        description: "the policy pack: shared extractors, engine support, exemptions",
        mutate: ["policy/lib/**/*.ts"],
        tsconfig: POLICY_TSCONFIG,
        tests: POLICY_TESTS,
    },
    "policy-kubernetes": {
        description: "the policy pack: Kubernetes and stack-completeness policies",
        mutate: ["policy/policies/kubernetes/**/*.ts", "policy/policies/stack/**/*.ts", "policy/policies/index.ts"],
        tsconfig: POLICY_TSCONFIG,
        tests: POLICY_TESTS,
    },
    "policy-aws": {
        description: "the policy pack: AWS policies",
        mutate: ["policy/policies/aws/**/*.ts"],
        tsconfig: POLICY_TSCONFIG,
        tests: POLICY_TESTS,
    },
    config: {
        description: "stack config: schema, validation, derived names",
        mutate: ["config/**/*.ts"],
        tests: [
            "test/config.test.ts",
            "test/configAwsNames.test.ts",
            "test/configCidr.test.ts",
            "test/configLoad.test.ts",
            "test/configSchema.test.ts",
            "test/awsNames.test.ts",
            "test/network.test.ts",
            "test/nodeGroups.test.ts",
            "test/docs.test.ts",
            "test/cost.test.ts",
            "test/policy/environments.test.ts",
            "test/policy/eksVersions.test.ts",
        ],
    },
    iam: {
        description: "the IAM documents of the cluster and the add-ons",
        mutate: ["components/*.iam.ts", "components/shared/iamDocuments.ts"],
        tests: [
            "test/karpenter.test.ts",
            "test/externalSecrets.test.ts",
            "test/velero.test.ts",
            "test/trivyOperator.test.ts",
            "test/accessLogs.test.ts",
            "test/cluster.test.ts",
            "test/network.test.ts",
            "test/awsLoadBalancerController.test.ts",
            "test/iamDocuments.test.ts",
        ],
    },
    namespaces: {
        description: "the namespace baseline and access control: Pod Security, NetworkPolicies, RBAC, tenant placement",
        mutate: ["components/namespaceBaseline.ts", "components/tenantNamespace.ts", "components/accessControl.ts", "components/lockedNamespace.ts"],
        tests: ["test/namespaceBaseline.test.ts", "test/namespaces.test.ts", "test/rbac.test.ts", "test/networkFlows.test.ts", "test/monitoring.test.ts", "test/namespaceObjects.test.ts"],
    },
};

/** Where a scope's results are committed (Stryker's incremental file, relative to the project). */
export function incrementalFileOf(/** @type {string} */ scope) {
    return `test/mutation/incremental/${scope}.json`;
}

/** The scope named by MUTATION_SCOPE; a clear error naming the known ones otherwise. */
export function currentScope() {
    const name = process.env.MUTATION_SCOPE ?? "";
    const scope = SCOPES[name];
    if (!scope) throw new Error(`MUTATION_SCOPE="${name}": set it to one of ${Object.keys(SCOPES).join(", ")} (npm run test:mutation does)`);
    return { name, ...scope };
}
