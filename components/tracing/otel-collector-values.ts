import { RESTRICTED_CONTAINER, restrictedPod } from "./pod-security";
import { ContainerId, ContainerResources, ContainerSlot, toK8s } from "../kit";
import { TracingCollectorConfig } from "./config";

/** The Helm release, and the name of its Deployment and Service (set with fullnameOverride). */
export const COLLECTOR_RELEASE = "otel-gateway";
export const COLLECTOR_SERVICE = "otel-gateway";
/** The labels the chart puts on the gateway's pods and Service (its selectorLabels helper). */
export const COLLECTOR_SELECTOR = {
  "app.kubernetes.io/name": "opentelemetry-collector",
  "app.kubernetes.io/instance": COLLECTOR_RELEASE,
} as const;
/** The chart's Service port names: OTLP in, and the collector's own metrics (8888). */
export const COLLECTOR_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, metrics: 8888, health: 13133 } as const;
export const COLLECTOR_METRICS_PORT_NAME = "metrics";
/**
 * The Kubernetes distribution: it has the k8s_attributes, probabilistic_sampler and
 * tail_sampling processors and the OTLP exporters, and nothing that reads host paths.
 */
export const COLLECTOR_IMAGE = "otel/opentelemetry-collector-k8s";
/** The processor the chart's kubernetesAttributes preset defines (the new name, see rewriteDeprecatedComponentNames). */
export const K8S_ATTRIBUTES_PROCESSOR = "k8s_attributes";
/** The exporter every span leaves through. */
export const BACKEND_EXPORTER = "otlp_grpc/backend";
/** The images' user (the collector images run as 10001). */
const COLLECTOR_UID = 10001;

export interface CollectorPipelineArgs {
  collector: TracingCollectorConfig;
  /** Where spans go when tracing.collector.exporter is unset: Jaeger's OTLP gRPC `host:port`. */
  defaultEndpoint?: string;
}

/**
 * The gateway's whole configuration (the chart's `alternateConfig`, which replaces the chart's
 * default pipelines instead of merging into them). One traces pipeline: OTLP in, memory guard,
 * Kubernetes attributes, probabilistic sampling by trace id (consistent across replicas, so no
 * trace is cut in half), batching, and OTLP gRPC out to the backend.
 */
export function collectorPipelineConfig(args: CollectorPipelineArgs): Record<string, unknown> {
  const { collector } = args;
  const exporter =
    collector.exporter ??
    (args.defaultEndpoint !== undefined ? { endpoint: args.defaultEndpoint, insecure: true } : undefined);
  if (exporter === undefined) throw new Error("the collector gateway needs an exporter endpoint");
  // The chart sets MY_POD_IP; binding to it rather than 0.0.0.0 is its security default.
  const podIp = (port: number) => `\${env:MY_POD_IP}:${port}`;
  const sample = collector.samplingPercent < 100;
  return {
    extensions: { health_check: { endpoint: podIp(COLLECTOR_PORTS.health) } },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: podIp(COLLECTOR_PORTS.otlpGrpc) },
          http: { endpoint: podIp(COLLECTOR_PORTS.otlpHttp) },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 },
      ...(sample ? { probabilistic_sampler: { sampling_percentage: collector.samplingPercent } } : {}),
      batch: {},
    },
    exporters: {
      [BACKEND_EXPORTER]: { endpoint: exporter.endpoint, tls: { insecure: exporter.insecure } },
    },
    service: {
      extensions: ["health_check"],
      telemetry: {
        metrics: {
          readers: [
            {
              pull: { exporter: { prometheus: { host: "${env:MY_POD_IP}", port: COLLECTOR_PORTS.metrics } } },
            },
          ],
        },
      },
      pipelines: {
        traces: {
          receivers: ["otlp"],
          // Listed here so the preset keeps it after the memory guard instead of prepending it.
          processors: [
            "memory_limiter",
            K8S_ATTRIBUTES_PROCESSOR,
            ...(sample ? ["probabilistic_sampler"] : []),
            "batch",
          ],
          exporters: [BACKEND_EXPORTER],
        },
      },
    },
  };
}

export interface CollectorValuesArgs extends CollectorPipelineArgs {
  resources: Readonly<Record<ContainerId, ContainerResources>>;
}

/**
 * Values for the opentelemetry-collector chart (keys checked against its values.yaml and
 * templates/_config.tpl at 0.173.0; `mode` and `image.repository` are required).
 */
export function collectorValues(args: CollectorValuesArgs): Record<string, unknown> {
  const { collector } = args;
  return {
    mode: "deployment",
    image: { repository: COLLECTOR_IMAGE },
    fullnameOverride: COLLECTOR_SERVICE,
    replicaCount: collector.replicas,
    // Pins the processor name the preset defines to the one the pipeline lists.
    rewriteDeprecatedComponentNames: true,
    // Defines the k8s_attributes processor and the ClusterRole it needs to read pods.
    presets: { kubernetesAttributes: { enabled: true } },
    alternateConfig: collectorPipelineConfig(args),
    // Only OTLP is received; the chart's Jaeger and Zipkin ports would lead nowhere.
    ports: {
      "jaeger-compact": { enabled: false },
      "jaeger-thrift": { enabled: false },
      "jaeger-grpc": { enabled: false },
      zipkin: { enabled: false },
      metrics: { enabled: true },
    },
    resources: toK8s(args.resources.otelCollector),
    podSecurityContext: restrictedPod(COLLECTOR_UID),
    securityContext: RESTRICTED_CONTAINER,
    podDisruptionBudget: collector.replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
  };
}

/** Every container the opentelemetry-collector chart runs with these values. */
export const OTEL_COLLECTOR_CONTAINERS: readonly ContainerSlot[] = [
  { container: "opentelemetry-collector", resources: "resources", replicas: "replicaCount" },
];
