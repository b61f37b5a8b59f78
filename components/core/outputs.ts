import { AlertingSummary } from "../alerting";
import { LogCollectorKind } from "../logging/config";
import { ElasticEndpoints } from "../search";
import { TracingEndpoints } from "../tracing";
import { ServiceAddress } from "./model";

/** What an operator needs next: where things are and how to reach them. Never a secret. */
export interface StackEndpoints {
  namespaces: string[];
  prometheus?: ServiceAddress;
  alertmanager?: ServiceAddress;
  grafana?: ServiceAddress & {
    url: string;
    adminSecret: { name: string; userKey: string; passwordKey: string };
    /** The uids of Grafana's datasources, Elasticsearch's included. */
    datasources: string[];
    /** The project's dashboards, each with its URL through the port-forward. */
    dashboards: { title: string; folder: string; url: string }[];
  };
  tracing?: TracingEndpoints;
  loki?: ServiceAddress & {
    /** In-cluster base URL of the gateway (queries, and Grafana's datasource). */
    url: string;
    /** Where log shippers push. */
    pushUrl: string;
    /** The Grafana datasource uid; absent without Grafana. */
    datasourceUid?: string;
    /** The tenant to send as X-Scope-OrgID; absent when Loki runs without auth. */
    tenant?: string;
  };
  logCollector?: { kind: LogCollectorKind; release: string };
  /** The alert rules and where notifications go (receiver names and types only). */
  alerting?: AlertingSummary;
  elastic?: ElasticEndpoints;
  mesh?: {
    /** istiod's namespace, the mesh's root namespace. */
    namespace: string;
    /** The mesh-wide mTLS mode. */
    mtlsMode: string;
    /** Application namespaces labelled for sidecar injection. */
    injectNamespaces: string[];
    gateway?: ServiceAddress & { serviceType: string };
    /** Grafana through the gateway, after the gateway's port-forward. */
    grafanaUrl?: string;
  };
}

/** The stack outputs: where things are and how to reach them, read from the model and the parts. */
export function stackOutputs(e: StackEndpoints): Record<string, unknown> {
  return {
    /** Namespaces the stack owns. */
    namespaces: e.namespaces,
    /** How to reach Grafana, and the Secret (not the password) that holds its admin credentials. */
    grafana: e.grafana ?? null,
    prometheus: e.prometheus ?? null,
    alertmanager: e.alertmanager ?? null,
    /**
     * Where applications send spans (one OTLP endpoint, whatever receives behind it), how to open
     * the Jaeger UI, and what the collector gateway does.
     */
    tracing: e.tracing ?? null,
    /** Loki's gateway: where to push logs, where to query, the Grafana datasource uid and the tenant. */
    loki: e.loki ?? null,
    /** Which log collector runs (alloy or promtail), if any. */
    logCollector: e.logCollector ?? null,
    /** The alert rules, and where notifications go: receiver names and types, never their secrets. */
    alerting: e.alerting ?? null,
    /** The mesh: its mTLS mode, the namespaces labelled for injection, and how to reach the ingress gateway. */
    mesh: e.mesh ?? null,
    /** Reads the admin password from its Secret; the program itself never outputs it. */
    grafanaAdminPasswordCommand: e.grafana
      ? `kubectl -n ${e.grafana.namespace} get secret ${e.grafana.adminSecret.name} -o jsonpath='{.data.${e.grafana.adminSecret.passwordKey}}' | base64 -d`
      : null,
    /** How to reach Kibana and Elasticsearch, and the Secret (not the password) of the `elastic` user. */
    elastic: e.elastic ?? null,
    /** Reads the `elastic` user's password from ECK's Secret; log in to Kibana with it. */
    elasticPasswordCommand: e.elastic
      ? `kubectl -n ${e.elastic.namespace} get secret ${e.elastic.elasticsearch.elasticUserSecret.name} -o jsonpath='{.data.${e.elastic.elasticsearch.elasticUserSecret.key}}' | base64 -d`
      : null,
  };
}
