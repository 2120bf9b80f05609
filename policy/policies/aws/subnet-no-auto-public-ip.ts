// A subnet that maps public IPs on launch gives one to every instance started in it, nodes
// included, whatever their launch template forgot to say.
import { awsFsbp, checkov, prowler } from "../../lib/frameworks";
import { defineResourcePolicy, ofTypes } from "../../lib/policy";
import { SUBNET } from "./types";

export const subnetNoAutoPublicIp = defineResourcePolicy(
    {
        name: "subnet-no-auto-public-ip",
        description: "Subnets must not assign public IPv4 addresses on launch (mapPublicIpOnLaunch).",
        severity: "medium",
        enforcementLevel: "mandatory",
        frameworks: [
            awsFsbp("EC2.15", "EC2 subnets should not automatically assign public IP addresses"),
            checkov("CKV_AWS_130", "Ensure VPC subnets do not assign public IP by default"),
            prowler("vpc_subnet_no_public_ip_by_default", "VPC subnet does not assign public IP addresses by default"),
        ],
        appliesTo: SUBNET,
        remediation: "Set `mapPublicIpOnLaunch: false`; load balancers get their public addresses explicitly.",
    },
    {
        appliesTo: ofTypes(SUBNET),
        check(resource) {
            if (resource.props.mapPublicIpOnLaunch === true) resource.report("subnet assigns public IP addresses on launch");
        },
    },
);
