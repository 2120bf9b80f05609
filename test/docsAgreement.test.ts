/**
 * Documentation that states what the code does is checked against the code: subnet tags
 * against the plan, the workflow's header and docs against the workflow, shell examples
 * against how npm and pulumi behave. (Config defaults and required keys: test/docs.test.ts.)
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { evaluatePolicies } from "../policy/engine";
import { planStack } from "./harness";

const ROOT = join(__dirname, "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

function markdownFiles(dir: string): string[] {
    return readdirSync(join(ROOT, dir)).flatMap((entry) => {
        const path = join(dir, entry);
        if (entry === "node_modules" || entry.startsWith(".")) return [];
        if (statSync(join(ROOT, path)).isDirectory()) return markdownFiles(path);
        return entry.endsWith(".md") ? [path] : [];
    });
}

/** README, docs/ and examples/: what a user reads. */
const DOCS = ["README.md", ...markdownFiles("docs"), ...markdownFiles("examples")];

/** Shell commands as the docs show them: lines of fenced blocks and inline code spans. */
function shellSnippets(markdown: string): string[] {
    const fenced = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) => m[1].split("\n"));
    const inline = [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
    return [...fenced, ...inline].map((line) => line.replace(/#.*$/, "").trim()).filter(Boolean);
}

describe("existing-VPC subnet tags in the README are the tags the platform gives its own subnets", () => {
    it("the README table lists exactly the subnet-specific tags of the dev plan's subnets", async () => {
        const { recorded, plan } = await planStack("dev");
        const clusterName = "eks-platform-dev";
        expect(plan.source.stack).toBe("dev");
        const vpcTags = recorded.one("aws:ec2/vpc:Vpc").inputs.tags as Record<string, string>;
        const rows = new Set<string>();
        for (const subnet of recorded.ofType("aws:ec2/subnet:Subnet")) {
            const kind = subnet.name.includes("private") ? "private (`privateSubnetIds`)" : "public (`publicSubnetIds`)";
            for (const [key, value] of Object.entries(subnet.inputs.tags as Record<string, string>)) {
                if (key === "Name" || vpcTags[key] === value) continue;
                const placeholder = (text: string) => text.replaceAll(clusterName, "<clusterName>");
                rows.add(`| ${kind} | \`${placeholder(key)}\` | \`${placeholder(value)}\` |`);
            }
        }
        const readme = read("README.md");
        const table = readme.slice(readme.indexOf("<!-- subnet-tags:start -->"), readme.indexOf("<!-- subnet-tags:end -->"));
        const documented = table
            .split("\n")
            .filter((line) => /^\| (private|public) /.test(line))
            .map((line) => line.split("|").slice(0, 4).join("|") + "|");
        expect(rows.size).toBe(5);
        expect(documented.sort()).toEqual([...rows].sort());
    });

    it("the existing-network schema points at that README section", () => {
        expect(read("config/network.ts")).toContain("they must already carry the tags listed in the README");
        expect(read("README.md")).toMatch(/### Existing VPC: subnet tags/);
    });
});

describe("shell examples in the docs work as written", () => {
    it.each(DOCS)("%s: npm output that is redirected or piped is run with --silent (else npm's banner lands in it)", (file) => {
        const offending = shellSnippets(read(file)).filter(
            (line) => /\bnpm (run|test|exec|start)\b/.test(line) && /(^|[^0-9&])>(?!&)|\|(?!\|)/.test(line.replace(/<[^>\s]+>/g, "")) && !/\s(--silent|-s)\b/.test(line),
        );
        expect(offending).toEqual([]);
    });

    it.each(DOCS)("%s: `pulumi stack select` creates the stack when it does not exist yet", (file) => {
        const lines = shellSnippets(read(file));
        const offending = lines.filter((line, index) => {
            const select = /^pulumi stack select\s+(?!-)(\S+)/.exec(line);
            if (!select || /\s(--create|-c)\b/.test(line)) return false;
            return !lines.slice(0, index).some((earlier) => earlier.startsWith(`pulumi stack init ${select[1]}`));
        });
        expect(offending).toEqual([]);
    });

    it("the README shows the redirect of the plan's JSON with --silent", () => {
        expect(read("README.md")).toContain("npm run --silent plan -- --stack dev --json > plan-dev.json");
    });
});

describe("the workflow's header and the docs name its variables, secrets and inputs as the jobs read them", () => {
    const text = read(".github/workflows/platform.yaml");
    const workflow = parse(text) as { on: { workflow_dispatch?: { inputs?: Record<string, unknown> } } };
    const used = (kind: "vars" | "secrets") => [...new Set([...text.matchAll(new RegExp(`\\b${kind}\\.([A-Z][A-Z0-9_]*)`, "g"))].map((m) => m[1]))].sort();
    const inputs = Object.keys(workflow.on.workflow_dispatch?.inputs ?? {}).sort();

    /** The header's sections: `#   <section>  NAME  description`, continued by `#<25 spaces>NAME  ...`. */
    function headerSections(): Record<string, string[]> {
        const header = text.slice(0, text.indexOf("\nname:")).split("\n");
        const sections: Record<string, string[]> = {};
        let current = "";
        for (const line of header) {
            const heading = /^# {3}([a-z][a-z ]+?) {2,}([A-Za-z_][A-Za-z0-9_]*)\s/.exec(line);
            const continued = /^# {25}([A-Za-z_][A-Za-z0-9_]*)\s/.exec(line);
            if (heading) {
                current = heading[1];
                sections[current] = [heading[2]];
            } else if (continued && current) {
                sections[current].push(continued[1]);
            } else if (!/^# {26,}/.test(line)) {
                current = "";
            }
        }
        return sections;
    }

    it("every variable the jobs read is listed as a repository variable, and nothing else is", () => {
        expect(used("vars").length).toBeGreaterThan(3);
        expect(headerSections()["repository variables"].sort()).toEqual(used("vars"));
    });

    it("every secret the jobs read is listed as a repository secret, and nothing else is", () => {
        expect(headerSections()["repository secrets"].sort()).toEqual(used("secrets"));
    });

    it("every workflow_dispatch input is listed", () => {
        expect(inputs).toEqual(["images"]);
        expect(headerSections()["dispatch inputs"].sort()).toEqual(inputs);
    });

    it.each(DOCS)("%s calls each workflow variable a variable and each secret a secret", (file) => {
        const wrong = read(file)
            .split("\n")
            .flatMap((line) => [
                ...used("vars").filter((name) => line.includes(name) && /\bsecrets?\b/i.test(line) && !/\bvariables?\b/i.test(line)).map((name) => `${name} called a secret: ${line}`),
                ...used("secrets").filter((name) => line.includes(name) && /\bvariables?\b/i.test(line) && !/\bsecrets?\b/i.test(line)).map((name) => `${name} called a variable: ${line}`),
            ]);
        expect(wrong, relative(ROOT, join(ROOT, file))).toEqual([]);
    });
});

describe("docs/tenants.md, Exposing a service: its manifests are judged by the pack as the page says", () => {
    const section = read("docs/tenants.md").split("## Exposing a service")[1].split("\n## ")[0];
    const manifests = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)]
        .map((m) => parse(m[1]) as { apiVersion?: string; kind?: string; metadata?: { name: string; namespace: string } })
        .filter((doc) => doc.kind !== undefined);
    const resource = (doc: (typeof manifests)[number]) => {
        const [group, version] = doc.apiVersion!.includes("/") ? doc.apiVersion!.split("/") : ["core", doc.apiVersion!];
        const type = `kubernetes:${group}/${version}:${doc.kind}`;
        return { urn: `urn:pulumi:docs::tenants::${type}::${doc.metadata!.name}`, type, name: doc.metadata!.name, props: doc as Record<string, unknown> };
    };
    const refusals = (allowed: string[]) => {
        const report = evaluatePolicies(manifests.map(resource), { "k8s-internal-load-balancer": { internetFacingNamespaces: allowed } });
        return report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.message);
    };

    it("shows an internal and an internet-facing Ingress and Service", () => {
        expect(manifests.map((m) => `${m.kind} ${m.metadata!.namespace}/${m.metadata!.name}`)).toEqual([
            "Ingress payments/payments-api",
            "Ingress storefront/shop",
            "Service payments/ledger",
            "Service storefront/shop-tls",
        ]);
    });

    it("all pass where storefront may face the internet; without that, exactly the two internet-facing ones are refused", () => {
        expect(refusals(["storefront"])).toEqual([]);
        expect(refusals([]).map((m) => m.split(" is ")[0]).sort()).toEqual(["Ingress storefront/shop", "Service storefront/shop-tls"]);
    });
});
