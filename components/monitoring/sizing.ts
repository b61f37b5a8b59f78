/**
 * What each container of the monitoring part requests, per sizing preset, by the id that
 * `observability:resources` overrides use (the stack-wide budget rules: components/kit/config/sizing.ts).
 */
import { ContainerResources, resources as r, Sizing } from "../kit";

export const MONITORING_SIZING = {
  laptop: {
    prometheusOperator: r("50m", "96Mi", "192Mi"),
    prometheusAdmissionJobs: r("10m", "32Mi", "64Mi"),
    configReloader: r("10m", "32Mi", "64Mi"),
    // A kind cluster has a few hundred series per node: 400Mi holds the default rules' working set.
    prometheus: r("150m", "400Mi", "800Mi"),
    alertmanager: r("10m", "48Mi", "96Mi"),
    grafana: r("50m", "160Mi", "320Mi"),
    grafanaSidecar: r("10m", "64Mi", "128Mi"),
    grafanaInit: r("10m", "16Mi", "32Mi"),
    kubeStateMetrics: r("10m", "48Mi", "96Mi"),
    nodeExporter: r("10m", "24Mi", "48Mi"),
    metricsServer: r("20m", "48Mi", "96Mi"),
    // Thanos is off in dev; sized so that a kind cluster with a bucket can try it.
    thanosSidecar: r("10m", "48Mi", "128Mi"),
    thanosQuery: r("20m", "64Mi", "256Mi"),
    thanosQueryFrontend: r("10m", "48Mi", "128Mi"),
    thanosStoreGateway: r("20m", "96Mi", "256Mi"),
    thanosCompactor: r("20m", "128Mi", "512Mi"),
  },
  production: {
    prometheusOperator: r("100m", "256Mi", "512Mi"),
    prometheusAdmissionJobs: r("20m", "64Mi", "128Mi"),
    configReloader: r("20m", "48Mi", "96Mi"),
    prometheus: r("1", "4Gi", "8Gi"),
    alertmanager: r("50m", "128Mi", "256Mi"),
    grafana: r("250m", "512Mi", "1Gi"),
    grafanaSidecar: r("20m", "96Mi", "192Mi"),
    grafanaInit: r("10m", "32Mi", "64Mi"),
    kubeStateMetrics: r("100m", "256Mi", "512Mi"),
    nodeExporter: r("50m", "64Mi", "128Mi"),
    metricsServer: r("100m", "200Mi", "400Mi"),
    // The sidecar uploads a 2h block at a time and proxies queries for the newest data.
    thanosSidecar: r("100m", "128Mi", "512Mi"),
    // Query and the store gateway hold series of the queried range; the compactor holds the
    // blocks it compacts or downsamples, which grow with the series count.
    thanosQuery: r("500m", "1Gi", "4Gi"),
    thanosQueryFrontend: r("250m", "512Mi", "1Gi"),
    thanosStoreGateway: r("500m", "2Gi", "4Gi"),
    thanosCompactor: r("1", "2Gi", "8Gi"),
  },
} as const satisfies Record<Sizing, Record<string, ContainerResources>>;

declare module "../kit/config/sizing" {
  // The monitoring part's containers join the stack's (kit names none).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface StackContainers extends Record<keyof (typeof MONITORING_SIZING)["laptop"], ContainerResources> {}
}
