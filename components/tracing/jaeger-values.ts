import { RESTRICTED_CONTAINER, restrictedPod } from "./pod-security";
import {
  ContainerId,
  ContainerResources,
  ContainerSlot,
  Sizing,
  durationSeconds,
  goDuration,
  toK8s,
} from "../kit";
import { TracingConfig } from "./config";

/** The Helm release; the chart names its Service and Deployment after it (`jaeger`). */
export const JAEGER_RELEASE = "jaeger";
/** The chart's Service (its fullname: the release name, which contains the chart name). */
export const JAEGER_SERVICE = "jaeger";
/** Ports of the chart's Service, and the name of its metrics port (templates/jaeger/jaeger-service.yaml). */
export const JAEGER_PORTS = {
  otlpGrpc: 4317,
  otlpHttp: 4318,
  query: 16686,
  queryGrpc: 16685,
  health: 13133,
  metrics: 8888,
} as const;
export const JAEGER_METRICS_PORT_NAME = "internal-metrics";
/** The labels the chart puts on its all-in-one pods and Service. */
export const JAEGER_SELECTOR = {
  "app.kubernetes.io/name": "jaeger",
  "app.kubernetes.io/instance": JAEGER_RELEASE,
  "app.kubernetes.io/component": "all-in-one",
} as const;

/** The PersistentVolumeClaim the program owns for Badger, and where the pod mounts it. */
export const BADGER_CLAIM = "jaeger-badger";
export const BADGER_MOUNT = "/badger";
/** The Secret the program owns with the Elasticsearch password, read into this variable. */
export const ES_SECRET = "jaeger-elasticsearch";
export const ES_SECRET_KEY = "password";
export const ES_PASSWORD_ENV = "ES_PASSWORD";

/** The one storage backend Jaeger writes to and queries. */
const STORE = "primary_store";
/** The image's user (jaegertracing/jaeger runs as 10001). */
const JAEGER_UID = 10001;
/** The es-index-cleaner image's user, as the chart sets it. */
const CLEANER_UID = 1000;

/** The Secret (in Jaeger's namespace) with ECK's CA certificate, copied there by the search part, and where Jaeger mounts it. */
export const ES_CA_SECRET = "jaeger-elasticsearch-ca";
export const ES_CA_KEY = "ca.crt";
export const ES_CA_MOUNT = "/es-ca";

/** The stack's own Elasticsearch as Jaeger reaches it. */
export interface StackElasticsearch {
  /** Its in-cluster HTTPS URL. */
  url: string;
  /** Replicas per shard the cluster can hold (one where every data tier has two nodes). */
  replicas: number;
}

export interface JaegerValuesArgs {
  tracing: TracingConfig;
  sizing: Sizing;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** The stack's own Elasticsearch, with `tracing.elasticsearch.cluster: stack`. Defaults to none. */
  stackElasticsearch?: StackElasticsearch;
}

/**
 * Where Jaeger writes: the external URL, or the stack's cluster; `ca` when it verifies the cluster
 * with a CA mounted from ES_CA_SECRET (ECK's, copied in, or the external cluster's caBundle).
 */
function elasticsearchTarget(args: Pick<JaegerValuesArgs, "tracing" | "stackElasticsearch">): {
  url: string;
  ca: boolean;
} {
  const es = args.tracing.elasticsearch;
  if (es === undefined) throw new Error("tracing.storage elasticsearch needs tracing.elasticsearch");
  if (es.cluster === "external") {
    if (es.url === undefined) throw new Error("an external Elasticsearch needs tracing.elasticsearch.url");
    return { url: es.url, ca: es.caBundle !== undefined };
  }
  if (args.stackElasticsearch === undefined) {
    throw new Error("tracing.elasticsearch on the stack's cluster needs the cluster's URL (elastic.enabled)");
  }
  return { url: args.stackElasticsearch.url, ca: true };
}

/** The storage backend of Jaeger v2's `jaeger_storage` extension for the configured kind. */
export function jaegerStorageBackend(
  args: Pick<JaegerValuesArgs, "tracing" | "sizing" | "stackElasticsearch">,
): Record<string, unknown> {
  const { tracing } = args;
  switch (tracing.storage) {
    case "memory":
      return { memory: { max_traces: tracing.maxTraces } };
    case "badger":
      return {
        badger: {
          directories: { keys: `${BADGER_MOUNT}/keys`, values: `${BADGER_MOUNT}/values` },
          ephemeral: false,
          ttl: { spans: goDuration(tracing.retention) },
        },
      };
    case "elasticsearch": {
      const es = tracing.elasticsearch;
      if (es === undefined) throw new Error("tracing.storage elasticsearch needs tracing.elasticsearch");
      const target = elasticsearchTarget(args);
      // Daily indices (a rollover a day), so the index cleaner can drop whole days past the retention.
      const index = {
        date_layout: "2006-01-02",
        rollover_frequency: "day",
        shards: 1,
        // The stack's cluster says how many copies it can hold; elsewhere a laptop runs a single
        // node, where replicas would never be allocated.
        replicas: args.stackElasticsearch?.replicas ?? (args.sizing === "production" ? 1 : 0),
      };
      return {
        elasticsearch: {
          server_urls: [target.url],
          // Expanded by Jaeger from the pod's environment: the password never reaches Helm values.
          auth: { basic: { username: es.username, password: `\${env:${ES_PASSWORD_ENV}}` } },
          // TLS verified against ECK's CA on the stack's cluster, or the configured CA bundle
          // (no skip-verify anywhere); an external cluster without one uses the system roots.
          ...(target.ca ? { tls: { ca_file: `${ES_CA_MOUNT}/${ES_CA_KEY}` } } : {}),
          indices: {
            // Jaeger's own prefix: `<prefix>-jaeger-span-<day>`, all the dedicated user may touch.
            index_prefix: es.indexPrefix,
            spans: index,
            services: index,
            dependencies: index,
            sampling: index,
          },
          // Queries never look further back than what is kept.
          max_span_age: goDuration(tracing.retention),
        },
      };
    }
  }
}

/**
 * Jaeger v2's own configuration (an OpenTelemetry Collector config): OTLP in on 4317/4318,
 * one storage backend, the query service and UI on 16686, health on 13133 and Prometheus
 * metrics on 8888. Every listener binds 0.0.0.0: Jaeger's defaults are localhost.
 */
export function jaegerConfig(
  args: Pick<JaegerValuesArgs, "tracing" | "sizing" | "stackElasticsearch">,
): Record<string, unknown> {
  const any = (port: number) => `0.0.0.0:${port}`;
  return {
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
      pipelines: {
        traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
      },
      telemetry: {
        metrics: {
          level: "detailed",
          readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: JAEGER_PORTS.metrics } } } }],
        },
        logs: { level: "info" },
      },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: any(JAEGER_PORTS.health) } },
      jaeger_query: {
        storage: { traces: STORE },
        http: { endpoint: any(JAEGER_PORTS.query) },
        grpc: { endpoint: any(JAEGER_PORTS.queryGrpc) },
      },
      jaeger_storage: { backends: { [STORE]: jaegerStorageBackend(args) } },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: any(JAEGER_PORTS.otlpGrpc) },
          http: { endpoint: any(JAEGER_PORTS.otlpHttp) },
        },
      },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: STORE } },
  };
}

const esPasswordEnv = [
  {
    name: ES_PASSWORD_ENV,
    valueFrom: { secretKeyRef: { name: ES_SECRET, key: ES_SECRET_KEY } },
  },
];

/**
 * Values for the jaeger chart 4.x (Jaeger v2, one all-in-one Deployment). Keys checked against
 * the chart's values.yaml and templates/jaeger/jaeger-deploy.yaml at 4.4.8 and 4.13.0.
 */
export function jaegerValues(args: JaegerValuesArgs): Record<string, unknown> {
  const { tracing } = args;
  const badger = tracing.storage === "badger";
  const es = tracing.storage === "elasticsearch" ? tracing.elasticsearch : undefined;
  const target = es !== undefined ? elasticsearchTarget(args) : undefined;
  const ca = target?.ca === true;
  const volumes = [
    ...(badger ? [{ name: "badger-data", persistentVolumeClaim: { claimName: BADGER_CLAIM } }] : []),
    ...(ca ? [{ name: "es-ca", secret: { secretName: ES_CA_SECRET } }] : []),
  ];
  const mounts = [
    ...(badger ? [{ name: "badger-data", mountPath: BADGER_MOUNT }] : []),
    ...(ca ? [{ name: "es-ca", mountPath: ES_CA_MOUNT, readOnly: true }] : []),
  ];
  return {
    jaeger: {
      // Memory and Badger live in one pod (the chart's Recreate strategy keeps the claim single-attached).
      replicas: 1,
      resources: toK8s(args.resources.jaeger),
      podSecurityContext: restrictedPod(JAEGER_UID),
      securityContext: RESTRICTED_CONTAINER,
      extraEnv: es !== undefined ? esPasswordEnv : [],
      extraVolumes: volumes,
      extraVolumeMounts: mounts,
    },
    // Mounted as /etc/jaeger/user-config.yaml and passed with --config by the chart.
    userconfig: jaegerConfig(args),
    ...(es !== undefined && target !== undefined
      ? {
          // Read only by the chart's Elasticsearch maintenance jobs.
          storage: { type: "elasticsearch", elasticsearch: { url: target.url, user: es.username } },
        }
      : {}),
    esIndexCleaner: {
      enabled: es !== undefined,
      ...(es !== undefined
        ? {
            // Deletes the daily indices older than the retention, every night.
            numberOfDays: Math.max(1, Math.ceil(durationSeconds(tracing.retention) / 86400)),
            resources: toK8s(args.resources.jaegerEsIndexCleaner),
            podSecurityContext: restrictedPod(CLEANER_UID),
            securityContext: RESTRICTED_CONTAINER,
            // The chart's helper writes a placeholder ES_PASSWORD first; Kubernetes uses the last
            // definition of a variable, so this one, from the Secret, is what the job sees.
            extraEnv: esPasswordEnv,
            // Only Jaeger's own indices, over TLS verified with the mounted CA when there is one.
            cmdlineParams: {
              "index-prefix": es.indexPrefix,
              ...(ca ? { "es.tls.enabled": "true", "es.tls.ca": `${ES_CA_MOUNT}/${ES_CA_KEY}` } : {}),
            },
            ...(ca
              ? {
                  extraSecretMounts: [
                    {
                      name: "es-ca",
                      mountPath: ES_CA_MOUNT,
                      subPath: "",
                      readOnly: true,
                      secretName: ES_CA_SECRET,
                    },
                  ],
                }
              : {}),
          }
        : {}),
    },
  };
}

/** Every container the jaeger chart runs with these values, and where it is sized. */
export const JAEGER_CONTAINERS: readonly ContainerSlot[] = [
  { container: "jaeger", resources: "jaeger.resources", replicas: "jaeger.replicas" },
  {
    container: "es-index-cleaner",
    resources: "esIndexCleaner.resources",
    enabledWhen: ["esIndexCleaner.enabled"],
    runs: "cron",
  },
];
