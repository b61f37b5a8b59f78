/**
 * What each container of the logging part requests, per sizing preset, by the id that
 * `observability:resources` overrides use (the stack-wide budget rules: components/kit/config/sizing.ts).
 */
import { ContainerResources, resources as r, Sizing } from "../kit";

export const LOGGING_SIZING = {
  laptop: {
    // The single binary on a laptop ingests a few MB an hour; queries spike above the request, not the limit.
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
  },
  production: {
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
  },
} as const satisfies Record<Sizing, Record<string, ContainerResources>>;

declare module "../kit/config/sizing" {
  // The logging part's containers join the stack's (kit names none).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface StackContainers extends Record<keyof (typeof LOGGING_SIZING)["laptop"], ContainerResources> {}
}
