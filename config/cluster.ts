import { z } from "zod";
import { cidrProblem } from "./cidr";

/** Kubernetes versions this release of the platform is tested with (EKS standard support, Karpenter 1.14). */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34", "1.35"] as const;

const OPEN_TO_THE_WORLD = ["0.0.0.0/0", "::/0"];

const iamRoleArn = z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/, "must be an IAM role ARN such as arn:aws:iam::123456789012:role/name");

export const endpointSchema = z
    .strictObject({
        publicAccess: z.boolean().default(false).describe("Expose the API server endpoint publicly (private access is always on)."),
        publicAccessCidrs: z
            .array(
                z.string().superRefine((value, ctx) => {
                    // The world-open forms are accepted here to be refused with their own message (schema.ts).
                    const problem = OPEN_TO_THE_WORLD.includes(value) ? undefined : cidrProblem(value);
                    if (problem) ctx.addIssue({ code: "custom", message: problem });
                }),
            )
            .default([])
            .describe("Allow-list for the public endpoint; required when publicAccess is true."),
    })
    .superRefine((endpoint, ctx) => {
        if (endpoint.publicAccess && endpoint.publicAccessCidrs.length === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["publicAccessCidrs"],
                message: "must list at least one CIDR when publicAccess is true (an empty list means open to the world)",
            });
        }
        if (!endpoint.publicAccess && endpoint.publicAccessCidrs.length > 0) {
            ctx.addIssue({ code: "custom", path: ["publicAccessCidrs"], message: "is set but publicAccess is false; remove it or enable publicAccess" });
        }
    });

export const accessSchema = z
    .strictObject({
        platformAdminRoleArns: z
            .array(iamRoleArn)
            .min(1, "needs at least one platform admin role, or nobody can administer the cluster")
            .describe("IAM roles that get the EKS cluster-admin access policy."),
        developerRoleArns: z.array(iamRoleArn).default([]).describe("IAM roles mapped to the `platform:developers` Kubernetes group."),
        viewerRoleArns: z.array(iamRoleArn).default([]).describe("IAM roles mapped to the `platform:viewers` Kubernetes group (read-only, no Secrets)."),
        ciRoleArns: z.array(iamRoleArn).default([]).describe("IAM roles of CI deployers, mapped to `platform:ci-deployers`."),
        deployerRoleArn: iamRoleArn.describe(
            "The IAM role that runs `pulumi up` and creates the cluster. EKS makes it cluster admin through the creator's bootstrap access entry; it may also be listed above (no second entry is created). A new cluster is refused when another principal runs `pulumi up`.",
        ),
        breakGlassRoleArn: iamRoleArn.describe("The one human role besides Velero that may read backups (break-glass)."),
    })
    .superRefine((access, ctx) => {
        // EKS allows one access entry per IAM principal and cluster: a role listed twice would fail
        // `pulumi up`. The deployer may appear in one list: its grants merge into EKS's bootstrap entry.
        const lists = ["platformAdminRoleArns", "developerRoleArns", "viewerRoleArns", "ciRoleArns"] as const;
        const firstSeen = new Map<string, string>();
        for (const list of lists) {
            access[list].forEach((arn, index) => {
                const where = `${list}[${index}]`;
                const first = firstSeen.get(arn);
                if (first !== undefined) {
                    ctx.addIssue({ code: "custom", path: [list, index], message: `${arn} is already granted by ${first}; a role may appear in only one access list` });
                } else {
                    firstSeen.set(arn, where);
                }
            });
        }
    });

export const OPEN_CIDRS = OPEN_TO_THE_WORLD;
export type EndpointConfig = z.infer<typeof endpointSchema>;
export type AccessConfig = z.infer<typeof accessSchema>;
