import { GrafanaDatasource } from "./datasource";

/** Fixed uids: dashboards, links between datasources and other parts name them. */
export const ALERTMANAGER_DATASOURCE_UID = "alertmanager";
export const LOKI_DATASOURCE_UID = "loki";
export const JAEGER_DATASOURCE_UID = "jaeger";
export const ELASTICSEARCH_DATASOURCE_UID = "elasticsearch";

/**
 * A W3C trace id (32 hex digits) after `trace_id`, `traceId`, `traceID` or `TraceId`, written
 * as `key=value`, `key: value` or JSON (`"key":"value"`). One capture group: the id. Plain
 * syntax that Go's RE2 and JavaScript both accept.
 */
export const TRACE_ID_PATTERN = "(?:[Tt]race_?[Ii][Dd])[\"']?\\s*[:=]\\s*[\"']?([0-9a-fA-F]{32})";

/**
 * Escapes `$` for Grafana's provisioning files, which expand `$VAR` and `${VAR}` from the
 * environment: `$${__value.raw}` reaches Grafana as the macro `${__value.raw}`.
 */
function provisioned(text: string): string {
  // A function, because in a replacement string `$$` itself means one `$`.
  return text.replaceAll("$", () => "$$");
}

/**
 * The Loki datasource's derived fields (its `jsonData.derivedFields`) that turn a trace id in a
 * log line into a link that opens the trace in the Jaeger datasource. The Loki datasource of the
 * logging part includes them when Jaeger is on.
 */
export function lokiTraceDerivedFields(jaegerUid: string = JAEGER_DATASOURCE_UID): Record<string, unknown>[] {
  return [
    {
      name: "TraceID",
      matcherType: "regex",
      matcherRegex: TRACE_ID_PATTERN,
      // An internal link: the URL is the query sent to the Jaeger datasource, the trace id itself.
      url: provisioned("${__value.raw}"),
      datasourceUid: jaegerUid,
      urlDisplayLabel: "Open trace",
    },
  ];
}

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
  chartProvided: readonly GrafanaDatasource[],
  contributed: readonly GrafanaDatasource[],
): StackDatasources {
  const all = [...chartProvided, ...contributed];
  const seen = new Set<string>();
  for (const ds of all) {
    if (seen.has(ds.uid)) throw new Error(`two datasources claim uid ${ds.uid}`);
    seen.add(ds.uid);
  }
  const pruned = (ds: GrafanaDatasource): GrafanaDatasource =>
    ds.jsonData === undefined
      ? ds
      : { ...ds, jsonData: pruneLinks(ds.jsonData, seen) as Record<string, unknown> };
  const provisioned = contributed.map(pruned);
  // The chart's own datasource links too (Prometheus's exemplars to traces): pruned the same way.
  return { all: [...chartProvided.map(pruned), ...provisioned], provisioned };
}
