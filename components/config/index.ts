export { ConfigError, formatProblem } from "./errors";
export type { ConfigProblem } from "./errors";
export { parseStackConfig, PLAIN_KEYS, SECRET_KEYS, CLUSTER_TYPES } from "./stack-config";
export type {
  SecretKeyNames,
  StackConfig,
  ClusterConfig,
  ChartsConfig,
  PrometheusConfig,
  AlertmanagerConfig,
  GrafanaConfig,
  MetricsServerConfig,
  StorageConfig,
} from "./stack-config";
export {
  readLoki,
  readLogCollector,
  LOKI_MODES,
  LOKI_SCALES,
  LOKI_SCALE_PRESETS,
  LOKI_DISTRIBUTED_COMPONENTS,
  LOG_COLLECTORS,
  OBJECT_STORAGE_TYPES,
  LOKI_S3_SECRET_KEYS,
  LOKI_S3_CREDENTIALS_SECRET,
  S3_ACCESS_KEY_ID_KEY,
  S3_SECRET_ACCESS_KEY_KEY,
  DEFAULT_SCHEMA_FROM,
} from "./logging";
export type {
  LokiConfig,
  LokiMode,
  LokiScale,
  LokiDistributedComponent,
  LokiDistributedConfig,
  LokiObjectStorage,
  S3ObjectStorage,
  MinioObjectStorage,
  S3Buckets,
  S3Credentials,
  LogCollectorConfig,
  LogCollectorKind,
} from "./logging";
export { loadStackConfig, PROJECT } from "./load";
export type { StackSecrets } from "./load";
export { CONTAINER_IDS, DEFAULT_RESOURCES, SIZINGS, toK8s } from "./sizing";
export type { ContainerId, ContainerResources, K8sResources, Sizing } from "./sizing";
export { parseQuantity } from "./quantity";
export { durationSeconds, goDuration } from "./duration";
export { TRACE_STORAGE_KINDS, TRACING_ES_PASSWORD_KEY, TRACING_ES_STACK_USER } from "./tracing";
export type {
  TraceStorageKind,
  TracingCollectorConfig,
  TracingConfig,
  TracingElasticsearchConfig,
  TracingExporterConfig,
} from "./tracing";
export { readDashboards, SEED_COMMUNITY_DASHBOARDS } from "./dashboards";
export type { CommunityDashboard, DashboardsConfig } from "./dashboards";
export {
  readAlerting,
  receiverSecret,
  durationMs,
  NULL_RECEIVER,
  RECEIVER_TYPES,
  RULE_DEFAULTS,
  SEVERITIES,
  MATCH_TYPES,
} from "./alerting";
export type {
  AlertingConfig,
  AlertRuleConfig,
  AlertRulesConfig,
  ChildRouteConfig,
  EmailReceiver,
  InhibitionConfig,
  MatcherConfig,
  PagerDutyReceiver,
  ReceiverConfig,
  ReceiverType,
  RouteConfig,
  RuleName,
  Severity,
  SlackReceiver,
  ThresholdRuleConfig,
} from "./alerting";
export { ELASTIC_ROLES, ELASTIC_VERSIONS, esTimeSeconds, nodesListing } from "./elastic";
export type { ElasticConfig, ElasticIlmConfig, ElasticNodeSet, ElasticRole, ElasticVersion } from "./elastic";
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
export { readThanos, THANOS_S3_SECRET_KEYS, THANOS_S3_CREDENTIALS_SECRET } from "./thanos";
export type { ThanosConfig, ThanosCredentials, ThanosObjectStorage, ThanosRetention } from "./thanos";
