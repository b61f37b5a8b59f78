import { StackConfig } from "../config";
import { STACK_RELEASE } from "../monitoring/prometheus-stack";
import { thanosQueryUrl } from "../monitoring/thanos-values";
import { EXEMPLAR_TRACE_ID_LABEL } from "../monitoring/prometheus-stack-values";
import { GrafanaDatasource, PROMETHEUS_DATASOURCE_UID } from "./datasource";

/** Fixed uids: dashboards, links between datasources and other parts name them. */
export const ALERTMANAGER_DATASOURCE_UID = "alertmanager";
export const LOKI_DATASOURCE_UID = "loki";
export const JAEGER_DATASOURCE_UID = "jaeger";
export const ELASTICSEARCH_DATASOURCE_UID = "elasticsearch";

/** Where the stack's parts live, so a provider can build in-cluster URLs. */
export interface DatasourceContext {
  /** The validated stack config. */
  config: StackConfig;
  /** Each part's namespace by its NAMESPACES key (e.g. `monitoring`). */
  namespaces: Readonly<Record<string, { name: string }>>;
}

/**
 * One part's contribution: the datasources it brings when it is on, and none when it is off. A
 * new part (Loki, Jaeger, Elasticsearch) adds its provider to DATASOURCE_PROVIDERS, nothing else.
 */
export type DatasourceProvider = (ctx: DatasourceContext) => readonly GrafanaDatasource[];

/** The datasources Grafana ends up with, and which of them the program provisions itself. */
export interface StackDatasources {
  /** Every datasource Grafana has, the chart's Prometheus included: what dashboards may name. */
  all: GrafanaDatasource[];
  /** The ones the program's ConfigMap provisions (links to absent datasources removed). */
  provisioned: GrafanaDatasource[];
}

function monitoringNamespace(ctx: DatasourceContext): string {
  const ns = ctx.namespaces["monitoring"]?.name;
  if (ns === undefined) throw new Error("no monitoring namespace among the stack's namespaces");
  return ns;
}

/**
 * kube-prometheus-stack provisions this one itself (uid `prometheus`, the default): it is listed
 * so that dashboards and links can name it, but it is not in the program's ConfigMap. With Thanos
 * on, it reads the query-frontend instead (same uid): the replicas deduplicated, and the bucket's history.
 */
export function prometheusDatasource(ctx: DatasourceContext): GrafanaDatasource {
  const ns = monitoringNamespace(ctx);
  return {
    name: "Prometheus",
    type: "prometheus",
    uid: PROMETHEUS_DATASOURCE_UID,
    url: ctx.config.thanos.enabled ? thanosQueryUrl(ns) : `http://${STACK_RELEASE}-prometheus.${ns}:9090/`,
    isDefault: true,
    // The chart writes these from the values (grafana.sidecar.datasources): an exemplar's trace id
    // opens its trace in Jaeger (pruned when Jaeger is off), and Thanos is named as such.
    jsonData: {
      ...(ctx.config.thanos.enabled ? { prometheusType: "Thanos" } : {}),
      exemplarTraceIdDestinations: [
        {
          datasourceUid: JAEGER_DATASOURCE_UID,
          name: EXEMPLAR_TRACE_ID_LABEL,
          urlDisplayLabel: "Open trace",
        },
      ],
    },
  };
}

/** Alertmanager, from kube-prometheus-stack, when it runs (the chart's own copy is switched off). */
export const alertmanagerDatasources: DatasourceProvider = (ctx) =>
  ctx.config.prometheus.enabled && ctx.config.alertmanager.enabled
    ? [
        {
          name: "Alertmanager",
          type: "alertmanager",
          uid: ALERTMANAGER_DATASOURCE_UID,
          url: `http://${STACK_RELEASE}-alertmanager.${monitoringNamespace(ctx)}:9093/`,
          // Silences and alerts of a Prometheus-flavoured Alertmanager, not Grafana's own alerting.
          jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
        },
      ]
    : [];

/** Every part that contributes datasources, in the order Grafana lists them. */
export const DATASOURCE_PROVIDERS: readonly DatasourceProvider[] = [alertmanagerDatasources];

/**
 * Drops every link (an object with a `datasourceUid`, such as Loki's derived fields, Prometheus
 * exemplar destinations or Jaeger's trace-to-logs) to a datasource that does not exist, so that
 * switching a part off removes its datasource and every link to it.
 */
export function pruneLinks(value: unknown, known: ReadonlySet<string>): unknown {
  const dangling = (v: unknown): boolean =>
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    typeof (v as Record<string, unknown>)["datasourceUid"] === "string" &&
    !known.has((v as Record<string, string>)["datasourceUid"] ?? "");
  if (Array.isArray(value)) return value.filter((v) => !dangling(v)).map((v) => pruneLinks(v, known));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (dangling(v)) continue;
      const pruned = pruneLinks(v, known);
      // A list that held only links to absent datasources (Loki's derived fields) goes entirely.
      if (Array.isArray(v) && v.length > 0 && Array.isArray(pruned) && pruned.length === 0) continue;
      out[k] = pruned;
    }
    return out;
  }
  return value;
}

/**
 * The one place that decides which datasources exist: Prometheus (from the chart) and whatever the
 * enabled parts contribute, with fixed uids and links only to datasources that exist. A pure
 * function of the config.
 */
export function stackDatasources(
  ctx: DatasourceContext,
  providers: readonly DatasourceProvider[] = DATASOURCE_PROVIDERS,
): StackDatasources {
  if (!ctx.config.prometheus.enabled || !ctx.config.grafana.enabled) return { all: [], provisioned: [] };
  const contributed = providers.flatMap((p) => p(ctx));
  const all = [prometheusDatasource(ctx), ...contributed];
  const known = new Set(all.map((ds) => ds.uid));
  const prometheus = all[0] as GrafanaDatasource;
  if (prometheus.jsonData !== undefined) {
    all[0] = { ...prometheus, jsonData: pruneLinks(prometheus.jsonData, known) as Record<string, unknown> };
  }
  const seen = new Set<string>();
  for (const ds of all) {
    if (seen.has(ds.uid)) throw new Error(`two datasources claim uid ${ds.uid}`);
    seen.add(ds.uid);
  }
  const provisioned = contributed.map((ds) =>
    ds.jsonData === undefined
      ? ds
      : { ...ds, jsonData: pruneLinks(ds.jsonData, seen) as Record<string, unknown> },
  );
  return { all: [all[0] as GrafanaDatasource, ...provisioned], provisioned };
}
