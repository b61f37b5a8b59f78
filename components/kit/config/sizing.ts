/**
 * What every container of the stack requests, per sizing preset. One table, so the whole budget
 * can be read at a glance: `laptop` must fit a kind node on an 8 GiB laptop (the whole stack but
 * Elasticsearch at most 1.0 CPU and 2 GiB requested, injected sidecars included), `production` is sized for real load.
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
  "thanosSidecar",
  "thanosQuery",
  "thanosQueryFrontend",
  "thanosStoreGateway",
  "thanosCompactor",
  "jaeger",
  "jaegerEsIndexCleaner",
  "otelCollector",
  "lokiSingleBinary",
  "lokiWrite",
  "lokiRead",
  "lokiBackend",
  "lokiGateway",
  "lokiDistributor",
  "lokiIngester",
  "lokiQuerier",
  "lokiQueryFrontend",
  "lokiQueryScheduler",
  "lokiIndexGateway",
  "lokiCompactor",
  "lokiChunksCache",
  "lokiResultsCache",
  "lokiCacheExporter",
  "alloy",
  "alloyConfigReloader",
  "promtail",
  "eckOperator",
  "elasticsearch",
  "elasticsearchMaster",
  "kibana",
  "filebeat",
  "elasticIlmJob",
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
    // Thanos is off in dev; sized so that a kind cluster with a bucket can try it.
    thanosSidecar: r("10m", "48Mi", "128Mi"),
    thanosQuery: r("20m", "64Mi", "256Mi"),
    thanosQueryFrontend: r("10m", "48Mi", "128Mi"),
    thanosStoreGateway: r("20m", "96Mi", "256Mi"),
    thanosCompactor: r("20m", "128Mi", "512Mi"),
    // The memory store holds tracing.maxTraces traces (5000 by default) inside this limit.
    jaeger: r("50m", "128Mi", "256Mi"),
    jaegerEsIndexCleaner: r("10m", "32Mi", "64Mi"),
    // Off in dev by default; sized so that switching it on stays within tracing's 150m/300Mi.
    otelCollector: r("30m", "96Mi", "192Mi"),
    // SingleBinary on a laptop ingests a few MB an hour; queries spike above the request, not the limit.
    lokiSingleBinary: r("150m", "320Mi", "640Mi"),
    lokiWrite: r("100m", "256Mi", "512Mi"),
    lokiRead: r("100m", "256Mi", "512Mi"),
    lokiBackend: r("50m", "192Mi", "384Mi"),
    lokiGateway: r("10m", "24Mi", "48Mi"),
    // Distributed mode on a laptop: for trying it on kind with a bucket, not for load.
    lokiDistributor: r("20m", "64Mi", "128Mi"),
    lokiIngester: r("50m", "192Mi", "384Mi"),
    lokiQuerier: r("50m", "128Mi", "256Mi"),
    lokiQueryFrontend: r("20m", "64Mi", "128Mi"),
    lokiQueryScheduler: r("10m", "48Mi", "96Mi"),
    lokiIndexGateway: r("20m", "96Mi", "192Mi"),
    lokiCompactor: r("20m", "96Mi", "192Mi"),
    // Memcached gets about 1/1.2 of its request as cache (see lokiValues).
    lokiChunksCache: r("50m", "256Mi", "320Mi"),
    lokiResultsCache: r("20m", "96Mi", "128Mi"),
    lokiCacheExporter: r("5m", "16Mi", "32Mi"),
    alloy: r("40m", "128Mi", "256Mi"),
    alloyConfigReloader: r("5m", "16Mi", "32Mi"),
    promtail: r("40m", "96Mi", "192Mi"),
    // The ELK part is off in dev: with it on, the operator, Kibana and Filebeat exceed the laptop budget.
    eckOperator: r("50m", "128Mi", "384Mi"),
    // Elasticsearch sizes its heap from the memory limit; request equals limit, as Elastic advises.
    // It is outside the laptop budget (see the README).
    elasticsearch: r("500m", "1Gi", "1Gi"),
    elasticsearchMaster: r("250m", "768Mi", "768Mi"),
    kibana: r("100m", "768Mi", "1Gi"),
    filebeat: r("20m", "100Mi", "200Mi"),
    elasticIlmJob: r("10m", "32Mi", "64Mi"),
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
    // The sidecar uploads a 2h block at a time and proxies queries for the newest data.
    thanosSidecar: r("100m", "128Mi", "512Mi"),
    // Query and the store gateway hold series of the queried range; the compactor holds the
    // blocks it compacts or downsamples, which grow with the series count.
    thanosQuery: r("500m", "1Gi", "4Gi"),
    thanosQueryFrontend: r("250m", "512Mi", "1Gi"),
    thanosStoreGateway: r("500m", "2Gi", "4Gi"),
    thanosCompactor: r("1", "2Gi", "8Gi"),
    jaeger: r("500m", "1Gi", "2Gi"),
    jaegerEsIndexCleaner: r("50m", "64Mi", "128Mi"),
    otelCollector: r("200m", "256Mi", "512Mi"),
    lokiSingleBinary: r("1", "2Gi", "4Gi"),
    // Ingesters hold unflushed chunks in memory: the write target needs the most.
    lokiWrite: r("500m", "2Gi", "4Gi"),
    lokiRead: r("500m", "1Gi", "2Gi"),
    lokiBackend: r("250m", "1Gi", "2Gi"),
    lokiGateway: r("100m", "128Mi", "256Mi"),
    // Distributed mode: the per-pod requests of Loki's published sizing ("Size the cluster", p90
    // use, the tier under 3 TB/day); memory limits leave room for query and compaction spikes.
    lokiDistributor: r("2", "512Mi", "1Gi"),
    lokiIngester: r("2", "4Gi", "8Gi"),
    lokiQuerier: r("1", "1Gi", "4Gi"),
    lokiQueryFrontend: r("1", "2Gi", "4Gi"),
    lokiQueryScheduler: r("1", "512Mi", "1Gi"),
    lokiIndexGateway: r("500m", "2Gi", "4Gi"),
    lokiCompactor: r("2", "10Gi", "12Gi"),
    lokiChunksCache: r("500m", "4Gi", "5Gi"),
    lokiResultsCache: r("200m", "1Gi", "1280Mi"),
    lokiCacheExporter: r("20m", "32Mi", "64Mi"),
    alloy: r("200m", "512Mi", "1Gi"),
    alloyConfigReloader: r("10m", "32Mi", "64Mi"),
    promtail: r("200m", "256Mi", "512Mi"),
    eckOperator: r("100m", "256Mi", "1Gi"),
    elasticsearch: r("2", "8Gi", "8Gi"),
    elasticsearchMaster: r("500m", "2Gi", "2Gi"),
    kibana: r("500m", "2Gi", "2Gi"),
    filebeat: r("100m", "200Mi", "400Mi"),
    elasticIlmJob: r("20m", "32Mi", "64Mi"),
    // The chart's own request; istiod's memory grows with the number of services and proxies.
    istiod: r("500m", "2Gi", "4Gi"),
    istioGateway: r("100m", "128Mi", "1Gi"),
    istioProxy: r("100m", "128Mi", "1Gi"),
  },
};
