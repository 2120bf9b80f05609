// The offline checker as CI runs it: a subprocess, its exit code, stdout and stderr.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import AjvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const fixtures = path.join("test", "policy", "fixtures", "checker");
const tsx = path.join(root, "node_modules", ".bin", "tsx");

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

function runChecker(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
        execFile(tsx, ["policy/cli/check.ts", ...args], { cwd: root }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
            resolve({ code, stdout, stderr });
        });
    });
}

describe.concurrent("policy:check", () => {
    it("exits 0 on a directory with only advisory findings, reading YAML, Lists and a stack export", async () => {
        const run = await runChecker("--format", "json", path.join(fixtures, "ok"));
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        const output = JSON.parse(run.stdout);
        expect(output.resources).toBe(16);
        expect(output.violations.map((v: { policy: string; enforcementLevel: string }) => [v.policy, v.enforcementLevel])).toEqual([
            ["k8s-no-inline-secret-data", "advisory"],
        ]);
    });

    it("exits 1 with a mandatory violation and prints the documented JSON shape", async () => {
        const run = await runChecker("--format", "json", path.join(fixtures, "violations"));
        expect(run.code).toBe(1);
        const output = JSON.parse(run.stdout);
        expect(Object.keys(output)).toEqual(expect.arrayContaining(["resources", "violations"]));
        expect(output.resources).toBe(3);
        const image = output.violations.find((v: { policy: string }) => v.policy === "k8s-image-pinned");
        expect(image).toEqual({
            policy: "k8s-image-pinned",
            enforcementLevel: "mandatory",
            resource: {
                type: "kubernetes:apps/v1:Deployment",
                name: "api",
                namespace: "shop",
                urn: expect.stringContaining("kubernetes:apps/v1:Deployment::shop/api"),
                file: path.join(fixtures, "violations", "noncompliant.yaml"),
                document: 1,
                line: 1,
            },
            message: expect.stringContaining("registry.example.com:5000/shop/api has neither a tag nor a digest"),
        });
        const ecr = output.violations.find((v: { policy: string }) => v.policy === "ecr-scan-on-push");
        expect(ecr.resource).toMatchObject({ type: "aws:ecr/repository:Repository", name: "app", namespace: null });
    });

    it("lets --config downgrade everything so the same input exits 0, in text format", async () => {
        const run = await runChecker("--config", path.join(fixtures, "all-advisory.json"), path.join(fixtures, "violations"));
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/^ADVISORY k8s-image-pinned: /m);
        expect(run.stdout).toMatch(/3 resource\(s\) in 2 file\(s\): 0 mandatory, 2 advisory violation\(s\), 1 not evaluated/);
    });

    it("exits 2 naming the file and document for invalid YAML, with nothing on stdout", async () => {
        const run = await runChecker(path.join(fixtures, "ok"), path.join(fixtures, "broken", "bad.yaml"));
        expect(run.code).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).toMatch(/broken\/bad\.yaml: document 2: invalid YAML/);
        expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });

    it("exits 2 for usage errors and missing paths", async () => {
        const [format, missing, none] = await Promise.all([
            runChecker("--format", "xml", fixtures),
            runChecker("does/not/exist.yaml"),
            runChecker(),
        ]);
        expect([format.code, missing.code, none.code]).toEqual([2, 2, 2]);
        expect(missing.stderr).toMatch(/does\/not\/exist\.yaml: no such file or directory/);
        expect(format.stdout + missing.stdout + none.stdout).toBe("");
    });

    it("checks manifests that name no namespace where --namespace applies them (helm template output)", async () => {
        // What `helm template velero ... --namespace velero` prints for the chart's ServiceMonitor.
        const file = path.join(mkdtempSync(path.join(tmpdir(), "checker-ns-")), "velero.yaml");
        writeFileSync(
            file,
            [
                "# Source: velero/templates/servicemonitor.yaml",
                "apiVersion: monitoring.coreos.com/v1",
                "kind: ServiceMonitor",
                "metadata: {name: velero}",
                "spec: {selector: {matchLabels: {app: velero}}, endpoints: [{port: http-monitoring}]}",
                "---",
                "apiVersion: rbac.authorization.k8s.io/v1",
                "kind: ClusterRole",
                "metadata: {name: velero-upgrade-crds}",
                "rules: [{apiGroups: [apiextensions.k8s.io], resources: [customresourcedefinitions], verbs: [get]}]",
                "",
            ].join("\n"),
        );
        const [without, within] = await Promise.all([runChecker("--format", "json", file), runChecker("--format", "json", "--namespace", "velero", file)]);
        expect(without.code).toBe(1);
        expect(JSON.parse(without.stdout).violations.map((v: { policy: string; message: string }) => `${v.policy}: ${v.message}`)).toEqual([
            "k8s-no-default-namespace: ServiceMonitor has no namespace (it would land in default)",
        ]);
        expect(within.stderr).toBe("");
        expect(within.code).toBe(0);
        expect(JSON.parse(within.stdout).violations).toEqual([]);
    });

    it("exits 2 naming the file for input with nothing to check: an empty file, /dev/null, comments only, an empty stack export", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "policy-empty-"));
        const files = {
            empty: path.join(dir, "empty.yaml"),
            comments: path.join(dir, "comments.yaml"),
            separators: path.join(dir, "separators.yml"),
            export: path.join(dir, "export.json"),
        };
        writeFileSync(files.empty, "");
        writeFileSync(files.comments, "# nothing here\n\n# still nothing\n");
        writeFileSync(files.separators, "---\n---\n");
        writeFileSync(files.export, JSON.stringify({ version: 3, deployment: { resources: [] } }));
        const runs = await Promise.all([...Object.values(files), "/dev/null"].map((file) => runChecker(file)));
        for (const [i, file] of [...Object.values(files), "/dev/null"].entries()) {
            expect(runs[i].code, file).toBe(2);
            expect(runs[i].stdout, file).toBe("");
            expect(runs[i].stderr, file).toContain(`policy:check: ${file}: nothing to check`);
        }
    });

    it("reports a pod it cannot read as a mandatory violation, never a silent pass", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "policy-malformed-"));
        const file = path.join(dir, "malformed.yaml");
        writeFileSync(
            file,
            [
                "apiVersion: v1\nkind: Pod\nmetadata: { name: nullspec, namespace: shop }\nspec: null",
                "apiVersion: v1\nkind: Pod\nmetadata: { name: oops, namespace: shop }\nspec: { containers: oops }",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: notemplate, namespace: shop }\nspec: { replicas: 1, template: [] }",
                "apiVersion: v1\nkind: Pod\nmetadata: { name: yes, namespace: shop }\nspec:\n  hostNetwork: \"yes\"\n  containers: [{ name: app, image: app:1 }]",
            ].join("\n---\n"),
        );
        const run = await runChecker("--format", "json", file);
        expect(run.code).toBe(1);
        const output = JSON.parse(run.stdout);
        const unreadable = (name: string) =>
            output.violations.filter((v: { resource: { name: string }; message: string; enforcementLevel: string }) => v.resource.name === name && v.enforcementLevel === "mandatory" && / cannot be checked: /.test(v.message));
        expect(unreadable("nullspec")[0].message).toBe("Pod cannot be checked: spec is null, expected an object");
        expect(unreadable("oops")[0].message).toBe('Pod cannot be checked: spec.containers is a string ("oops"), expected a list');
        expect(unreadable("notemplate")[0].message).toBe("Deployment cannot be checked: spec.template is a list, expected an object");
        expect(unreadable("yes").map((v: { policy: string; message: string }) => [v.policy, v.message])).toEqual([
            ["k8s-no-host-namespaces", 'Pod cannot be checked: spec.hostNetwork is a string ("yes"), expected true or false'],
        ]);
        // Every pod-template policy fails closed, not just one.
        expect(unreadable("nullspec").length).toBeGreaterThan(15);
        expect(output.violations.map((v: { resource: { document: number; line: number } }) => [v.resource.document, v.resource.line])).toContainEqual([4, 16]);
    });

    it("prints SARIF 2.1.0 that validates against the SARIF schema, with a rule per policy and each result located", async () => {
        const run = await runChecker("--format", "sarif", path.join(fixtures, "violations"), path.join(fixtures, "ok"));
        expect(run.code).toBe(1);
        const sarif = JSON.parse(run.stdout);
        const schema = JSON.parse(readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
        // The schema's language-tag pattern is not a valid regular expression with the u flag.
        const validate = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
        expect(validate(sarif), JSON.stringify(validate.errors, null, 2)).toBe(true);
        expect(validate({ ...sarif, runs: [{ ...sarif.runs[0], results: [{ ...sarif.runs[0].results[0], level: "fatal" }] }] })).toBe(false);
        const [runLog] = sarif.runs;
        expect(runLog.tool.driver.name).toBe("eks-platform-policy");
        expect(runLog.tool.driver.rules.map((r: { id: string }) => r.id)).toContain("k8s-no-privileged-containers");
        const image = runLog.results.find((r: { ruleId: string }) => r.ruleId === "k8s-image-pinned");
        expect(image).toMatchObject({
            level: "error",
            kind: "fail",
            locations: [{ physicalLocation: { artifactLocation: { uri: "test/policy/fixtures/checker/violations/noncompliant.yaml" }, region: { startLine: 1 } } }],
        });
        expect(runLog.tool.driver.rules[image.ruleIndex].id).toBe("k8s-image-pinned");
        expect(runLog.results.find((r: { ruleId: string }) => r.ruleId === "k8s-no-inline-secret-data").level).toBe("warning");
    });

    it("prints a markdown pull-request summary with the counts and the mandatory findings", async () => {
        const run = await runChecker("--format", "markdown", path.join(fixtures, "violations"));
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/^## Policy check: ❌ 2 mandatory violation\(s\)$/m);
        expect(run.stdout).toContain("| Resources checked | 3 in 2 file(s) |");
        expect(run.stdout).toMatch(/^\| `k8s-image-pinned` \| kubernetes:apps\/v1:Deployment shop\/api \| `test\/policy\/fixtures\/checker\/violations\/noncompliant.yaml:1` \| .*has neither a tag nor a digest \|$/m);
        const clean = await runChecker("--format", "markdown", path.join(fixtures, "ok"));
        expect(clean.code).toBe(0);
        expect(clean.stdout).toMatch(/^## Policy check: ✅ no mandatory violations$/m);
    });
});

describe.concurrent("policy:check on a team's load balancer manifests", () => {
    const ACM = "arn:aws:acm:eu-central-1:444455556666:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const ingress = (namespace: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: ${namespace}
  annotations:
    alb.ingress.kubernetes.io/certificate-arn: ${ACM}
spec:
  ingressClassName: alb-internet-facing
  rules:
    - host: shop.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 8443}}}}
`;
    const service = (namespace: string) => `apiVersion: v1
kind: Service
metadata:
  name: shop-tcp
  namespace: ${namespace}
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing
    service.beta.kubernetes.io/aws-load-balancer-ssl-cert: ${ACM}
    service.beta.kubernetes.io/aws-load-balancer-ssl-ports: "*"
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  selector: {app: shop}
  ports: [{name: tls, port: 443, targetPort: 8443, protocol: TCP}]
`;
    /** The Namespace as the platform renders an allowed tenant's (`kubectl get namespace -o yaml`). */
    const allowedNamespace = (name: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: {platform.eks.aws/internet-facing: allowed, pod-security.kubernetes.io/enforce: restricted}
`;
    function files(manifests: Record<string, string>): string {
        const dir = mkdtempSync(path.join(tmpdir(), "policy-check-lb-"));
        for (const [name, text] of Object.entries(manifests)) writeFileSync(path.join(dir, name), text);
        return dir;
    }
    const mandatory = (run: Run) => (JSON.parse(run.stdout).violations as Array<{ policy: string; enforcementLevel: string; message: string }>).filter((v) => v.enforcementLevel === "mandatory");

    it("refuses an internet-facing Ingress and Service in a namespace not allowed: exit 1, naming both", async () => {
        const run = await runChecker("--format", "json", files({ "shop.yaml": `${ingress("payments")}---\n${service("payments")}` }));
        expect(run.code).toBe(1);
        expect(mandatory(run).map((v) => `${v.policy}: ${v.message}`).sort()).toEqual([
            "k8s-internal-load-balancer: Ingress payments/shop is an internet-facing load balancer (IngressClass alb-internet-facing is internet-facing) in namespace payments, which may not face the internet",
            "k8s-internal-load-balancer: Service payments/shop-tcp is an internet-facing load balancer (annotation service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing) in namespace payments, which may not face the internet",
        ]);
    });

    it("passes them in an allowed tenant: with its Namespace in the input, or listed in --config", async () => {
        const withNamespace = await runChecker("--format", "json", files({ "shop.yaml": `${allowedNamespace("storefront")}---\n${ingress("storefront")}---\n${service("storefront")}` }));
        expect([withNamespace.code, withNamespace.stderr]).toEqual([0, ""]);
        expect(mandatory(withNamespace)).toEqual([]);
        const dir = files({ "shop.yaml": `${ingress("storefront")}---\n${service("storefront")}`, "lb.json": JSON.stringify({ "k8s-internal-load-balancer": { internetFacingNamespaces: ["storefront"] } }) });
        const withConfig = await runChecker("--format", "json", "--config", path.join(dir, "lb.json"), path.join(dir, "shop.yaml"));
        expect([withConfig.code, withConfig.stderr]).toEqual([0, ""]);
        const withoutConfig = await runChecker("--format", "json", path.join(dir, "shop.yaml"));
        expect(withoutConfig.code).toBe(1);
    });
});
