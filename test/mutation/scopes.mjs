// @ts-check
// What `npm run test:mutation` mutates, one scope at a time, and the tests each scope runs: the
// modules where a wrong line is a security hole, each with the test files that exercise it in
// this process (a test that runs the code in a child process, such as the CLI tests, always runs
// it unmutated and cannot kill a mutant). Scoping keeps a mutant's run to the files that matter.

/** @typedef {{ description: string, mutate: string[], tests: string[], tsconfig?: string }} MutationScope */

/** @type {Record<string, MutationScope>} */
export const SCOPES = {
    policy: {
        description: "the policy pack: shared extractors and every policy",
        mutate: ["policy/lib/**/*.ts", "policy/policies/**/*.ts"],
        // The pack is a TypeScript project of its own (the root tsconfig excludes it).
        tsconfig: "policy/tsconfig.json",
        tests: [
            "test/policy/aws.test.ts",
            "test/policy/awsControls.test.ts",
            "test/policy/awsMechanisms.test.ts",
            "test/policy/docs.test.ts",
            "test/policy/eksVersions.test.ts",
            "test/policy/engine.test.ts",
            "test/policy/environments.test.ts",
            "test/policy/frameworks.test.ts",
            "test/policy/kubernetes.test.ts",
            "test/policy/podSecurity.test.ts",
            "test/policy/policies.test.ts",
            "test/policy/stack.test.ts",
            "test/operatorPods.test.ts",
        ],
    },
    config: {
        description: "stack config: schema, validation, derived names",
        mutate: ["config/**/*.ts"],
        tests: [
            "test/config.test.ts",
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
        tests: ["test/namespaceBaseline.test.ts", "test/namespaces.test.ts", "test/rbac.test.ts", "test/networkFlows.test.ts", "test/monitoring.test.ts"],
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
