/**
 * The monitoring part's pods that receive traffic, and the flows into them: Prometheus scrapes
 * every target it has, Grafana reaches its datasources, Thanos query reads the sidecars and the
 * store gateway behind its query-frontend (the fold: components/core/model.ts).
 */
import {
  COMPONENT_LABEL,
  Flow,
  flowList,
  INSTANCE_LABEL,
  NAME_LABEL,
  NamespaceNames,
  PodGroup,
  tcp,
} from "../kit";
import { GRAFANA_POD, STACK_RELEASE } from "./prometheus-stack";
import { THANOS_SELECTOR, THANOS_SERVICES, THANOS_SIDECAR_PORTS } from "./thanos-values";

/** Prometheus's web port, and Alertmanager's API and gossip ports. */
export const PROMETHEUS_PORT = 9090;
export const ALERTMANAGER_PORT = 9093;
const GOSSIP_PORT = 9094;
/** The config reloader's metrics, beside Prometheus and Alertmanager, and kube-state-metrics'. */
const RELOADER_PORT = 8080;
const OPERATOR_PORT = 10250;

/** What the flows depend on: the switches that decide what runs, and replica counts. */
export interface MonitoringFlowView {
  alertmanager: { replicas: number };
  grafana: { replicas: number };
}
export interface MonitoringRunsView {
  prometheus: boolean;
  alertmanager: boolean;
  grafana: boolean;
  thanos: boolean;
}

/** The pods of the monitoring part that receive traffic, in the namespaces the stack gives them. */
export function monitoringPodGroups(ns: NamespaceNames) {
  const monitoring = ns.monitoring;
  const thanos = (name: string, component: string): PodGroup => ({
    name,
    namespace: monitoring,
    labels: { ...THANOS_SELECTOR, [COMPONENT_LABEL]: component },
  });
  return {
    prometheus: { name: "prometheus", namespace: monitoring, labels: { [NAME_LABEL]: "prometheus" } },
    alertmanager: { name: "alertmanager", namespace: monitoring, labels: { [NAME_LABEL]: "alertmanager" } },
    grafana: { name: "grafana", namespace: monitoring, labels: { ...GRAFANA_POD.selector } },
    kubeStateMetrics: {
      name: "kube-state-metrics",
      namespace: monitoring,
      labels: { [NAME_LABEL]: "kube-state-metrics", [INSTANCE_LABEL]: STACK_RELEASE },
    },
    operator: {
      name: "prometheus-operator",
      namespace: monitoring,
      labels: { app: `${STACK_RELEASE}-operator`, release: STACK_RELEASE },
    },
    thanosQuery: thanos("thanos-query", "query"),
    thanosQueryFrontend: thanos("thanos-query-frontend", "query-frontend"),
    thanosStoreGateway: thanos("thanos-storegateway", "storegateway"),
    thanosCompactor: thanos("thanos-compactor", "compactor"),
  } satisfies Record<string, PodGroup>;
}

/** The flows into the monitoring part's pods. */
export function monitoringFlows(
  config: MonitoringFlowView,
  runs: MonitoringRunsView,
  g: Readonly<Record<keyof ReturnType<typeof monitoringPodGroups>, PodGroup>>,
): Flow[] {
  const { flows, add } = flowList();
  if (!runs.prometheus) return flows;
  const fromProm = { pods: g.prometheus };
  const fromGrafana = { pods: g.grafana };
  add(
    fromProm,
    g.prometheus,
    tcp(PROMETHEUS_PORT, RELOADER_PORT),
    "Prometheus scrapes itself and its config reloader",
  );
  add(fromProm, g.operator, tcp(OPERATOR_PORT), "Prometheus scrapes the operator");
  add(
    { anywhere: true },
    g.operator,
    tcp(OPERATOR_PORT),
    "the API server calls the operator's admission webhook",
  );
  add(fromProm, g.kubeStateMetrics, tcp(RELOADER_PORT), "Prometheus scrapes kube-state-metrics");
  if (runs.alertmanager) {
    add(
      fromProm,
      g.alertmanager,
      tcp(ALERTMANAGER_PORT, RELOADER_PORT),
      "Prometheus sends alerts and scrapes Alertmanager",
    );
    if (config.alertmanager.replicas > 1) {
      add(
        { pods: g.alertmanager },
        g.alertmanager,
        [{ port: GOSSIP_PORT }, { port: GOSSIP_PORT, protocol: "UDP" }],
        "Alertmanager replicas gossip to deduplicate",
      );
    }
  }
  if (runs.thanos) {
    const q = THANOS_SERVICES.query;
    const sidecar = THANOS_SIDECAR_PORTS;
    add(fromProm, g.prometheus, tcp(sidecar.http), "Prometheus scrapes the Thanos sidecars");
    add(fromProm, g.thanosQuery, tcp(q.http), "Prometheus scrapes Thanos query");
    add(
      fromProm,
      g.thanosQueryFrontend,
      tcp(THANOS_SERVICES.queryFrontend.http),
      "Prometheus scrapes the Thanos query-frontend",
    );
    add(
      fromProm,
      g.thanosStoreGateway,
      tcp(THANOS_SERVICES.storeGateway.http),
      "Prometheus scrapes the Thanos store gateway",
    );
    add(
      fromProm,
      g.thanosCompactor,
      tcp(THANOS_SERVICES.compactor.http),
      "Prometheus scrapes the Thanos compactor",
    );
    add(
      { pods: g.thanosQueryFrontend },
      g.thanosQuery,
      tcp(q.http),
      "the Thanos query-frontend passes queries to query",
    );
    add(
      { pods: g.thanosQuery },
      g.prometheus,
      tcp(sidecar.grpc),
      "Thanos query reads recent samples from the sidecars (StoreAPI)",
    );
    add(
      { pods: g.thanosQuery },
      g.thanosStoreGateway,
      tcp(THANOS_SERVICES.storeGateway.grpc),
      "Thanos query reads the bucket's history from the store gateway (StoreAPI)",
    );
  }
  if (runs.grafana) {
    add(fromProm, g.grafana, tcp(GRAFANA_POD.containerPort), "Prometheus scrapes Grafana");
    // With Thanos, the Prometheus datasource reads the query-frontend instead of Prometheus.
    if (runs.thanos) {
      add(
        fromGrafana,
        g.thanosQueryFrontend,
        tcp(THANOS_SERVICES.queryFrontend.http),
        "Grafana queries its Prometheus datasource, the Thanos query-frontend",
      );
    } else {
      add(fromGrafana, g.prometheus, tcp(PROMETHEUS_PORT), "Grafana queries its Prometheus datasource");
    }
    if (runs.alertmanager)
      add(fromGrafana, g.alertmanager, tcp(ALERTMANAGER_PORT), "Grafana reads its Alertmanager datasource");
    if (config.grafana.replicas > 1) {
      add(
        { pods: g.grafana },
        g.grafana,
        [{ port: GOSSIP_PORT }, { port: GOSSIP_PORT, protocol: "UDP" }],
        "Grafana replicas gossip (unified alerting)",
      );
    }
  }
  return flows;
}
