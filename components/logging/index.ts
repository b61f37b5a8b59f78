export {
  Loki,
  LOKI_RELEASE,
  LOKI_GATEWAY_SERVICE,
  LOKI_DATASOURCE_UID,
  TENANT_HEADER,
  lokiGatewayUrl,
  lokiPushUrl,
  lokiDatasource,
  lokiServiceMonitor,
} from "./loki";
export type { LokiArgs } from "./loki";
export {
  lokiValues,
  lokiTargetComponents,
  memcachedMegabytes,
  LOKI_CONTAINERS,
  LOKI_S3_ACCESS_KEY_ID_ENV,
  LOKI_S3_SECRET_ACCESS_KEY_ENV,
} from "./loki-values";
export type { LokiValuesArgs } from "./loki-values";
export { LogCollector, ALLOY_RELEASE, PROMTAIL_RELEASE, alloyServiceMonitor } from "./log-collector";
export type { LogCollectorArgs } from "./log-collector";
export { alloyConfig, alloyValues, escapeForTpl, ALLOY_CONTAINERS } from "./alloy-values";
export type { AlloyValuesArgs, LogPushTarget } from "./alloy-values";
export { promtailValues, PROMTAIL_CONTAINERS } from "./promtail-values";
export type { PromtailValuesArgs } from "./promtail-values";
export {
  readLoki,
  readLogCollector,
  DEFAULT_SCHEMA_FROM,
  LOKI_DISTRIBUTED_COMPONENTS,
  LOKI_MODES,
  LOKI_SCALE_PRESETS,
  LOG_COLLECTORS,
} from "./config";
export type {
  LogCollectorConfig,
  LogCollectorKind,
  LokiConfig,
  LokiDistributedComponent,
  LokiMode,
} from "./config";
export { loggingPart } from "./part";
export { LOGGING_CHARTS } from "./charts";
