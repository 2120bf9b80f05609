/**
 * Creation order hidden behind plain strings (the whole class): on every stack file, no input
 * names another resource of the plan (by the name, ARN or id the mocks return for it) without
 * waiting for that resource. The engine orders only what it sees as dependencies.
 */
import { describe, expect, it } from "vitest";
import type { PlanResourceDocument } from "../plan";
import { hiddenReferences } from "../plan/references";
import { listStacks } from "../plan/stackConfig";
import { PROJECT_DIR } from "../plan/run";
import { planStack } from "./harness";

function resource(partial: Partial<PlanResourceDocument> & Pick<PlanResourceDocument, "urn" | "type">): PlanResourceDocument {
    return {
        name: partial.urn.split("::").pop()!,
        custom: true,
        remote: false,
        parent: null,
        provider: null,
        dependencies: [],
        protect: false,
        retainOnDelete: false,
        inputs: {},
        id: null,
        outputs: {},
        aliases: [],
        ...partial,
    };
}

describe("the hidden-reference check", () => {
    const cluster = resource({
        urn: "urn:pulumi:s::p::eks:index:Cluster::cluster",
        type: "eks:index:Cluster",
        custom: false,
        remote: true,
        inputs: { name: "eks-platform-dev" },
        outputs: { eksCluster: { id: "eks-platform-dev", name: "eks-platform-dev", arn: "arn:aws:eks:eu-west-1:111122223333:cluster/eks-platform-dev" } },
    });
    const role = resource({
        urn: "urn:pulumi:s::p::aws:iam/role:Role::node",
        type: "aws:iam/role:Role",
        id: "eks-platform-dev-node",
        inputs: { name: "eks-platform-dev-node", tags: { cluster: "eks-platform-dev" } },
        outputs: { arn: "arn:aws:iam::111122223333:role/eks-platform-dev-node" },
    });

    it("reports a cluster name given as a plain string to a resource that does not wait for the cluster", () => {
        const entry = resource({
            urn: "urn:pulumi:s::p::aws:eks/accessEntry:AccessEntry::node",
            type: "aws:eks/accessEntry:AccessEntry",
            inputs: { clusterName: "eks-platform-dev", principalArn: "arn:aws:iam::111122223333:role/eks-platform-dev-node" },
            dependencies: [role.urn],
        });
        expect(hiddenReferences([cluster, role, entry])).toEqual([{ urn: entry.urn, path: "clusterName", value: "eks-platform-dev", target: cluster.urn }]);
    });

    it("accepts the same value once the resource waits for the cluster, directly or through another resource", () => {
        const direct = resource({ urn: "urn:pulumi:s::p::aws:eks/addon:Addon::a", type: "aws:eks/addon:Addon", inputs: { clusterName: "eks-platform-dev" }, dependencies: [cluster.urn] });
        const roleAfterCluster = { ...role, dependencies: [cluster.urn] };
        const transitive = resource({ urn: "urn:pulumi:s::p::aws:eks/accessEntry:AccessEntry::n", type: "aws:eks/accessEntry:AccessEntry", inputs: { clusterName: "eks-platform-dev" }, dependencies: [role.urn] });
        expect(hiddenReferences([cluster, roleAfterCluster, direct, transitive])).toEqual([]);
    });

    it("finds ARNs inside JSON documents but not in tags, descriptions or policy conditions", () => {
        const policy = resource({
            urn: "urn:pulumi:s::p::aws:iam/rolePolicy:RolePolicy::p",
            type: "aws:iam/rolePolicy:RolePolicy",
            inputs: {
                description: "for eks-platform-dev-node",
                tags: { role: "eks-platform-dev-node" },
                policy: JSON.stringify({
                    Statement: [
                        { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/eks-platform-dev-node" },
                        { Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:iam::111122223333:role/eks-platform-dev-node" } } },
                    ],
                }),
            },
        });
        expect(hiddenReferences([role, policy]).map((f) => f.path)).toEqual(["policy.Statement[0].Resource"]);
    });
});

describe.each(listStacks(PROJECT_DIR))("no hidden creation order in the %s plan", (stack) => {
    it("every input naming another resource of the plan waits for it", async () => {
        const { plan } = await planStack(stack);
        const findings = hiddenReferences(plan.document.resources).map((f) => `${f.urn} ${f.path} = ${f.value} names ${f.target} without depending on it`);
        expect(findings).toEqual([]);
    });
});
