/**
 * What every container of the stack requests, per sizing preset. One table, so the whole budget
 * can be read at a glance: `laptop` must fit a kind node on an 8 GiB laptop (the whole stack but
 * Elasticsearch at most 1.5 CPU and 3 GiB requested), `production` is sized for real load.
 * CPU limits are left unset on purpose: they throttle bursty scrapes and queries without
 * protecting the node, while memory limits do protect it.
 */

export const SIZINGS = ["laptop", "production"] as const;
export type Sizing = (typeof SIZINGS)[number];

/** Requests and a memory limit for one container, as Kubernetes quantities. */
export interface ContainerResources {
  cpu: string;
  memory: string;
  memoryLimit: string;
}

/** The shape Kubernetes and every chart take under a `resources` key. */
export interface K8sResources {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

export function toK8s(r: ContainerResources): K8sResources {
  return { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memoryLimit } };
}

const r = (cpu: string, memory: string, memoryLimit: string): ContainerResources => ({
  cpu,
  memory,
  memoryLimit,
});

/** Every container the program sizes, by a stable id that `observability:resources` overrides use. */
export const CONTAINER_IDS = [
  "prometheusOperator",
  "prometheusAdmissionJobs",
  "configReloader",
  "prometheus",
  "alertmanager",
  "grafana",
  "grafanaSidecar",
  "grafanaInit",
  "kubeStateMetrics",
  "nodeExporter",
  "metricsServer",
  "istiod",
  "istioGateway",
  "istioProxy",
] as const;
export type ContainerId = (typeof CONTAINER_IDS)[number];

export const DEFAULT_RESOURCES: Record<Sizing, Record<ContainerId, ContainerResources>> = {
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
    // A handful of services: istiod's config cache stays well under 256Mi.
    istiod: r("100m", "256Mi", "512Mi"),
    istioGateway: r("20m", "64Mi", "256Mi"),
    // Every Istio sidecar: the stack's own (Prometheus, Grafana) and, by default, applications'.
    istioProxy: r("10m", "48Mi", "192Mi"),
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
    // The chart's own request; istiod's memory grows with the number of services and proxies.
    istiod: r("500m", "2Gi", "4Gi"),
    istioGateway: r("100m", "128Mi", "1Gi"),
    istioProxy: r("100m", "128Mi", "1Gi"),
  },
};
