import * as k8s from "@pulumi/kubernetes";
import { loadStackConfig } from "./components/config";
import { NAMESPACES, ObservabilityStack } from "./components/core";

// Read and validate all config before declaring anything: a mistake stops here with its key path.
const { config, secrets } = loadStackConfig();

// One explicit provider for every Kubernetes object, pointed at the context from config.
const provider = new k8s.Provider("kubernetes", {
  context: config.cluster.context,
  // Dashboards and datasources are ConfigMaps: update them in place instead of replacing them.
  enableConfigMapMutable: true,
});

const stack = new ObservabilityStack(
  "observability",
  { config, secrets },
  { providers: { kubernetes: provider } },
);

/** Namespaces the stack owns. */
export const namespaces = stack.endpoints.namespaces;
/** How to reach Grafana, and the Secret (not the password) that holds its admin credentials. */
export const grafana = stack.endpoints.grafana ?? null;
export const prometheus = stack.endpoints.prometheus ?? null;
export const alertmanager = stack.endpoints.alertmanager ?? null;
/**
 * Where applications send spans (one OTLP endpoint, whatever receives behind it), how to open
 * the Jaeger UI, and what the collector gateway does.
 */
export const tracing = stack.endpoints.tracing ?? null;
/** Loki's gateway: where to push logs, where to query, the Grafana datasource uid and the tenant. */
export const loki = stack.endpoints.loki ?? null;
/** Which log collector runs (alloy or promtail), if any. */
export const logCollector = stack.endpoints.logCollector ?? null;
/** The alert rules, and where notifications go: receiver names and types, never their secrets. */
export const alerting = stack.endpoints.alerting ?? null;
/** The mesh: its mTLS mode, the namespaces labelled for injection, and how to reach the ingress gateway. */
export const mesh = stack.endpoints.mesh ?? null;
/** Reads the admin password from its Secret; the program itself never outputs it. */
export const grafanaAdminPasswordCommand = stack.endpoints.grafana
  ? `kubectl -n ${NAMESPACES.monitoring.name} get secret ${stack.endpoints.grafana.adminSecret.name} -o jsonpath='{.data.${stack.endpoints.grafana.adminSecret.passwordKey}}' | base64 -d`
  : null;
/** How to reach Kibana and Elasticsearch, and the Secret (not the password) of the `elastic` user. */
export const elastic = stack.endpoints.elastic ?? null;
/** Reads the `elastic` user's password from ECK's Secret; log in to Kibana with it. */
export const elasticPasswordCommand = stack.endpoints.elastic
  ? `kubectl -n ${stack.endpoints.elastic.namespace} get secret ${stack.endpoints.elastic.elasticsearch.elasticUserSecret.name} -o jsonpath='{.data.${stack.endpoints.elastic.elasticsearch.elasticUserSecret.key}}' | base64 -d`
  : null;
