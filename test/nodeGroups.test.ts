/**
 * Node groups and the managed add-ons, for the dev and prod stack files: what a real `pulumi up`
 * needs to produce Ready nodes, enforced NetworkPolicies, scheduled CoreDNS and encrypted volumes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { amiTypeFor, isArm64InstanceType } from "../components/nodeGroup";
import type { NodeGroupConfig } from "../config";
import { planStackFile, type PlannedStack } from "./fixtures/stacks";
import { recordedJson, type RecordedResource } from "./harness";

type Props = Record<string, unknown>;

interface Toleration {
    key?: string;
    operator?: string;
    value?: string;
    effect?: string;
}

/** The EKS API's taint effects in the Kubernetes spelling pods tolerate them by. */
const K8S_EFFECT: Record<string, string> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };

/** Kubernetes toleration semantics: does `toleration` tolerate the node-group taint? */
function tolerates(toleration: Toleration, taint: { key: string; value?: string; effect: string }): boolean {
    const effect = K8S_EFFECT[taint.effect];
    if (toleration.effect && toleration.effect !== effect) return false;
    if (toleration.operator === "Exists") return toleration.key === undefined || toleration.key === taint.key;
    return toleration.key === taint.key && (toleration.value ?? "") === (taint.value ?? "");
}

function configurationOf(addon: RecordedResource): Props {
    const raw = addon.props.configurationValues;
    expect(typeof raw, `${addon.name} configurationValues must be a JSON string`).toBe("string");
    return JSON.parse(raw as string) as Props;
}

describe.each(["dev", "prod"])("node groups and add-ons (%s stack)", (stack) => {
    let plan: PlannedStack;
    let groups: NodeGroupConfig[];
    const mng = (group: NodeGroupConfig) => plan.recorded.one("eks:index:ManagedNodeGroup", `node-group-${group.name}`);
    const addon = (name: string) => plan.recorded.one("aws:eks/addon:Addon", name);

    beforeAll(async () => {
        plan = await planStackFile(stack);
        groups = plan.config.nodeGroups;
    }, 60_000);

    it("turns on network policy enforcement in vpc-cni, in the string form the add-on schema accepts", () => {
        const config = configurationOf(addon("node-addons-vpc-cni"));
        expect(config.enableNetworkPolicy).toBe("true");
        expect(typeof config.enableNetworkPolicy).toBe("string");
        expect(addon("node-addons-vpc-cni").props.addonName).toBe("vpc-cni");
    });

    it("creates the node add-ons before any node group, and every add-on at a resolved version", () => {
        const vpcCni = addon("node-addons-vpc-cni");
        for (const group of groups) expect(plan.recorded.dependsOn(mng(group), vpcCni), group.name).toBe(true);
        const names = plan.recorded.ofType("aws:eks/addon:Addon").map((a) => a.props.addonName).sort();
        expect(names).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
        for (const a of plan.recorded.ofType("aws:eks/addon:Addon")) {
            expect(a.props.addonVersion, a.name).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
            expect(a.props.clusterName).toBe(plan.config.clusterName);
            expect(plan.recorded.dependsOn(a, plan.recorded.one("eks:index:Cluster")), a.name).toBe(true);
        }
    });

    it("creates CoreDNS after the system node group, tolerating its taint and selecting its nodes", () => {
        const coredns = addon("system-addons-coredns");
        const systemGroups = groups.filter((g) => g.role === "system");
        expect(systemGroups.length).toBeGreaterThan(0);
        for (const group of systemGroups) expect(plan.recorded.dependsOn(coredns, mng(group)), group.name).toBe(true);
        const config = configurationOf(coredns);
        const tolerations = config.tolerations as Toleration[];
        for (const group of systemGroups) {
            const taints = mng(group).props.taints as Array<{ key: string; value?: string; effect: string }>;
            expect(taints.length).toBeGreaterThan(0);
            for (const taint of taints) expect(tolerations.some((t) => tolerates(t, taint)), `tolerates ${taint.key}`).toBe(true);
            const labels = mng(group).props.labels as Record<string, string>;
            for (const [key, value] of Object.entries(config.nodeSelector as Record<string, string>)) expect(labels[key]).toBe(value);
        }
        // Only keys the coredns add-on configuration schema defines (it sets additionalProperties: false).
        const schemaKeys = ["affinity", "autoScaling", "computeType", "corefile", "nodeSelector", "podAnnotations", "podDisruptionBudget", "podLabels", "replicaCount", "resources", "tolerations", "topologySpreadConstraints"];
        expect(Object.keys(config).filter((k) => !schemaKeys.includes(k))).toEqual([]);
        expect(config.replicaCount as number).toBeGreaterThanOrEqual(stack === "prod" ? 3 : 2);
        expect((config.podDisruptionBudget as Props).enabled).toBe(true);
    });

    it("labels and taints each group by its role", () => {
        for (const group of groups) {
            const p = mng(group).props;
            expect((p.labels as Record<string, string>)["platform.eks.aws/node-role"]).toBe(group.role);
            const taints = (p.taints as Array<Props> | undefined) ?? [];
            if (group.role === "system") expect(taints).toEqual([{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }]);
            else expect(taints).toEqual([]);
            expect(p.nodeGroupName).toBe(group.name);
            expect(p.scalingConfig).toEqual({ minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize });
            expect(p.instanceTypes).toEqual(group.instanceTypes);
            expect(p.capacityType).toBe(group.capacityType);
        }
    });

    it("places nodes in the private subnets of every AZ", () => {
        const privateSubnetIds = plan.run.outputs.privateSubnetIds as string[];
        const publicSubnetIds = plan.run.outputs.publicSubnetIds as string[];
        expect(privateSubnetIds.length).toBe(plan.config.network.mode === "managed" ? plan.config.network.azCount : privateSubnetIds.length);
        for (const group of groups) {
            const subnets = mng(group).props.subnetIds as string[];
            expect([...subnets].sort()).toEqual([...privateSubnetIds].sort());
            expect(subnets.filter((s) => publicSubnetIds.includes(s))).toEqual([]);
        }
    });

    it("launches nodes from our template: IMDSv2 only, hop limit 1, encrypted gp3 root volume, no SSH key", () => {
        for (const group of groups) {
            const template = plan.recorded.one("aws:ec2/launchTemplate:LaunchTemplate", `node-group-${group.name}`);
            const p = template.props;
            expect(p.metadataOptions).toMatchObject({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
            const devices = p.blockDeviceMappings as Array<{ deviceName: string; ebs: Props }>;
            expect(devices).toHaveLength(1);
            expect(devices[0].deviceName).toBe("/dev/xvda");
            expect(devices[0].ebs).toMatchObject({ volumeType: "gp3", encrypted: "true", volumeSize: group.diskSizeGiB });
            expect(p.keyName).toBeUndefined();
            expect(p.imageId).toBeUndefined();
            expect(p.vpcSecurityGroupIds).toEqual([plan.run.outputs.nodeSecurityGroupId]);
            // The node group uses this template (no `diskSize`, no `remoteAccess`, no `enableIMDSv2`: they would replace or conflict with it).
            const ng = mng(group).props;
            expect((ng.launchTemplate as Props).id).toMatch(/^lt-/);
            expect(plan.recorded.dependsOn(mng(group), template)).toBe(true);
            expect(ng.diskSize).toBeUndefined();
            expect(ng.remoteAccess).toBeUndefined();
            expect(ng.enableIMDSv2).toBeUndefined();
            expect(ng.version).toBe(plan.config.kubernetesVersion);
            expect(ng.amiType).toBe("AL2023_x86_64_STANDARD");
        }
    });

    it("gives each node role only the node managed policies", () => {
        const roleArns = plan.run.outputs.nodeRoleArns as Record<string, string>;
        for (const group of groups) {
            const component = plan.recorded.one("platform:index:NodeGroup", `node-group-${group.name}`);
            const children = plan.recorded.childrenOf(component);
            const role = children.find((c) => c.type === "aws:iam/role:Role")!;
            expect(JSON.parse(String(role.props.assumeRolePolicy)).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
            expect(roleArns[group.name]).toBe(`arn:aws:iam::${/::(\d{12}):/.exec(plan.config.access.breakGlassRoleArn)![1]}:role/${role.props.name}`);
            const attached = children
                .filter((c) => c.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .map((a) => String(a.props.policyArn))
                .sort();
            expect(attached).toEqual(
                ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonSSMManagedInstanceCore"].map((n) => `arn:aws:iam::aws:policy/${n}`),
            );
            expect(children.filter((c) => c.type === "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
            expect(plan.recorded.dependsOn(mng(group), children.find((c) => c.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")!)).toBe(true);
        }
    });

    it("runs the EBS CSI driver with its own Pod Identity role, its controller on system nodes", () => {
        const ebs = addon("system-addons-aws-ebs-csi-driver");
        const association = plan.recorded
            .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
            .find((a) => a.props.serviceAccount === "ebs-csi-controller-sa");
        expect(association?.props.namespace).toBe("kube-system");
        expect(plan.recorded.dependsOn(ebs, association!)).toBe(true);
        expect(plan.recorded.dependsOn(association!, addon("node-addons-eks-pod-identity-agent"))).toBe(true);
        const role = plan.recorded.ofType("aws:iam/role:Role").find((r) => r.props.arn === association!.props.roleArn || association!.props.roleArn === `arn:aws:iam::${/::(\d{12}):/.exec(plan.config.access.breakGlassRoleArn)![1]}:role/${r.props.name}`)!;
        expect(role).toBeDefined();
        const trust = JSON.stringify(JSON.parse(String(role.props.assumeRolePolicy)));
        expect(trust).toContain("pods.eks.amazonaws.com");
        expect(trust).toContain("ebs-csi-controller-sa");
        const attachments = plan.recorded
            .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.parent === role.parent && String(a.props.role) === String(role.props.name));
        expect(attachments.map((a) => a.props.policyArn)).toEqual(["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]);
        for (const group of groups.filter((g) => g.role === "system")) expect(plan.recorded.dependsOn(ebs, mng(group))).toBe(true);
        const controller = configurationOf(ebs).controller as Props;
        expect(controller.nodeSelector).toEqual({ ["platform.eks.aws/node-role"]: "system" });
        expect((controller.tolerations as Toleration[]).some((t) => tolerates(t, { key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }))).toBe(true);
    });

    it("makes an encrypted gp3 StorageClass the default", () => {
        const storageClasses = plan.recorded.ofType("kubernetes:storage.k8s.io/v1:StorageClass");
        const defaults = storageClasses.filter(
            (s) => ((s.props.metadata as Props).annotations as Record<string, string> | undefined)?.["storageclass.kubernetes.io/is-default-class"] === "true",
        );
        expect(defaults).toHaveLength(1);
        const sc = defaults[0].props;
        expect((sc.metadata as Props).name).toBe(plan.run.outputs.storageClassName);
        expect(sc.provisioner).toBe("ebs.csi.aws.com");
        expect(sc.parameters).toMatchObject({ type: "gp3", encrypted: "true" });
        expect(sc.volumeBindingMode).toBe("WaitForFirstConsumer");
        expect(plan.recorded.dependsOn(defaults[0], addon("system-addons-aws-ebs-csi-driver"))).toBe(true);
    });

    it("tags every provisioned volume with exactly the ownership tag Velero's role may snapshot", () => {
        const sc = plan.recorded.one("kubernetes:storage.k8s.io/v1:StorageClass").props;
        const parameters = sc.parameters as Record<string, string>;
        // The driver's StorageClass tagging (aws-ebs-csi-driver docs/tagging.md): `tagSpecification*` = "key=value".
        const tags = Object.entries(parameters)
            .filter(([key]) => key.startsWith("tagSpecification"))
            .map(([, value]) => [value.slice(0, value.indexOf("=")), value.slice(value.indexOf("=") + 1)]);
        expect(tags).toEqual([[`kubernetes.io/cluster/${plan.config.clusterName}`, "owned"]]);
        // Velero's recorded policy: CreateSnapshot on a volume only if it carries that tag.
        const veleroPolicy = recordedJson(plan.recorded.one("aws:iam/rolePolicy:RolePolicy", "velero-irsa-least-privilege"), "policy", "props");
        const snapshot = veleroPolicy.Statement.find((s) => s.Action === "ec2:CreateSnapshot" && String(s.Resource).includes(":volume/"));
        const conditions = Object.entries(snapshot?.Condition?.StringEquals ?? {});
        expect(conditions).toEqual([[`aws:ResourceTag/${tags[0][0]}`, tags[0][1]]]);
    });
});

describe("AMI type per node group", () => {
    const group = (instanceTypes: string[]): NodeGroupConfig => ({
        name: "g",
        role: "application",
        instanceTypes,
        capacityType: "ON_DEMAND",
        minSize: 1,
        maxSize: 2,
        desiredSize: 1,
        diskSizeGiB: 50,
    });

    it("recognises Graviton families and refuses mixed architectures", () => {
        expect(["m7g.large", "c7gn.xlarge", "r8gd.large", "t4g.medium", "g5g.xlarge"].map(isArm64InstanceType)).toEqual([true, true, true, true, true]);
        expect(["m6i.large", "t3a.large", "g5.xlarge", "p4d.24xlarge", "m7i.xlarge"].map(isArm64InstanceType)).toEqual([false, false, false, false, false]);
        expect(amiTypeFor(group(["m7g.large"]))).toBe("AL2023_ARM_64_STANDARD");
        expect(amiTypeFor(group(["m6i.large", "m7i.large"]))).toBe("AL2023_x86_64_STANDARD");
        expect(() => amiTypeFor(group(["m6i.large", "m7g.large"]))).toThrow(/mix arm64 and x86_64/);
    });
});
