// Shared reader for EC2 instance metadata options on launch templates and instances.
import { asRecord, Props } from "../../lib/values";
import { INSTANCE } from "./types";

/**
 * An instance started from a launch template inherits its metadata options; the template is
 * checked on its own, so such an instance has nothing to check here.
 */
export function metadataOptionsToCheck(type: string, props: Props): { options: Props | undefined } | undefined {
    const options = asRecord(props.metadataOptions);
    if (type === INSTANCE && !options && props.launchTemplate !== undefined && props.launchTemplate !== null) {
        return undefined;
    }
    return { options };
}
