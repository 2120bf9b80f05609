// `npm run bench:policy`: time per resource for the offline checker on 1,000 and 10,000
// generated manifests, and how policy evaluation compares with YAML parsing of the same files.
// Prints figures only.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { evaluatePolicies } from "../policy/engine";
import { expandPaths, loadStack, StackInput } from "../policy/cli/inputs";

const MANIFESTS_PER_FILE = 100;

function manifest(i: number): string {
    const namespace = `team-${i % 20}`;
    // Every third workload breaks a few rules so violation reporting is part of the cost.
    const sloppy = i % 3 === 0;
    return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ${namespace}
  labels: { app: app-${i} }
spec:
  replicas: ${sloppy ? 3 : 1}
  selector: { matchLabels: { app: app-${i} } }
  template:
    metadata: { labels: { app: app-${i} } }
    spec:
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      initContainers:
        - name: init
          image: registry.example.com/init:1.0.${i}
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
          resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { cpu: 50m, memory: 32Mi } }
      containers:
        - name: app
          image: registry.example.com/app${sloppy ? "" : `:2.${i}`}
          env:
            - { name: LOG_LEVEL, value: info }
            - { name: DB_PASSWORD, ${sloppy ? "value: hunter2" : "valueFrom: { secretKeyRef: { name: db, key: password } }"} }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: ${!sloppy}, capabilities: { drop: [ALL] } }
          resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 200m, memory: 128Mi } }
`;
}

function generate(directory: string, count: number): void {
    for (let file = 0; file * MANIFESTS_PER_FILE < count; file++) {
        const documents: string[] = [];
        for (let i = file * MANIFESTS_PER_FILE; i < Math.min(count, (file + 1) * MANIFESTS_PER_FILE); i++) documents.push(manifest(i));
        writeFileSync(path.join(directory, `manifests-${String(file).padStart(4, "0")}.yaml`), documents.join("---\n"));
    }
}

function measure(count: number): void {
    const directory = mkdtempSync(path.join(tmpdir(), `policy-bench-${count}-`));
    try {
        generate(directory, count);
        const parseStart = performance.now();
        const stacks: StackInput[] = expandPaths([directory]).map((file) => loadStack(file));
        const parseMs = performance.now() - parseStart;

        const evaluateStart = performance.now();
        let violations = 0;
        for (const stack of stacks) violations += evaluatePolicies(stack.resources).violations.length;
        const evaluateMs = performance.now() - evaluateStart;

        const resources = stacks.reduce((sum, stack) => sum + stack.resources.length, 0);
        console.log(
            [
                `${String(count).padStart(6)} manifests (${stacks.length} files):`,
                `parse ${parseMs.toFixed(0)} ms (${((parseMs * 1000) / resources).toFixed(1)} µs/resource),`,
                `evaluate ${evaluateMs.toFixed(0)} ms (${((evaluateMs * 1000) / resources).toFixed(1)} µs/resource),`,
                `total ${(((parseMs + evaluateMs) * 1000) / resources).toFixed(1)} µs/resource,`,
                `evaluate/parse ${(evaluateMs / parseMs).toFixed(2)},`,
                `${violations} violations`,
            ].join(" "),
        );
    } finally {
        rmSync(directory, { recursive: true, force: true });
    }
}

// Warm up module loading and JIT so the first size is not charged for it.
evaluatePolicies([]);
for (const count of [1_000, 10_000]) measure(count);
