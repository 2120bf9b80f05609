// Shared reader for EC2 instance metadata options on launch templates, instances and Karpenter
// EC2NodeClasses (the same EC2 fields, with the CRD's own defaults).
import { asRecord, path, Props } from "../../lib/values";
import { INSTANCE, KARPENTER_EC2_NODE_CLASS, LAUNCH_TEMPLATE } from "./types";

/** The EC2NodeClass CRD (karpenter.k8s.aws/v1) defaults each field it leaves unset to these. */
const EC2_NODE_CLASS_DEFAULTS: Props = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };

export const METADATA_TYPES = `${LAUNCH_TEMPLATE}, ${INSTANCE}, kubernetes:karpenter.k8s.aws/*:EC2NodeClass`;

export function carriesMetadataOptions(type: string): boolean {
    return type === LAUNCH_TEMPLATE || type === INSTANCE || KARPENTER_EC2_NODE_CLASS.test(type);
}

/**
 * An instance started from a launch template inherits its metadata options; the template is
 * checked on its own, so such an instance has nothing to check here. (Only instances have a
 * launchTemplate input.)
 */
export function metadataOptionsToCheck(type: string, props: Props): { options: Props | undefined } | undefined {
    if (KARPENTER_EC2_NODE_CLASS.test(type)) {
        return { options: { ...EC2_NODE_CLASS_DEFAULTS, ...(asRecord(path(props, "spec", "metadataOptions")) ?? {}) } };
    }
    const options = asRecord(props.metadataOptions);
    if (!options && props.launchTemplate !== undefined && props.launchTemplate !== null) {
        return undefined;
    }
    return { options };
}
