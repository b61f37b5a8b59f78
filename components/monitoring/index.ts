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
