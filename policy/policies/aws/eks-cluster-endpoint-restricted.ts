// A public API endpoint open to the internet exposes the control plane to credential stuffing
// and to every future API-server vulnerability. Public access defaults to on, and its CIDR list
// defaults to 0.0.0.0/0, so "unset" is "open".
import { opensToWorld } from "../../lib/aws";
import { awsFsbp, cisEks } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { asRecord, Props, stringList } from "../../lib/values";
import { AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER } from "./types";

function endpointSettings(type: string, props: Props): Props | undefined {
    return type === AWS_EKS_CLUSTER ? asRecord(props.vpcConfig) : props;
}

export const eksClusterEndpointRestricted = defineResourcePolicy(
    {
        name: "eks-cluster-endpoint-restricted",
        description: "A public EKS API endpoint must be limited to a CIDR list without 0.0.0.0/0 or ::/0.",
        severity: "high",
        enforcementLevel: "mandatory",
        frameworks: [
            cisEks("5.4.1", "Restrict Access to the Control Plane Endpoint"),
            cisEks("5.4.2", "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled"),
            awsFsbp("EKS.1", "EKS cluster endpoints should not be publicly accessible"),
        ],
        appliesTo: `${AWS_EKS_CLUSTER}, ${EKS_COMPONENT_CLUSTER}`,
        remediation: "Set `endpointPublicAccess: false`, or `publicAccessCidrs` to your office/VPN ranges.",
    },
    {
        appliesTo: ofTypes(AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER),
        check(resource) {
            const settings = endpointSettings(resource.type, resource.props);
            if (settings?.endpointPublicAccess === false) return;
            const cidrs = stringList(settings?.publicAccessCidrs);
            if (cidrs.length === 0) resource.report("EKS cluster has a public endpoint without publicAccessCidrs");
            else if (opensToWorld(cidrs)) resource.report(`EKS cluster public endpoint is open to ${cidrs.join(", ")}`);
        },
    },
);
