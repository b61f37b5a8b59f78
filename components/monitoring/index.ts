export {
  PrometheusStack,
  CRDS_RELEASE,
  STACK_RELEASE,
  GRAFANA_ADMIN_SECRET,
  PROMETHEUS_SERVICE_ACCOUNT,
  GRAFANA_POD,
} from "./prometheus-stack";
export type { PrometheusStackArgs } from "./prometheus-stack";
export {
  prometheusStackValues,
  prometheusStackValuesArgs,
  claimTemplate,
  PROMETHEUS_STACK_CONTAINERS,
  GRAFANA_ADMIN_USER_KEY,
  GRAFANA_ADMIN_PASSWORD_KEY,
  ISTIO_CERTS_DIR,
  ISTIO_SCRAPE_TLS,
  istioSidecarSizing,
} from "./prometheus-stack-values";
export type { PrometheusStackValuesArgs, PrometheusMeshArgs } from "./prometheus-stack-values";
export { MetricsServer, METRICS_SERVER_RELEASE } from "./metrics-server";
export type { MetricsServerArgs } from "./metrics-server";
export { metricsServerValues, METRICS_SERVER_CONTAINERS } from "./metrics-server-values";
export type { MetricsServerValuesArgs } from "./metrics-server-values";
export { prometheusDatasource, alertmanagerDatasource } from "./datasources";
export { readPrometheus, readAlertmanager, readMetricsServer } from "./config";
export type { AlertmanagerConfig, MetricsServerConfig, PrometheusConfig } from "./config";
export { Thanos } from "./thanos";
export type { ThanosArgs } from "./thanos";
export {
  thanosValues,
  thanosObjstoreConfig,
  thanosCredentialsEnv,
  thanosQueryUrl,
  prometheusThanosValues,
  THANOS_CONTAINERS,
  THANOS_RELEASE,
  THANOS_SERVICES,
  THANOS_SELECTOR,
  THANOS_OBJSTORE_SECRET,
  THANOS_OBJSTORE_KEY,
  THANOS_SIDECAR_SERVICE,
  THANOS_SIDECAR_PORTS,
  PROMETHEUS_REPLICA_LABEL,
} from "./thanos-values";
export type { ThanosValuesArgs } from "./thanos-values";
export {
  readThanos,
  THANOS_KEY,
  THANOS_S3_ACCESS_KEY_ID_KEY,
  THANOS_S3_SECRET_ACCESS_KEY_KEY,
  THANOS_S3_SECRET_KEYS,
  THANOS_S3_CREDENTIALS_SECRET,
} from "./thanos-config";
export type { ThanosConfig, ThanosCredentials, ThanosObjectStorage, ThanosRetention } from "./thanos-config";
export { EXEMPLAR_TRACE_ID_LABEL, GRAFANA_VALUES_SLOT } from "./prometheus-stack-values";
export type { PrometheusDatasourceOptions } from "./datasources";
export { monitoringPart } from "./part";
export { MONITORING_CHARTS } from "./charts";
