import { MAX_REPLICAS, KeyDeclaration, ConfigProblem, Section, Sizing, durationSeconds } from "../kit";

/** Where Jaeger keeps spans: in its own memory, on a Badger volume, or in Elasticsearch. */
export const TRACE_STORAGE_KINDS = ["memory", "badger", "elasticsearch"] as const;
export type TraceStorageKind = (typeof TRACE_STORAGE_KINDS)[number];

export interface TracingElasticsearchConfig {
  /**
   * `stack`: the stack's own ECK cluster (elastic.enabled), written as the dedicated
   * least-privilege user `jaeger` (password from `tracingElasticsearchPassword`, else generated),
   * over TLS verified with ECK's CA;
   * `external`: the cluster at `url`, as `username` with the secret `tracingElasticsearchPassword`.
   */
  cluster: "stack" | "external";
  /** The Elasticsearch URL of an external cluster, e.g. `https://search.example.com:9200`. */
  url?: string;
  /** The user Jaeger writes as: `jaeger` on the stack's cluster; defaults to `elastic` on an external one. */
  username: string;
  /** Jaeger's indices are `<indexPrefix>-jaeger-span-<day>` and so on. Defaults to `observability`. */
  indexPrefix: string;
}

/** The user Jaeger writes to the stack's own Elasticsearch as. */
export const TRACING_ES_STACK_USER = "jaeger";
/** Prefixes Elasticsearch's built-in data stream templates claim (`logs-*-*`, `traces-*-*`, ...): an index there would become a data stream. */
const RESERVED_PREFIXES = ["logs", "metrics", "traces", "synthetics", "profiling"];
const INDEX_PREFIX = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export interface TracingExporterConfig {
  /** An OTLP gRPC `host:port` the gateway sends every span to. */
  endpoint: string;
  /** Plaintext gRPC (in-cluster backends); false uses TLS with the system roots. Defaults to true. */
  insecure: boolean;
}

export interface TracingCollectorConfig {
  /** Run the OpenTelemetry Collector gateway in front of the backend. Defaults to false. */
  enabled: boolean;
  /** Gateway replicas. Defaults to 1. */
  replicas: number;
  /** Share of traces kept, 0 to 100 (probabilistic, by trace id). Defaults to 100. */
  samplingPercent: number;
  /** Where the gateway sends spans. Defaults to Jaeger's in-cluster OTLP endpoint. */
  exporter?: TracingExporterConfig;
}

export interface TracingConfig {
  /** Install the tracing part at all (namespace, backend, gateway, datasource). Defaults to true. */
  enabled: boolean;
  /** Run Jaeger, the trace store and UI. Defaults to true. */
  jaeger: { enabled: boolean };
  /** Jaeger's span storage. Defaults to `elasticsearch` when the stack runs Elasticsearch, else `memory`; production sizing needs a persistent kind. */
  storage: TraceStorageKind;
  /** How long spans are kept (badger TTL, Elasticsearch index age). Defaults to `72h`. */
  retention: string;
  /** Traces the memory store holds before it drops the oldest. Defaults to 5000. */
  maxTraces: number;
  /** The Badger PersistentVolumeClaim. Defaults to 10Gi. */
  badger: { size: string };
  /** The Elasticsearch cluster, with `storage: elasticsearch`. Absent otherwise. */
  elasticsearch?: TracingElasticsearchConfig;
  collector: TracingCollectorConfig;
}

/** The secret key that holds the Elasticsearch password Jaeger writes with. */
export const TRACING_ES_PASSWORD_KEY = "tracingElasticsearchPassword";

const HTTP_URL = /^https?:\/\/[^\s/:]+(:\d+)?(\/\S*)?$/;
const HOST_PORT = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:\d{1,5}$/;

/** A number in a closed range; `pulumi config set` without --path stores text, so "12.5" counts. */
function percent(s: Section, key: string, fallback: number): number {
  const v = s.raw(key);
  if (v === undefined) return fallback;
  const n = typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0 || n > 100) {
    s.problem(
      key,
      `must be a number from 0 to 100, got ${typeof v === "number" ? String(v) : JSON.stringify(v)}`,
      `set e.g. \`pulumi config set --path ${s.join(key)} 10\` to keep one trace in ten`,
    );
    return fallback;
  }
  return n;
}

/**
 * Reads `tracing`: Jaeger's storage and retention, the optional OpenTelemetry Collector gateway,
 * and the rules between them. Problems go to the shared list, each naming its key path.
 */
export function readTracing(
  s: Section,
  sizing: Sizing,
  problems: ConfigProblem[],
  elasticEnabled = false,
): TracingConfig {
  const enabled = s.bool("enabled", true);
  const j = s.child("jaeger");
  const jaeger = { enabled: j.bool("enabled", true) };
  j.done();
  // With the stack's own Elasticsearch, spans go there unless the stack file says otherwise.
  const defaultStorage: TraceStorageKind = elasticEnabled ? "elasticsearch" : "memory";
  const storage = s.oneOf("storage", TRACE_STORAGE_KINDS, defaultStorage) ?? defaultStorage;
  const retention = s.duration("retention", "72h");
  // More traces than this does not fit in any memory store: use badger or elasticsearch.
  const maxTraces = s.int("maxTraces", 5000, 100, 1_000_000);

  const b = s.child("badger");
  const badger = { size: b.quantity("size", "10Gi") };
  b.done();

  const e = s.child("elasticsearch");
  const url = e.optionalString("url", {
    re: HTTP_URL,
    what: "an http:// or https:// URL",
    example: "https://search-es-http.search.svc:9200",
  });
  const username = e.string("username", "elastic");
  const indexPrefix = e.optionalString("indexPrefix", {
    re: INDEX_PREFIX,
    what: "an index name prefix of up to 40 lowercase letters, digits, _ and -",
    example: "observability",
  });
  if (indexPrefix !== undefined && RESERVED_PREFIXES.includes(indexPrefix)) {
    e.problem(
      "indexPrefix",
      `is ${JSON.stringify(indexPrefix)}, which Elasticsearch's built-in ${indexPrefix}-*-* template claims: Jaeger's indices would become data streams`,
      "set another, e.g. `pulumi config set --path tracing.elasticsearch.indexPrefix observability`",
    );
  }
  e.done();

  const c = s.child("collector");
  const collectorEnabled = c.bool("enabled", false);
  const replicas = c.int("replicas", 1, 1, MAX_REPLICAS);
  const samplingPercent = percent(c, "samplingPercent", 100);
  const x = c.child("exporter");
  const endpoint = x.optionalString("endpoint", {
    re: HOST_PORT,
    what: "an OTLP gRPC host:port without a scheme",
    example: "tempo-distributor.tempo.svc:4317",
  });
  const insecure = x.bool("insecure", true);
  x.done();
  c.done();
  s.done();

  const jaegerOn = enabled && jaeger.enabled;
  if (jaegerOn && storage === "memory" && sizing === "production") {
    problems.push({
      path: "tracing.storage",
      problem: "is memory with sizing production, so every trace is lost when the Jaeger pod restarts",
      fix: "set `pulumi config set --path tracing.storage badger` (a PersistentVolumeClaim) or elasticsearch",
    });
  }
  const onStack =
    storage === "elasticsearch" && url === undefined && e.raw("url") === undefined && elasticEnabled;
  if (
    jaegerOn &&
    storage === "elasticsearch" &&
    url === undefined &&
    e.raw("url") === undefined &&
    !elasticEnabled
  ) {
    problems.push({
      path: "tracing.elasticsearch.url",
      problem:
        "is required when tracing.storage is elasticsearch and the stack runs no Elasticsearch of its own (elastic.enabled is false)",
      fix: "set it, e.g. `pulumi config set --path tracing.elasticsearch.url https://search.example.com:9200`, or `pulumi config set --path elastic.enabled true`",
    });
  }
  if (onStack && e.has("username")) {
    problems.push({
      path: "tracing.elasticsearch.username",
      problem: `is set, but Jaeger writes to the stack's own Elasticsearch as its dedicated user ${TRACING_ES_STACK_USER}, with only the privileges it needs`,
      fix: "remove it with `pulumi config rm --path tracing.elasticsearch.username`, or set tracing.elasticsearch.url to write to another cluster",
    });
  }
  if (durationSeconds(retention) < 3600) {
    problems.push({
      path: "tracing.retention",
      problem: `must be at least 1h, got ${JSON.stringify(retention)}`,
      fix: "set e.g. `pulumi config set --path tracing.retention 72h`",
    });
  }
  if (
    enabled &&
    collectorEnabled &&
    !jaeger.enabled &&
    endpoint === undefined &&
    x.raw("endpoint") === undefined
  ) {
    problems.push({
      path: "tracing.collector.exporter.endpoint",
      problem:
        "is not set while tracing.collector.enabled is true and tracing.jaeger.enabled is false, so the gateway has nowhere to send spans",
      fix: "set `pulumi config set --path tracing.collector.exporter.endpoint <host>:4317`, or `pulumi config set --path tracing.jaeger.enabled true`",
    });
  }
  if (enabled && !jaeger.enabled && !collectorEnabled) {
    problems.push({
      path: "tracing.jaeger.enabled",
      problem: "is false and tracing.collector.enabled is false, so nothing would receive spans",
      fix: "set `pulumi config set --path tracing.enabled false` to switch tracing off, or enable one of them",
    });
  }

  return {
    enabled,
    jaeger,
    storage,
    retention,
    maxTraces,
    badger,
    ...(url !== undefined
      ? {
          elasticsearch: {
            cluster: "external" as const,
            url,
            username,
            indexPrefix: indexPrefix ?? "observability",
          },
        }
      : onStack
        ? {
            elasticsearch: {
              cluster: "stack" as const,
              username: TRACING_ES_STACK_USER,
              indexPrefix: indexPrefix ?? "observability",
            },
          }
        : {}),
    collector: {
      enabled: collectorEnabled,
      replicas,
      samplingPercent,
      ...(endpoint !== undefined ? { exporter: { endpoint, insecure } } : {}),
    },
  };
}

/**
 * `tracing`: declared for Pulumi.yaml and docs/config.md (npm run gen) as a description; its fields are
 * still read by the hand-written reader in this file, and test/pulumi-yaml.test.ts checks that
 * the description names exactly the fields that reader knows.
 */
export const TRACING_KEY: KeyDeclaration = {
  kind: "prose",
  description: [
    "Traces: Jaeger v2 (store and UI) in namespace tracing, an optional OpenTelemetry Collector gateway,",
    "one OTLP endpoint for applications (Service otlp: 4317 gRPC, 4318 HTTP) and the Jaeger datasource in Grafana.",
    "  tracing.enabled                       Install the tracing part. Default: true.",
    "  tracing.storage                       memory | badger | elasticsearch. Production sizing refuses memory.",
    "                                        Default: elasticsearch with elastic.enabled (the stack's own cluster), else memory.",
    "  tracing.retention                     How long spans are kept (Badger TTL, Elasticsearch index age; at least 1h). Default: 72h.",
    "  tracing.maxTraces                     Traces the memory store holds before dropping the oldest. Default: 5000.",
    "  tracing.badger.size                   PersistentVolumeClaim size of the Badger store. Default: 10Gi.",
    "  tracing.elasticsearch.url             An external Elasticsearch's URL (password: tracingElasticsearchPassword); required",
    "                                        with storage elasticsearch unless elastic.enabled, whose cluster Jaeger then writes to",
    "                                        as its own least-privilege user, over TLS verified with ECK's CA. Default: none.",
    "  tracing.elasticsearch.username        The user Jaeger writes to an external cluster as. Default: elastic.",
    "  tracing.elasticsearch.indexPrefix     Jaeger's indices are <prefix>-jaeger-span-<day> and so on (a new index every day,",
    "                                        deleted after tracing.retention). Not logs, metrics, traces, synthetics",
    "                                        or profiling, which Elasticsearch's data streams claim. Default: observability.",
    "  tracing.jaeger.enabled                Run Jaeger. Default: true.",
    "  tracing.collector.enabled             Run the collector gateway (Kubernetes attributes, sampling, batching). Default: false.",
    "  tracing.collector.replicas            Gateway replicas. Default: 1.",
    "  tracing.collector.samplingPercent     Share of traces kept, 0-100, by trace id. Default: 100.",
    "  tracing.collector.exporter.endpoint   OTLP gRPC host:port the gateway exports to. Default: Jaeger (required without Jaeger).",
    "  tracing.collector.exporter.insecure   Plaintext gRPC to that endpoint. Default: true.",
  ].join("\n"),
};

/** `tracingElasticsearchPassword`, a secret key: read as a secret Output, never as plain config. */
export const TRACING_ES_PASSWORD_DECLARATION: KeyDeclaration = {
  kind: "secret",
  description: [
    "The password of tracing.elasticsearch.username, set with",
    "`pulumi config set --secret tracingElasticsearchPassword <value>`. It reaches Jaeger only through",
    "the Secret tracing/jaeger-elasticsearch. Required with tracing.elasticsearch.url (an external cluster);",
    "on the stack's own cluster it is the password of Jaeger's dedicated user. Default: none (generated on the stack's own).",
  ].join("\n"),
};
