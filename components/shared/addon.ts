/**
 * The one shape of a platform add-on: what it needs from the cluster (the context), what it
 * installs (`install`), and what it exports (stack outputs, and what later add-ons may use).
 * The platform installs the enabled ones in order; nothing is registered globally, and every
 * add-on builds its own typed values (no values map is merged across add-ons).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformStackOutputs } from "../../contract/outputs";
import type { AddonsConfig } from "../../config/addons";
import type { ClusterContext } from "./types";

type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/** The stack outputs an add-on may export: the contract's optional fields, present only with their add-on. */
export type AddonOutputs = Pick<PlatformStackOutputs, OptionalKeys<PlatformStackOutputs>>;

/** Where Prometheus reaches an add-on's metrics; the add-on's chart renders the ServiceMonitor. */
export interface MetricsEndpoint {
    /** Names the monitoring namespace's NetworkPolicy (`allow-scrape-<name>`). */
    name: string;
    /** For people: "Prometheus scrapes <title>". */
    title: string;
    namespace: string;
    /** The pods' metrics port (the target port, not the Service's). */
    port: number;
}

/**
 * Present when monitoring is on: the Prometheus Operator CRDs. A chart renders its
 * ServiceMonitor only then, and waits for these, never for the monitoring release.
 */
export interface ServiceMonitorSupport {
    crds: pulumi.Resource[];
}

/** The platform's ClusterSecretStore, for add-ons that sync their own secrets from Secrets Manager. */
export interface SecretStoreRef {
    storeName: pulumi.Input<string>;
    /** The Secrets Manager name prefix the store may read. */
    secretsPrefix: string;
    /** The ExternalSecret kind and its admission webhook exist once these are ready. */
    ready: pulumi.Resource[];
}

/** What the platform hands an add-on when it installs it. */
export interface AddonContext {
    cluster: ClusterContext;
    monitoring?: ServiceMonitorSupport;
    /** The metrics endpoints of every enabled add-on (what Prometheus may reach). */
    metrics: MetricsEndpoint[];
    /** The platform's secret store, once the add-on that provides it is installed. */
    secretStore?: SecretStoreRef;
}

/** What an installed add-on gives back. */
export interface AddonExports {
    outputs: AddonOutputs;
    /** For the add-ons installed after this one. */
    secretStore?: SecretStoreRef;
}

export interface PlatformAddon {
    /** Its key under `addons` in the stack config. */
    name: keyof AddonsConfig;
    metrics?: MetricsEndpoint;
    install(context: AddonContext): AddonExports;
}
