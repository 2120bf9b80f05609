/**
 * The real deployment test (issue 8). Given AWS credentials and a Pulumi backend it:
 *   1. creates an ephemeral stack `it-<suffix>` from Pulumi.dev.yaml (ephemeralStackConfig),
 *   2. runs `up` with the policy pack (policyPacks: ["policy"]),
 *   3. checks the cluster through the kubeconfig output with kubectl: nodes Ready on both node
 *      groups, every add-on's pods Ready, a Velero backup and restore of a namespace round-trips,
 *   4. ALWAYS destroys the stack and removes it (afterAll), emptying the Velero bucket first.
 *
 * Run with `npm run test:integration`. Without credentials the globalSetup (preflight.ts)
 * exits 78 with a NOT RUN banner before this file loads; if this file is ever run another way
 * without credentials, its only test FAILS with the same banner (never passes, never skips).
 *
 * Environment (all optional except credentials and backend):
 *   IT_STACK_SUFFIX     lowercase letters/digits; default: UTC timestamp (CI passes the run id)
 *   IT_AWS_REGION       default: AWS_REGION, else the dev stack's region
 *   IT_ADMIN_ROLE_ARN   the runner's role ARN; default: derived from `aws sts get-caller-identity`
 *   IT_API_ALLOW_CIDRS  comma-separated allow-list for the public endpoint; default: this host's egress IP /32
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
    ADDON_NAMESPACES,
    backupManifest,
    configMapMatches,
    deleteObjectsPayloads,
    nodesReady,
    podsReady,
    restoreManifest,
    VELERO_NAMESPACE,
    veleroBucketNames,
    veleroPhase,
    type PhaseCheck,
    type Readiness,
} from "./checks";
import { detectCredentials, notRunBanner, roleArnFromCallerArn } from "./credentials";
import { toolsOnPath } from "./preflight";
import { platformPolicyConfigPathFor } from "../../policy/engine";
import { ephemeralStackConfig, ephemeralStackName, timestampSuffix, type StackFileConfig } from "./stackConfig";

const root = path.resolve(__dirname, "..", "..");
const report = detectCredentials(process.env, toolsOnPath());
const MINUTE = 60_000;

function run(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
    const result = spawnSync(command, args, { encoding: "utf8", input: options.input, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.trim()}`);
    return result.stdout;
}

async function waitFor<T>(what: string, probe: () => T, done: (value: T) => boolean, timeoutMs: number, describeValue: (value: T) => string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    let lastError: unknown;
    while (Date.now() < deadline) {
        try {
            last = probe();
            lastError = undefined;
            if (done(last)) return last;
        } catch (error) {
            lastError = error;
        }
        await new Promise((resolve) => setTimeout(resolve, 15_000));
    }
    const detail = last !== undefined ? describeValue(last) : String(lastError);
    throw new Error(`timed out after ${Math.round(timeoutMs / MINUTE)} min waiting for ${what}: ${detail}`);
}

const readinessText = (r: Readiness) => `${r.ready}/${r.total} ready; ${r.problems.join("; ")}`;

if (!report.ready) {
    describe("real deployment (ephemeral stack)", () => {
        it("NOT RUN: credentials or tools are missing", () => {
            throw new Error(notRunBanner(report.missing));
        });
    });
} else {
    describe("real deployment (ephemeral stack)", () => {
        const suffix = process.env.IT_STACK_SUFFIX?.trim() || timestampSuffix(new Date());
        const stackName = ephemeralStackName(suffix);
        const stackFile = path.join(root, `Pulumi.${stackName}.yaml`);
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${stackName}-`));
        const kubeconfigPath = path.join(tmp, "kubeconfig.json");
        let stack: Stack | undefined;
        let upError: unknown;

        const kubectl = (args: string[], input?: string) => run("kubectl", args, { input, env: { ...process.env, KUBECONFIG: kubeconfigPath } });
        const kubectlJson = (args: string[]): unknown => JSON.parse(kubectl([...args, "-o", "json"]));

        beforeAll(async () => {
            try {
                const devConfig = (parse(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8")) as { config: StackFileConfig }).config;
                const adminRoleArn = process.env.IT_ADMIN_ROLE_ARN?.trim() || roleArnFromCallerArn(run("aws", ["sts", "get-caller-identity", "--query", "Arn", "--output", "text"]).trim());
                const allow = process.env.IT_API_ALLOW_CIDRS?.trim();
                const publicAccessCidrs = allow ? allow.split(",").map((c) => c.trim()) : [`${(await (await fetch("https://checkip.amazonaws.com")).text()).trim()}/32`];
                const region = process.env.IT_AWS_REGION?.trim() || process.env.AWS_REGION?.trim() || undefined;
                const config = ephemeralStackConfig(devConfig, { suffix, region, adminRoleArn, publicAccessCidrs });

                console.log(`== creating stack ${stackName} (cluster ${String(config["eks-platform:clusterName"])}, region ${String(config["aws:region"])})`);
                const workspace = await LocalWorkspace.create({ workDir: root, secretsProvider: process.env.PULUMI_SECRETS_PROVIDER });
                await workspace.createStack(stackName);
                await workspace.saveStackSettings(stackName, { config });
                stack = await LocalWorkspace.selectStack({ stackName, workDir: root }, { secretsProvider: process.env.PULUMI_SECRETS_PROVIDER });

                console.log(`== pulumi up --policy-pack policy (${stackName})`);
                const result = await stack.up({
                    policyPacks: [path.join(root, "policy")],
                    // The levels of the stack's environment, as CI's `pulumi up` uses them.
                    policyPackConfigs: [platformPolicyConfigPathFor(config["eks-platform:environment"])],
                    onOutput: (out) => process.stdout.write(out),
                    color: "never",
                });
                console.log(`== up: ${result.summary.result}, ${JSON.stringify(result.summary.resourceChanges)}`);
                const kubeconfig = result.outputs.kubeconfig?.value as unknown;
                if (kubeconfig === undefined) throw new Error("the stack has no kubeconfig output");
                fs.writeFileSync(kubeconfigPath, typeof kubeconfig === "string" ? kubeconfig : JSON.stringify(kubeconfig), { mode: 0o600 });
            } catch (error) {
                upError = error;
            }
        });

        afterAll(async () => {
            try {
                if (stack === undefined) return;
                // The program never force-destroys the Velero bucket; empty it so the destroy can delete it.
                try {
                    const state = await stack.exportStack();
                    for (const bucket of veleroBucketNames(state.deployment)) {
                        const versions = JSON.parse(run("aws", ["s3api", "list-object-versions", "--bucket", bucket, "--output", "json"]) || "{}");
                        for (const payload of deleteObjectsPayloads(versions)) {
                            const file = path.join(tmp, "delete.json");
                            fs.writeFileSync(file, JSON.stringify(payload));
                            run("aws", ["s3api", "delete-objects", "--bucket", bucket, "--delete", `file://${file}`]);
                        }
                        console.log(`== emptied Velero bucket ${bucket}`);
                    }
                } catch (error) {
                    console.error(`!! could not empty the Velero bucket before destroy: ${String(error)}`);
                }
                console.log(`== pulumi destroy --remove (${stackName})`);
                await stack.destroy({ onOutput: (out) => process.stdout.write(out), color: "never", remove: true });
                console.log(`== stack ${stackName} destroyed and removed`);
            } catch (error) {
                console.error(
                    [
                        "#".repeat(78),
                        `#  DESTROY OF ${stackName} FAILED: cloud resources may be left behind.`,
                        `#  Clean up with: pulumi destroy --stack ${stackName} --yes --remove`,
                        "#".repeat(78),
                    ].join("\n"),
                );
                throw error;
            } finally {
                fs.rmSync(tmp, { recursive: true, force: true });
                fs.rmSync(stackFile, { force: true });
            }
        });

        const requireUp = () => {
            if (upError !== undefined) throw upError;
        };

        it("pulumi up with the policy pack succeeds", () => {
            requireUp();
            expect(fs.existsSync(kubeconfigPath)).toBe(true);
        });

        it("nodes are Ready on both node groups", async () => {
            requireUp();
            for (const role of ["system", "application"] as const) {
                const result = await waitFor(`${role} nodes`, () => nodesReady(kubectlJson(["get", "nodes"]), role), (r) => r.ok, 15 * MINUTE, readinessText);
                console.log(`   ${role} nodes: ${result.ready}/${result.total} Ready`);
            }
        });

        it("every add-on's pods are Ready", async () => {
            requireUp();
            for (const namespace of ADDON_NAMESPACES) {
                const result = await waitFor(`pods in ${namespace}`, () => podsReady(kubectlJson(["get", "pods", "-n", namespace])), (r) => r.ok, 15 * MINUTE, readinessText);
                console.log(`   ${namespace}: ${result.ready}/${result.total} pods Ready`);
            }
        });

        it("a Velero backup and restore of a test namespace round-trips", async () => {
            requireUp();
            const namespace = `it-restore-${suffix}`;
            const name = `it-${suffix}`;
            const data = { run: suffix, payload: "velero round trip" };
            const phase = (kind: "Backup" | "Restore") => () => veleroPhase(kubectlJson(["get", kind.toLowerCase() + "s.velero.io", name, "-n", VELERO_NAMESPACE]), kind);
            const finished = (c: PhaseCheck) => c.done;

            kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }));
            kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "roundtrip", namespace }, data }));

            kubectl(["apply", "-f", "-"], JSON.stringify(backupManifest(name, namespace)));
            const backup = await waitFor("the backup", phase("Backup"), finished, 10 * MINUTE, (c) => c.detail);
            expect(backup.ok, backup.detail).toBe(true);

            kubectl(["delete", "namespace", namespace, "--wait=true", "--timeout=5m"]);
            kubectl(["apply", "-f", "-"], JSON.stringify(restoreManifest(name, name, namespace)));
            const restore = await waitFor("the restore", phase("Restore"), finished, 10 * MINUTE, (c) => c.detail);
            expect(restore.ok, restore.detail).toBe(true);

            const check = configMapMatches(kubectlJson(["get", "configmap", "roundtrip", "-n", namespace]), data);
            expect(check.ok, check.detail).toBe(true);
            console.log(`   ${check.detail}`);
        });
    });
}
