import { z } from "zod";
import { isIpv4Cidr } from "./cidr";

/** GitHub's own runner images: their egress addresses are anyone's, and they are never inside your VPC. */
export const GITHUB_HOSTED_LABEL = /^(ubuntu|windows|macos)-/;

/**
 * Where the workflow previews and deploys this stack from. Every Kubernetes resource is applied
 * through the API server, so the runner must reach it: from inside the VPC through the private
 * endpoint, or through the public endpoint from addresses on its allow-list.
 */
export const deployRunnerSchema = z
    .strictObject({
        labels: z
            .array(z.string().min(1))
            .min(1, "needs at least one runs-on label")
            .describe("`runs-on` labels of the GitHub Actions runner that previews and deploys this stack (`.github/workflows/platform.yaml` reads them)."),
        network: z
            .enum(["vpc", "public"])
            .describe(
                "How the runner reaches the API server: `vpc`: from inside the cluster's VPC (or a network routed to it) through the private endpoint; `public`: through the public endpoint.",
            ),
        sourceCidrs: z
            .array(z.string().refine(isIpv4Cidr, "must be an IPv4 CIDR"))
            .min(1, "must list the addresses the runner connects from")
            .describe(
                "Where the runner connects from. `vpc`: its private addresses; the program opens 443 on the cluster security group to them. `public`: its egress addresses, each inside `endpoint.publicAccessCidrs`.",
            ),
    })
    .describe("The GitHub Actions runner that previews and deploys this stack; the workflow refuses a stack without one.");

export type DeployRunnerConfig = z.infer<typeof deployRunnerSchema>;
