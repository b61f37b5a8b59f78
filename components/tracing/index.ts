export { Tracing } from "./tracing";
export type { TracingArgs, TracingEndpoints } from "./tracing";
export { Jaeger } from "./jaeger";
export type { JaegerArgs } from "./jaeger";
export { OpenTelemetryCollector } from "./otel-collector";
export type { OpenTelemetryCollectorArgs } from "./otel-collector";
export {
  jaegerValues,
  jaegerConfig,
  jaegerStorageBackend,
  JAEGER_CONTAINERS,
  JAEGER_RELEASE,
  JAEGER_SERVICE,
  JAEGER_PORTS,
  JAEGER_SELECTOR,
  JAEGER_METRICS_PORT_NAME,
  BADGER_CLAIM,
  BADGER_MOUNT,
  ES_SECRET,
  ES_SECRET_KEY,
  ES_PASSWORD_ENV,
  ES_CA_SECRET,
  ES_CA_KEY,
  ES_CA_MOUNT,
} from "./jaeger-values";
export type { JaegerValuesArgs, StackElasticsearch } from "./jaeger-values";
export {
  collectorValues,
  collectorPipelineConfig,
  OTEL_COLLECTOR_CONTAINERS,
  COLLECTOR_RELEASE,
  COLLECTOR_SERVICE,
  COLLECTOR_SELECTOR,
  COLLECTOR_IMAGE,
  COLLECTOR_METRICS_PORT_NAME,
  K8S_ATTRIBUTES_PROCESSOR,
  BACKEND_EXPORTER,
} from "./otel-collector-values";
export type { CollectorPipelineArgs, CollectorValuesArgs } from "./otel-collector-values";
export {
  jaegerDatasource,
  lokiTraceDerivedFields,
  JAEGER_DATASOURCE_UID,
  LOKI_DATASOURCE_UID,
  TRACE_ID_PATTERN,
} from "./datasources";
export type { JaegerDatasourceArgs } from "./datasources";
export { otlpServiceSpec, otlpEndpoints, OTLP_SERVICE, OTLP_PORTS } from "./otlp-service";
export { restrictedPod, RESTRICTED_CONTAINER } from "./pod-security";
export { readTracing, TRACE_STORAGE_KINDS, TRACING_ES_PASSWORD_KEY } from "./config";
export type { TraceStorageKind, TracingConfig } from "./config";
export { tracingPart } from "./part";
export { TRACING_CHARTS } from "./charts";
