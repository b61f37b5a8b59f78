import { GrafanaDatasource } from "./datasource";

/** Fixed uids: dashboards, links between datasources and other parts name them. */
export const ALERTMANAGER_DATASOURCE_UID = "alertmanager";
export const LOKI_DATASOURCE_UID = "loki";
export const JAEGER_DATASOURCE_UID = "jaeger";
export const ELASTICSEARCH_DATASOURCE_UID = "elasticsearch";

/** The datasources Grafana ends up with, and which of them the program provisions itself. */
export interface StackDatasources {
  /** Every datasource Grafana has, the chart's Prometheus included: what dashboards may name. */
  all: GrafanaDatasource[];
  /** The ones the program's ConfigMap provisions (links to absent datasources removed). */
  provisioned: GrafanaDatasource[];
}

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
 * What Grafana lists: the datasource its chart provisions itself (Prometheus) and every one the
 * stack's parts contribute, with fixed uids and links only to datasources that exist. The stack
 * model decides which parts contribute; this only checks and joins them.
 */
export function stackDatasources(
  chartProvided: GrafanaDatasource,
  contributed: readonly GrafanaDatasource[],
): StackDatasources {
  const all = [chartProvided, ...contributed];
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
  return { all: [chartProvided, ...provisioned], provisioned };
}
