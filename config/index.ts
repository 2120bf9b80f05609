export { ConfigError, loadPlatformConfig, parsePlatformConfig } from "./load";
export type { PlatformConfig, RawConfigSource } from "./load";
export { PLATFORM_NAMESPACES } from "./namespaces";
export type { NodeGroupConfig } from "./nodeGroups";
export type { TenantConfig } from "./tenants";
export type { AddonsConfig, KarpenterConfig, ExternalSecretsConfig, VeleroConfig, TrivyConfig, MonitoringConfig, AwsLoadBalancerControllerConfig } from "./addons";
