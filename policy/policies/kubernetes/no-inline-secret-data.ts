// A Kubernetes Secret with inline data keeps its value in the program and the Pulumi state;
// an ExternalSecret keeps it in AWS Secrets Manager.
import { cisEks } from "../../lib/frameworks";
import { isKind } from "../../lib/kubernetes";
import { defineResourcePolicy } from "../../lib/policy";
import { asRecord } from "../../lib/values";

export const noInlineSecretData = defineResourcePolicy(
    {
        name: "k8s-no-inline-secret-data",
        description: "Kubernetes Secrets should not carry inline data or stringData; prefer an ExternalSecret.",
        severity: "medium",
        enforcementLevel: "advisory",
        frameworks: [cisEks("4.4.2", "Consider external secret storage")],
        appliesTo: "Secret",
        remediation: "Replace the Secret with an ExternalSecret backed by AWS Secrets Manager.",
    },
    {
        appliesTo: (type) => isKind(type, "Secret"),
        check(resource) {
            for (const field of ["data", "stringData"]) {
                const keys = Object.keys(asRecord(resource.props[field]) ?? {});
                if (keys.length > 0) resource.report(`Secret has inline ${field} (${keys.join(", ")})`);
            }
        },
    },
);
