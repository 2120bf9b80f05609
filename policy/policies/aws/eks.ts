// One reader for the EKS cluster settings the pack judges, whether they sit on a raw
// aws.eks.Cluster (endpoint settings under vpcConfig) or on the @pulumi/eks component (top level).
import { asRecord, Props, stringList } from "../../lib/values";
import { AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER } from "./types";

export const EKS_CLUSTER_TYPES = [AWS_EKS_CLUSTER, EKS_COMPONENT_CLUSTER];

export interface EndpointSettings {
    /** EKS default: false. */
    privateAccess: boolean;
    /** EKS default: true. */
    publicAccess: boolean;
    /** Unset means 0.0.0.0/0. */
    publicAccessCidrs: string[];
}

export function endpointSettings(type: string, props: Props): EndpointSettings {
    const settings = type === AWS_EKS_CLUSTER ? (asRecord(props.vpcConfig) ?? {}) : props;
    return {
        privateAccess: settings.endpointPrivateAccess === true,
        publicAccess: settings.endpointPublicAccess !== false,
        publicAccessCidrs: stringList(settings.publicAccessCidrs),
    };
}

/** The eks.Cluster component reports its own aws.eks.Cluster child in a real preview: judge the logical cluster once. */
export function isComponentChild(resource: { parent?: { type: string } }): boolean {
    return resource.parent?.type === EKS_COMPONENT_CLUSTER;
}
