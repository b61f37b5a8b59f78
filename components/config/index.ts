export { ConfigError, formatProblem } from "./errors";
export type { ConfigProblem } from "./errors";
export { parseStackConfig, PLAIN_KEYS, SECRET_KEYS, CLUSTER_TYPES } from "./stack-config";
export type {
  StackConfig,
  ClusterConfig,
  ChartsConfig,
  PrometheusConfig,
  AlertmanagerConfig,
  GrafanaConfig,
  MetricsServerConfig,
  StorageConfig,
} from "./stack-config";
export { loadStackConfig, PROJECT } from "./load";
export type { StackSecrets } from "./load";
export { CONTAINER_IDS, DEFAULT_RESOURCES, SIZINGS, toK8s } from "./sizing";
export type { ContainerId, ContainerResources, K8sResources, Sizing } from "./sizing";
export { parseQuantity } from "./quantity";
export {
  readMesh,
  MTLS_MODES,
  MTLS_EXCEPTION_MODES,
  GATEWAY_SERVICE_TYPES,
  SYSTEM_NAMESPACES,
  STACK_NAMESPACES,
  DEFAULT_TRACING_ENDPOINT,
} from "./mesh";
export type {
  MeshConfig,
  MeshContext,
  MeshTracingConfig,
  MtlsConfig,
  MtlsException,
  MtlsMode,
  MtlsExceptionMode,
  GatewayServiceType,
  CanaryConfig,
} from "./mesh";
