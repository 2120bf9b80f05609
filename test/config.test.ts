import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parsePlatformConfig, type RawConfigSource } from "../config";
import { loadStackConfig, StackFileError } from "../plan/stackConfig";
import { PROJECT_DIR } from "../plan/run";
import { configErrorOf, configValue, withConfig } from "./harness";

const devSource = loadStackConfig(PROJECT_DIR, "dev");
const prodSource = loadStackConfig(PROJECT_DIR, "prod");

const structured = configValue;

/** A copy of `source` with `key` replaced (structured keys given as plain values). */
function patched(source: RawConfigSource, key: string, value: unknown): RawConfigSource {
    return withConfig({ [key]: value })(source);
}

const problemsOf = (source: RawConfigSource): string[] => configErrorOf(source).problems;

describe("the committed stacks", () => {
    it.each([
        ["dev", devSource],
        ["prod", prodSource],
    ])("%s parses into one typed, defaulted config", (_, source) => {
        const config = parsePlatformConfig(source);
        expect(config.clusterName).toBe(`eks-platform-${source.stack}`);
        expect(config.addons.velero.schedule).toBe("0 2 * * *");
        expect(config.externalSecrets.allowedNamespaces).toEqual(config.tenants.map((t) => t.name));
    });

    it("dev is cheap and prod is highly available", () => {
        const dev = parsePlatformConfig(devSource);
        const prod = parsePlatformConfig(prodSource);
        expect(dev.network).toMatchObject({ natGateways: "single", azCount: 2 });
        expect(prod.network).toMatchObject({ natGateways: "perAz", azCount: 3 });
        expect(prod.endpoint.publicAccess).toBe(false);
        expect(prod.isProduction).toBe(true);
        expect(dev.isProduction).toBe(false);
    });
});

describe("every config rule gives a message naming the key, stack, value and what is allowed", () => {
    it("node group min size above max", () => {
        const groups = structured(devSource, "nodeGroups");
        groups[0].minSize = 5;
        groups[0].desiredSize = 5;
        const problems = problemsOf(patched(devSource, "nodeGroups", groups));
        expect(problems).toContain("eks-platform:nodeGroups[0].minSize = 5: (5) must not exceed maxSize (3)");
    });

    it("desired size outside min..max", () => {
        const groups = structured(devSource, "nodeGroups");
        groups[1].desiredSize = 9;
        expect(problemsOf(patched(devSource, "nodeGroups", groups))).toContain(
            "eks-platform:nodeGroups[1].desiredSize = 9: (9) must lie between minSize (1) and maxSize (3)",
        );
    });

    it("two node groups sharing a name", () => {
        const groups = structured(devSource, "nodeGroups");
        groups[1].name = "system";
        expect(problemsOf(patched(devSource, "nodeGroups", groups))).toContain(
            'eks-platform:nodeGroups[1].name = "system": "system" is already used by node group 0; names must be unique',
        );
    });

    it("no system node group", () => {
        const groups = structured(devSource, "nodeGroups").filter((g: { role: string }) => g.role !== "system");
        expect(problemsOf(patched(devSource, "nodeGroups", groups)).join("\n")).toMatch(
            /eks-platform:nodeGroups = .*needs a node group with role "system"/,
        );
    });

    it("subnet CIDR outside the VPC CIDR", () => {
        const network = { ...structured(devSource, "network"), privateSubnetCidrs: ["10.20.0.0/19", "10.99.0.0/19"] };
        expect(problemsOf(patched(devSource, "network", network))).toContain(
            'eks-platform:network.privateSubnetCidrs[1] = "10.99.0.0/19": 10.99.0.0/19 lies outside the VPC CIDR 10.20.0.0/16',
        );
    });

    it("overlapping subnet CIDRs", () => {
        const network = { ...structured(devSource, "network"), privateSubnetCidrs: ["10.20.0.0/19", "10.20.16.0/20"] };
        expect(problemsOf(patched(devSource, "network", network))).toContain(
            'eks-platform:network.privateSubnetCidrs[1] = "10.20.16.0/20": overlaps privateSubnetCidrs[0] (10.20.0.0/19); every subnet needs its own range',
        );
    });

    it("one subnet CIDR per AZ", () => {
        const network = { ...structured(devSource, "network"), publicSubnetCidrs: ["10.20.128.0/22"] };
        expect(problemsOf(patched(devSource, "network", network))).toContain(
            'eks-platform:network.publicSubnetCidrs = ["10.20.128.0/22"]: needs exactly one CIDR per AZ (azCount is 2), got 1',
        );
    });

    it("a malformed CIDR", () => {
        const network = { ...structured(devSource, "network"), vpcCidr: "10.20.0.1/16" };
        expect(problemsOf(patched(devSource, "network", network))).toContain(
            'eks-platform:network.vpcCidr = "10.20.0.1/16": has host bits set: a /16 starts at 10.20.0.0, so write 10.20.0.0/16',
        );
    });

    it("an unsupported Kubernetes version", () => {
        const problems = problemsOf(patched(devSource, "kubernetesVersion", "1.24"));
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^eks-platform:kubernetesVersion = "1.24": Invalid option: expected one of "1.32"\|"1.33"\|"1.34"\|"1.35"$/);
    });

    it("a prod stack whose public endpoint is open to the world", () => {
        const problems = problemsOf(patched(prodSource, "endpoint", { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }));
        expect(problems).toContain(
            'eks-platform:endpoint.publicAccessCidrs[0] = "0.0.0.0/0": opens the API server to the whole internet; list your office/VPN CIDRs instead',
        );
    });

    it("a public endpoint without an allow-list", () => {
        expect(problemsOf(patched(devSource, "endpoint", { publicAccess: true }))).toContain(
            "eks-platform:endpoint.publicAccessCidrs = (not set): must list at least one CIDR when publicAccess is true (an empty list means open to the world)",
        );
    });

    it("an empty admin list", () => {
        const access = { ...structured(devSource, "access"), platformAdminRoleArns: [] };
        expect(problemsOf(patched(devSource, "access", access))).toContain(
            "eks-platform:access.platformAdminRoleArns = []: needs at least one platform admin role, or nobody can administer the cluster",
        );
    });

    it("a malformed role ARN", () => {
        const access = { ...structured(devSource, "access"), developerRoleArns: ["developers"] };
        expect(problemsOf(patched(devSource, "access", access))).toContain(
            'eks-platform:access.developerRoleArns[0] = "developers": must be an IAM role ARN such as arn:aws:iam::123456789012:role/name',
        );
    });

    it("an unknown top-level key (a typo)", () => {
        expect(problemsOf(patched(devSource, "kubernetesVersoin", "1.34"))).toContain(
            "eks-platform:kubernetesVersoin: unknown key; did you mean `kubernetesVersion`? (the README lists every key)",
        );
    });

    it("an unknown nested key", () => {
        const addons = { ...structured(devSource, "addons"), velero: { schedul: "0 3 * * *" } };
        expect(problemsOf(patched(devSource, "addons", addons))).toContain(
            "eks-platform:addons.velero.schedul: unknown key; did you mean `schedule`? (the README lists every key)",
        );
    });

    it("a missing required key", () => {
        expect(problemsOf(patched(devSource, "network", undefined)).join("\n")).toMatch(/^eks-platform:network = \(not set\): /m);
    });

    it("a missing region", () => {
        expect(problemsOf(patched(devSource, "aws:region", undefined))).toContain(
            "aws:region: is required (the AWS region to deploy to, e.g. eu-west-1)",
        );
    });

    it("a malformed region", () => {
        expect(problemsOf(patched(devSource, "aws:region", "Europe"))).toContain('aws:region = "Europe": is not an AWS region name such as eu-west-1');
    });

    it("an integer key given text", () => {
        expect(problemsOf(patched(devSource, "controlPlaneLogRetentionDays", "ninety"))[0]).toMatch(
            /^eks-platform:controlPlaneLogRetentionDays = "ninety": /,
        );
    });

    it("a log retention CloudWatch does not offer lists the allowed values", () => {
        expect(problemsOf(patched(devSource, "controlPlaneLogRetentionDays", "45"))).toEqual([
            "eks-platform:controlPlaneLogRetentionDays = 45: must be one of 30, 60, 90, 180, 365, 400, 731 (days; CloudWatch Logs retention periods of at least 30 days, for audit)",
        ]);
    });

    it("prod with a single NAT gateway and two AZs", () => {
        const network = { ...structured(prodSource, "network"), natGateways: "single" };
        const problems = problemsOf(patched(prodSource, "network", network));
        expect(problems).toContain('eks-platform:network.natGateways = "single": must be "perAz" in prod (a single NAT gateway is a single point of failure)');
    });

    it("prod node groups that cannot lose a node", () => {
        const groups = structured(prodSource, "nodeGroups");
        groups[0].minSize = 1;
        groups[0].desiredSize = 1;
        expect(problemsOf(patched(prodSource, "nodeGroups", groups))).toContain(
            "eks-platform:nodeGroups[0].minSize = 1: must be at least 2 in prod (one node must be able to fail)",
        );
    });

    it("a tenant allow that names an unknown namespace", () => {
        const tenants = structured(devSource, "tenants");
        tenants[1].allowIngressFrom = [{ namespace: "paymnets", ports: [5432] }];
        expect(problemsOf(patched(devSource, "tenants", tenants))).toContain(
            'eks-platform:tenants[1].allowIngressFrom[0].namespace = "paymnets": "paymnets" is not a tenant namespace of this stack (known: payments, database, monitoring)',
        );
    });

    it("a tenant that takes a platform namespace", () => {
        const tenants = [...structured(devSource, "tenants"), { name: "kube-system", owners: ["x"] }];
        expect(problemsOf(patched(devSource, "tenants", tenants))).toContain(
            'eks-platform:tenants[2].name = "kube-system": is reserved for the platform or Kubernetes itself',
        );
    });

    it("a tenant declared twice", () => {
        const tenants = [...structured(devSource, "tenants"), { name: "payments", owners: ["x"] }];
        expect(problemsOf(patched(devSource, "tenants", tenants))).toContain('eks-platform:tenants[2].name = "payments": "payments" is declared twice');
    });

    it("exposed ports: internet-facing only where allowed, never a port platform pods dial, each once, and only with the controller", () => {
        const tenants = structured(devSource, "tenants");
        tenants[1].expose = [{ port: 8443, scheme: "internet-facing" }, { port: 443 }, { port: 8443 }];
        const problems = problemsOf(patched(devSource, "tenants", tenants));
        expect(problems).toContain('eks-platform:tenants[1].expose[0].scheme = "internet-facing": needs tenants[1].internetFacing: true (the platform team\'s decision that database may face the internet)');
        expect(problems).toContain(
            "eks-platform:tenants[1].expose[1].port = 443: platform pods dial the API server on port 443 in the VPC's subnets, so they could reach this port too: let the pods listen on another port (the load balancer's listener may still be 443)",
        );
        expect(problems).toContain("eks-platform:tenants[1].expose[2].port = 8443: port 8443 is listed twice");
        const withoutController = patched(devSource, "addons", { ...structured<Record<string, unknown>>(devSource, "addons"), awsLoadBalancerController: { enabled: false } });
        expect(problemsOf(withoutController)).toEqual(["eks-platform:tenants[0].expose = [{\"port\":9898}]: needs addons.awsLoadBalancerController.enabled: nothing else creates the load balancers"]);
        tenants[1].expose = [{ port: 8443, scheme: "internet-facing" }];
        tenants[1].internetFacing = true;
        expect(() => parsePlatformConfig(patched(devSource, "tenants", tenants))).not.toThrow();
    });

    it("an internet-facing port in an existing VPC without public subnets", () => {
        const network = { mode: "existing", vpcId: "vpc-0abc12345def67890", privateSubnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };
        const tenants = [...structured(devSource, "tenants"), { name: "shop", owners: ["team-web"], internetFacing: true, expose: [{ port: 8443, scheme: "internet-facing" }] }];
        expect(problemsOf(patched(patched(devSource, "network", network), "tenants", tenants))).toEqual([
            'eks-platform:tenants[2].expose[0].scheme = "internet-facing": network.publicSubnetIds is empty: an internet-facing load balancer needs public subnets (tagged kubernetes.io/role/elb)',
        ]);
    });

    it("External Secrets allowed in a namespace that is not a tenant", () => {
        const addons = { ...structured(devSource, "addons"), externalSecrets: { allowedNamespaces: ["payments", "ghost"] } };
        expect(problemsOf(patched(devSource, "addons", addons))).toContain(
            'eks-platform:addons.externalSecrets.allowedNamespaces[1] = "ghost": "ghost" is not a tenant namespace of this stack',
        );
    });

    it("a Karpenter AMI that is not pinned", () => {
        const addons = { ...structured(devSource, "addons"), karpenter: { amiAlias: "al2023@latest" } };
        expect(problemsOf(patched(devSource, "addons", addons))).toContain(
            'eks-platform:addons.karpenter.amiAlias = "al2023@latest": must pin an AMI release such as al2023@v20261110 (never @latest)',
        );
    });

    it("a backup schedule that is not cron", () => {
        const addons = { ...structured(devSource, "addons"), velero: { schedule: "daily" } };
        expect(problemsOf(patched(devSource, "addons", addons))).toContain(
            'eks-platform:addons.velero.schedule = "daily": must be a five-field cron expression such as 0 2 * * *',
        );
    });

    it("COMPLIANCE Object Lock outside prod (pulumi destroy could not empty the bucket)", () => {
        const addons = { ...structured(devSource, "addons"), velero: { objectLock: { enabled: true, mode: "COMPLIANCE" } } };
        expect(problemsOf(patched(devSource, "addons", addons))).toContain(
            'eks-platform:addons.velero.objectLock.mode = "COMPLIANCE": COMPLIANCE retention cannot be shortened by anyone: `pulumi destroy` of this non-production stack could not empty the backup bucket until every backup\'s retention ends; use GOVERNANCE outside prod',
        );
        const governance = { ...structured(devSource, "addons"), velero: { objectLock: { enabled: true, mode: "GOVERNANCE" } } };
        expect(() => parsePlatformConfig(patched(devSource, "addons", governance))).not.toThrow();
    });

    it("a deploy runner that cannot reach the API server", () => {
        const publicRunner = { labels: ["ubuntu-24.04"], network: "public", sourceCidrs: ["203.0.113.9/32"] };
        expect(problemsOf(patched(prodSource, "deployRunner", publicRunner))).toContain(
            'eks-platform:deployRunner.network = "public": the API server endpoint is private (endpoint.publicAccess false): the runner must be inside the VPC (network: vpc)',
        );
        expect(problemsOf(patched(devSource, "deployRunner", { ...publicRunner, sourceCidrs: ["192.0.2.10/32"] }))).toContain(
            'eks-platform:deployRunner.sourceCidrs[0] = "192.0.2.10/32": 192.0.2.10/32 is not inside endpoint.publicAccessCidrs (203.0.113.0/24, 198.51.100.17/32): the API server would refuse the runner',
        );
        const hosted = problemsOf(patched(prodSource, "deployRunner", { labels: ["ubuntu-24.04"], network: "vpc", sourceCidrs: ["52.1.2.3/32"] }));
        expect(hosted).toContain('eks-platform:deployRunner.labels = ["ubuntu-24.04"]: ubuntu-24.04 is a GitHub-hosted runner, never inside your VPC; use your self-hosted runner\'s labels');
        expect(hosted).toContain('eks-platform:deployRunner.sourceCidrs[0] = "52.1.2.3/32": 52.1.2.3/32 is not a private address range: a runner inside the VPC connects from private addresses');
        expect(() => parsePlatformConfig(patched(devSource, "deployRunner", publicRunner))).not.toThrow();
    });

    it("existing-network mode needs real ids", () => {
        const network = { mode: "existing", vpcId: "my-vpc", privateSubnetIds: ["subnet-0aaa1111"] };
        const problems = problemsOf(patched(devSource, "network", network));
        expect(problems).toContain('eks-platform:network.vpcId = "my-vpc": must be a VPC id such as vpc-0abc12345def67890');
        expect(problems).toContain('eks-platform:network.privateSubnetIds = ["subnet-0aaa1111"]: needs at least two private subnets in different AZs');
    });

    it("an Alertmanager config from Secrets Manager without External Secrets", () => {
        const addons = { ...configValue(prodSource, "addons"), externalSecrets: { enabled: false } };
        expect(problemsOf(withConfig({ addons })(prodSource))).toContain(
            'eks-platform:addons.monitoring.alertmanagerConfigSecret = "alertmanager": needs addons.externalSecrets.enabled: the Alertmanager configuration is synced from Secrets Manager by External Secrets',
        );
    });

    it("a structured key that is not JSON", () => {
        expect(problemsOf(patched(devSource, "network", "{not json"))).toContain("eks-platform:network: is not valid JSON/YAML structure");
    });

    it("never echoes a secret value", () => {
        const source = { ...patched(devSource, "kubernetesVersion", "hunter2"), secretKeys: ["eks-platform:kubernetesVersion"] };
        const problems = problemsOf(source);
        expect(problems.join("\n")).not.toContain("hunter2");
        expect(problems[0]).toMatch(/^eks-platform:kubernetesVersion = \[secret\]: /);
    });

    it("reports every problem at once, in one message without a stack trace", () => {
        const source = patched(patched(devSource, "kubernetesVersion", "1.20"), "controlPlaneLogRetentionDays", "7");
        try {
            parsePlatformConfig(source);
            throw new Error("expected a ConfigError");
        } catch (error) {
            const configError = error as ConfigError;
            expect(configError.problems).toHaveLength(2);
            expect(configError.message).toMatch(/^Invalid configuration for stack "dev":\n  - /);
            // Pulumi prints a RunError's message alone, without the stack trace.
            expect((error as { __pulumiRunError?: boolean }).__pulumiRunError).toBe(true);
        }
    });
});

/** The stack file as the plan reads it, from a project directory holding only Pulumi.yaml and it. */
function stackFileSource(stack: string, yaml: string) {
    const dir = mkdtempSync(join(tmpdir(), "stackfile-"));
    copyFileSync(join(PROJECT_DIR, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), yaml);
    return () => loadStackConfig(dir, stack);
}

const devYaml = readFileSync(join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");

describe("what a new user trips over gets a message that says what to do", () => {
    it("an unknown top-level key suggests the nearest known key", () => {
        expect(problemsOf(patched(devSource, "nodeGroup", []))).toContain("eks-platform:nodeGroup: unknown key; did you mean `nodeGroups`? (the README lists every key)");
    });

    it("an unknown nested key suggests the nearest key of that object (the network mode's own keys)", () => {
        const network = { ...structured(devSource, "network"), natGateway: "single" };
        expect(problemsOf(patched(devSource, "network", network))).toContain(
            "eks-platform:network.natGateway: unknown key; did you mean `natGateways`? (the README lists every key)",
        );
        const existing = { mode: "existing", vpcId: "vpc-0abc12345def67890", privateSubnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"], publicSubnetId: [] };
        expect(problemsOf(patched(devSource, "network", existing))).toContain(
            "eks-platform:network.publicSubnetId: unknown key; did you mean `publicSubnetIds`? (the README lists every key)",
        );
    });

    it("an unknown key far from every known one gets no guess", () => {
        expect(problemsOf(patched(devSource, "colour", "blue"))).toContain("eks-platform:colour: unknown key (the README lists every key)");
    });

    it("a misspelt top-level `configs:` in a stack file is named, with the key it should be", () => {
        const load = stackFileSource("typo", devYaml.replace(/^config:/m, "configs:"));
        expect(load).toThrow(StackFileError);
        expect(load).toThrow(/Pulumi\.typo\.yaml: unknown top-level key "configs"; did you mean `config`\?/);
    });

    it("`config:` that is not a map says so, instead of reporting keys 0..4", () => {
        const load = stackFileSource("scalar", 'config: "hello"\n');
        expect(load).toThrow(/Pulumi\.scalar\.yaml: config must be a map of keys to values .*got the string "hello"/s);
    });

    it("overlapping public subnets are reported under publicSubnetCidrs", () => {
        const network = { ...structured(devSource, "network"), publicSubnetCidrs: ["10.20.128.0/21", "10.20.132.0/22"] };
        expect(problemsOf(patched(devSource, "network", network))).toEqual([
            'eks-platform:network.publicSubnetCidrs[1] = "10.20.132.0/22": overlaps publicSubnetCidrs[0] (10.20.128.0/21); every subnet needs its own range',
        ]);
    });

    it("a public subnet overlapping a private one names both lists", () => {
        const network = { ...structured(devSource, "network"), privateSubnetCidrs: ["10.20.0.0/19", "10.20.32.0/19"], publicSubnetCidrs: ["10.20.32.0/22", "10.20.132.0/22"] };
        expect(problemsOf(patched(devSource, "network", network))).toEqual([
            'eks-platform:network.publicSubnetCidrs[0] = "10.20.32.0/22": overlaps privateSubnetCidrs[1] (10.20.32.0/19); every subnet needs its own range',
        ]);
    });

    it.each([
        ["10.20.128.0/16", "a /16 starts at 10.20.0.0, so write 10.20.0.0/16"],
        ["10.20.8.0/19", "a /19 starts at 10.20.0.0, so write 10.20.0.0/19"],
        ["10.20.0.16/20", "a /20 starts at 10.20.0.0, so write 10.20.0.0/20"],
    ])("host bits are every bit below the prefix: vpcCidr %s is refused", (cidr, message) => {
        const problems = problemsOf(patched(devSource, "network", { ...structured<Record<string, unknown>>(devSource, "network"), vpcCidr: cidr }));
        expect(problems.filter((p) => p.startsWith(`eks-platform:network.vpcCidr = "${cidr}": `))).toEqual([`eks-platform:network.vpcCidr = "${cidr}": has host bits set: ${message}`]);
    });

    it.each(["10.21.0.0/16", "10.20.128.0/17", "10.20.16.0/20", "10.20.0.0/20"])("and every bit at or above it is the network's: vpcCidr %s is accepted", (cidr) => {
        expect(parsePlatformConfig(patched(devSource, "network", { ...structured<Record<string, unknown>>(devSource, "network"), vpcCidr: cidr })).network).toMatchObject({ vpcCidr: cidr });
    });

    it("a CIDR with host bits set names the network address it would mean", () => {
        const network = { ...structured(devSource, "network"), vpcCidr: "10.20.1.0/16" };
        expect(problemsOf(patched(devSource, "network", network))).toContain(
            'eks-platform:network.vpcCidr = "10.20.1.0/16": has host bits set: a /16 starts at 10.20.0.0, so write 10.20.0.0/16',
        );
        expect(problemsOf(patched(devSource, "endpoint", { publicAccess: true, publicAccessCidrs: ["203.0.113.7/24"] }))).toContain(
            'eks-platform:endpoint.publicAccessCidrs[0] = "203.0.113.7/24": has host bits set: a /24 starts at 203.0.113.0, so write 203.0.113.0/24',
        );
    });

    it("an unquoted kubernetesVersion: 1.30 in the stack file is read as 1.3: say it must be quoted", () => {
        const source = stackFileSource("unquoted", devYaml.replace(/kubernetesVersion: "[\d.]+"/, "kubernetesVersion: 1.30"))();
        expect(problemsOf(source)).toEqual([
            'eks-platform:kubernetesVersion = "1.3": must be quoted in the stack file: YAML reads an unquoted version such as 1.30 as the number 1.3 (write kubernetesVersion: "1.30"); supported: "1.32", "1.33", "1.34", "1.35"',
        ]);
    });

    it("an instance type that does not exist is refused, with the sizes its family has", () => {
        const groups = structured(devSource, "nodeGroups");
        groups[0].instanceTypes = ["t3.huge"];
        expect(problemsOf(patched(devSource, "nodeGroups", groups))).toEqual([
            'eks-platform:nodeGroups[0].instanceTypes[0] = "t3.huge": is not an EC2 instance type: t3 comes in 2xlarge, large, medium, micro, nano, small, xlarge',
        ]);
    });

    it("an instance family that does not exist gets the nearest real type", () => {
        const groups = structured(devSource, "nodeGroups");
        groups[1].instanceTypes = ["m6ii.large"];
        expect(problemsOf(patched(devSource, "nodeGroups", groups))).toEqual([
            'eks-platform:nodeGroups[1].instanceTypes[0] = "m6ii.large": is not an EC2 instance type; did you mean `m6i.large`?',
        ]);
    });
});

describe("values AWS would reject at create time stop at config load (issue 12, item 8)", () => {
    const renamed = (stack: string) => ({ ...devSource, stack });

    it("a stack named Staging_EU: the derived bucket name breaks S3's rules", () => {
        expect(problemsOf(renamed("Staging_EU"))).toEqual([
            'eks-platform:clusterName (not set: derived from project and stack as "eks-platform-Staging_EU"): the Velero backup bucket would be named "eks-platform-Staging_EU-backups-<account-id>", which contains "S", "_", "E", "U": an S3 bucket name must be 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit; set clusterName (lowercase letters, digits and dashes) or rename the stack',
            'eks-platform:clusterName (not set: derived from project and stack as "eks-platform-Staging_EU"): the S3 access-log bucket would be named "eks-platform-Staging_EU-access-logs-<account-id>", which contains "S", "_", "E", "U": an S3 bucket name must be 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit; set clusterName (lowercase letters, digits and dashes) or rename the stack',
        ]);
    });

    it("a 45-character stack name: every derived name over its limit is named, with the limit", () => {
        const problems = problemsOf(renamed("a".repeat(45)));
        const cluster = `eks-platform-${"a".repeat(45)}`;
        expect(problems).toContain(
            `eks-platform:clusterName (not set: derived from project and stack as "${cluster}"): the Velero backup bucket would be named "${cluster}-backups-<account-id>", which has 79 characters: an S3 bucket name must be 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit; set clusterName (lowercase letters, digits and dashes) or rename the stack`,
        );
        expect(problems).toContain(
            `eks-platform:clusterName (not set: derived from project and stack as "${cluster}"): the External Secrets role would be named "${cluster}-external-secrets-operator", which has 84 characters: an IAM role name must be at most 64 letters, digits and + = , . @ _ -; set clusterName (lowercase letters, digits and dashes) or rename the stack`,
        );
        expect(problems.join("\n")).toContain("the Karpenter capacity-reservation event rule would be named");
        expect(problems.join("\n")).not.toContain("the EKS cluster would be named");
    });

    it("an explicit clusterName is judged the same way, against the node group names it is combined with", () => {
        const groups = structured(devSource, "nodeGroups");
        groups[1].name = "application-with-a-very-long-group-name";
        const problems = problemsOf(patched(patched(devSource, "clusterName", "platform-eu-west-1-dev"), "nodeGroups", groups));
        expect(problems).toEqual([
            'eks-platform:clusterName = "platform-eu-west-1-dev": the node role of node group application-with-a-very-long-group-name would be named "platform-eu-west-1-dev-application-with-a-very-long-group-name-node", which has 67 characters: an IAM role name must be at most 64 letters, digits and + = , . @ _ -; choose a shorter or plainer clusterName',
        ]);
    });

    it("azCount beyond the Region's zones names the Region's count and the source's date", () => {
        const network = { ...structured(devSource, "network"), azCount: 6 };
        expect(problemsOf(patched(devSource, "network", network))).toEqual([
            "eks-platform:network.azCount = 6: eu-west-1 has 3 Availability Zones (AWS Regions and Availability Zones guide, 'AWS Availability Zones' (AZ IDs per Region), recorded 2026-11-30); use at most 3",
        ]);
        const virginia = patched(patched(devSource, "aws:region", "us-east-1"), "network", network);
        expect(() => parsePlatformConfig(virginia)).not.toThrow();
    });

    it("a Region the table does not know passes config (the network component checks its zones at deploy)", () => {
        const network = { ...structured(devSource, "network"), azCount: 4 };
        expect(() => parsePlatformConfig(patched(patched(devSource, "aws:region", "eu-south-7"), "network", network))).not.toThrow();
    });

    it("public endpoint CIDRs that together cover the internet are refused (0.0.0.0/1 + 128.0.0.0/1)", () => {
        const endpoint = { publicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] };
        const message =
            'eks-platform:endpoint.publicAccessCidrs = ["0.0.0.0/1","128.0.0.0/1"]: together cover every IPv4 address, which opens the API server to the whole internet; list your office/VPN CIDRs instead';
        expect(problemsOf(patched(prodSource, "endpoint", endpoint))).toEqual([message]);
        expect(problemsOf(patched(devSource, "endpoint", { publicAccess: true, publicAccessCidrs: ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"] }))[0]).toMatch(
            /together cover every IPv4 address/,
        );
        expect(() => parsePlatformConfig(patched(prodSource, "endpoint", { publicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "203.0.113.0/24"] }))).not.toThrow();
    });
});
