import {
  GrafanaDatasource,
  JAEGER_DATASOURCE_UID,
  LOKI_DATASOURCE_UID,
  lokiTraceDerivedFields,
  PROMETHEUS_DATASOURCE_UID,
  TRACE_ID_PATTERN,
} from "../grafana";

/** The Jaeger datasource's fixed uid: Loki's derived field links to it. */
export { JAEGER_DATASOURCE_UID };
/** The Loki datasource's fixed uid (provisioned by the logging part). */
export { LOKI_DATASOURCE_UID };

/** A trace id in a log line, and the Loki derived field that links it to Jaeger (grafana owns datasource links). */
export { lokiTraceDerivedFields, TRACE_ID_PATTERN };

/** Escapes `$` for Grafana's provisioning files (see grafana/datasources.ts). */
function provisioned(text: string): string {
  // A function, because in a replacement string `$$` itself means one `$`.
  return text.replaceAll("$", () => "$$");
}

export interface JaegerDatasourceArgs {
  /** Jaeger's query service as Grafana's backend reaches it, e.g. `http://jaeger.tracing.svc:16686`. */
  url: string;
  /** Link spans to their logs in the Loki datasource. Only when the logging part runs. */
  lokiEnabled: boolean;
}

/**
 * The Jaeger datasource, with links from a span to its logs in Loki (by service, namespace and
 * pod, the span's time window widened by 5 minutes, and the trace id) and to its pod's CPU and
 * memory in Prometheus. Tags are the span's resource attributes as the gateway's
 * k8s_attributes processor and the SDKs set them, mapped to the labels of the log collector and
 * of the kubelet's cAdvisor metrics.
 */
export function jaegerDatasource(args: JaegerDatasourceArgs): GrafanaDatasource {
  const podTags = [
    { key: "k8s.namespace.name", value: "namespace" },
    { key: "k8s.pod.name", value: "pod" },
  ];
  return {
    name: "Jaeger",
    type: "jaeger",
    uid: JAEGER_DATASOURCE_UID,
    url: args.url,
    jsonData: {
      ...(args.lokiEnabled
        ? {
            tracesToLogsV2: {
              datasourceUid: LOKI_DATASOURCE_UID,
              spanStartTimeShift: "-5m",
              spanEndTimeShift: "5m",
              tags: [{ key: "service.name", value: "app" }, ...podTags],
              filterByTraceID: true,
              filterBySpanID: false,
              customQuery: false,
            },
          }
        : {}),
      tracesToMetrics: {
        datasourceUid: PROMETHEUS_DATASOURCE_UID,
        spanStartTimeShift: "-5m",
        spanEndTimeShift: "5m",
        tags: podTags,
        queries: [
          {
            name: "Pod CPU (cores)",
            query: provisioned('sum(rate(container_cpu_usage_seconds_total{container!="",$__tags}[5m]))'),
          },
          {
            name: "Pod memory (working set)",
            query: provisioned('sum(container_memory_working_set_bytes{container!="",$__tags})'),
          },
        ],
      },
      nodeGraph: { enabled: true },
    },
  };
}
