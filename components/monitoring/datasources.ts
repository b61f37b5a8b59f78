import { ALERTMANAGER_DATASOURCE_UID, GrafanaDatasource, PROMETHEUS_DATASOURCE_UID } from "../grafana";
import { STACK_RELEASE } from "./prometheus-stack";
import { EXEMPLAR_TRACE_ID_LABEL } from "./prometheus-stack-values";
import { thanosQueryUrl } from "./thanos-values";

/** What the chart's Prometheus datasource reads and links to. */
export interface PrometheusDatasourceOptions {
  /** Long-term metrics: read the Thanos query-frontend (same uid). Defaults to Prometheus itself. */
  thanos?: boolean;
  /** The traces datasource an exemplar's trace id opens (Jaeger). Defaults to none. */
  tracesDatasourceUid?: string;
}

/**
 * kube-prometheus-stack provisions this one itself (uid `prometheus`, the default): it is listed
 * so that dashboards and links can name it, but it is not in the program's ConfigMap. With Thanos
 * on, it reads the query-frontend instead (same uid): the replicas deduplicated, and the bucket's
 * history. The chart writes its jsonData from the values (grafana.sidecar.datasources).
 */
export function prometheusDatasource(
  namespace: string,
  options: PrometheusDatasourceOptions = {},
): GrafanaDatasource {
  const jsonData = {
    ...(options.thanos === true ? { prometheusType: "Thanos" } : {}),
    ...(options.tracesDatasourceUid !== undefined
      ? {
          exemplarTraceIdDestinations: [
            {
              datasourceUid: options.tracesDatasourceUid,
              name: EXEMPLAR_TRACE_ID_LABEL,
              urlDisplayLabel: "Open trace",
            },
          ],
        }
      : {}),
  };
  return {
    name: "Prometheus",
    type: "prometheus",
    uid: PROMETHEUS_DATASOURCE_UID,
    url:
      options.thanos === true
        ? thanosQueryUrl(namespace)
        : `http://${STACK_RELEASE}-prometheus.${namespace}:9090/`,
    isDefault: true,
    ...(Object.keys(jsonData).length > 0 ? { jsonData } : {}),
  };
}

/** Alertmanager, from kube-prometheus-stack (the chart's own copy of this datasource is switched off). */
export function alertmanagerDatasource(namespace: string): GrafanaDatasource {
  return {
    name: "Alertmanager",
    type: "alertmanager",
    uid: ALERTMANAGER_DATASOURCE_UID,
    url: `http://${STACK_RELEASE}-alertmanager.${namespace}:9093/`,
    // Silences and alerts of a Prometheus-flavoured Alertmanager, not Grafana's own alerting.
    jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
  };
}
