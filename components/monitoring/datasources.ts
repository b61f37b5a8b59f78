import { ALERTMANAGER_DATASOURCE_UID, GrafanaDatasource, PROMETHEUS_DATASOURCE_UID } from "../grafana";
import { STACK_RELEASE } from "./prometheus-stack";

/**
 * kube-prometheus-stack provisions this one itself (uid `prometheus`, the default): it is listed
 * so that dashboards and links can name it, but it is not in the program's ConfigMap.
 */
export function prometheusDatasource(namespace: string): GrafanaDatasource {
  return {
    name: "Prometheus",
    type: "prometheus",
    uid: PROMETHEUS_DATASOURCE_UID,
    url: `http://${STACK_RELEASE}-prometheus.${namespace}:9090/`,
    isDefault: true,
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
