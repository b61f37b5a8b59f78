import * as k8s from "@pulumi/kubernetes";
import { loadStackConfig } from "./config";
import { NAMESPACES, ObservabilityStack } from "./core";

/**
 * The whole program: reads and validates the stack config, declares every resource and returns
 * the stack outputs. `index.ts` hands it to the CLI; the Automation API runs it as an inline
 * program, so the CLI, the offline plan and the real-engine test all run this one function.
 */
export function observabilityProgram(): Promise<Record<string, unknown>> {
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
  const endpoints = stack.endpoints;

  return Promise.resolve({
    /** Namespaces the stack owns. */
    namespaces: endpoints.namespaces,
    /** How to reach Grafana, and the Secret (not the password) that holds its admin credentials. */
    grafana: endpoints.grafana ?? null,
    prometheus: endpoints.prometheus ?? null,
    /** Long-term metrics through Thanos: the query-frontend Grafana's Prometheus datasource reads. */
    thanos: endpoints.thanos ?? null,
    alertmanager: endpoints.alertmanager ?? null,
    /**
     * Where applications send spans (one OTLP endpoint, whatever receives behind it), how to open
     * the Jaeger UI, and what the collector gateway does.
     */
    tracing: endpoints.tracing ?? null,
    /** Loki's gateway: where to push logs, where to query, the Grafana datasource uid and the tenant. */
    loki: endpoints.loki ?? null,
    /** Which log collector runs (alloy or promtail), if any. */
    logCollector: endpoints.logCollector ?? null,
    /** The alert rules, and where notifications go: receiver names and types, never their secrets. */
    alerting: endpoints.alerting ?? null,
    /** The mesh: its mTLS mode, the namespaces labelled for injection, and how to reach the ingress gateway. */
    mesh: endpoints.mesh ?? null,
    /** Reads the admin password from its Secret; the program itself never outputs it. */
    grafanaAdminPasswordCommand: endpoints.grafana
      ? `kubectl -n ${NAMESPACES.monitoring.name} get secret ${endpoints.grafana.adminSecret.name} -o jsonpath='{.data.${endpoints.grafana.adminSecret.passwordKey}}' | base64 -d`
      : null,
    /** How to reach Kibana and Elasticsearch, and the Secret (not the password) of the `elastic` user. */
    elastic: endpoints.elastic ?? null,
    /** Reads the `elastic` user's password from ECK's Secret; log in to Kibana with it. */
    elasticPasswordCommand: endpoints.elastic
      ? `kubectl -n ${endpoints.elastic.namespace} get secret ${endpoints.elastic.elasticsearch.elasticUserSecret.name} -o jsonpath='{.data.${endpoints.elastic.elasticsearch.elasticUserSecret.key}}' | base64 -d`
      : null,
  });
}
