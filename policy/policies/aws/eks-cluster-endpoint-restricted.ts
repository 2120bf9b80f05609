// A public API endpoint open to the internet exposes the control plane to credential stuffing
// and to every future API-server vulnerability. Public access defaults to on, and its CIDR list
// defaults to 0.0.0.0/0, so "unset" is "open". The list is judged as a whole: 0.0.0.0/1 plus
// 128.0.0.0/1 is the internet too.
import { describeInternet, opensToInternet } from "../../lib/cidr";
import { checkov, cisEks, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { EKS_CLUSTER_TYPES, endpointSettings } from "./eks";

export const eksClusterEndpointRestricted = defineResourcePolicy(
    {
        name: "eks-cluster-endpoint-restricted",
        description: "A public EKS API endpoint must be limited to CIDRs that together fall short of the internet (no 0.0.0.0/0, ::/0 or an equivalent union).",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("5.4.1", "Restrict Access to the Control Plane Endpoint"),
            checkov("CKV_AWS_38", "Ensure Amazon EKS public endpoint not accessible to 0.0.0.0/0"),
            prowler("eks_cluster_not_publicly_accessible", "EKS cluster endpoint is not publicly accessible from 0.0.0.0/0"),
        ],
        appliesTo: EKS_CLUSTER_TYPES.join(", "),
        remediation: "Set `endpointPublicAccess: false`, or `publicAccessCidrs` to your office/VPN ranges.",
    },
    {
        appliesTo: ofTypes(...EKS_CLUSTER_TYPES),
        check(resource) {
            const settings = endpointSettings(resource.type, resource.props);
            if (!settings.publicAccess) return;
            const cidrs = settings.publicAccessCidrs;
            if (cidrs.length === 0) resource.report("EKS cluster has a public endpoint without publicAccessCidrs");
            else if (opensToInternet(cidrs)) resource.report(`EKS cluster public endpoint is open to ${describeInternet(cidrs)}`);
        },
    },
);
