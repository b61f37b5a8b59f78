import {
  ConfigProblem,
  durationSeconds,
  Fields,
  Infer,
  KeyDeclaration,
  MAX_REPLICAS,
  readFields,
  Section,
  Sizing,
} from "../kit";

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
  /**
   * PEM certificates Jaeger verifies an external `https://` cluster with, in place of the system
   * roots (a private CA). Defaults to none. The stack's own cluster is verified with ECK's CA.
   */
  caBundle?: string;
}

/** The user Jaeger writes to the stack's own Elasticsearch as. */
export const TRACING_ES_STACK_USER = "jaeger";
/** Prefixes Elasticsearch's built-in data stream templates claim (`logs-*-*`, `traces-*-*`, ...): an index there would become a data stream. */
const RESERVED_PREFIXES = ["logs", "metrics", "traces", "synthetics", "profiling"];
const INDEX_PREFIX = /^[a-z0-9][a-z0-9_-]{0,39}$/;
/** One or more PEM certificates, nothing else (a private key in a CA bundle would be a leak). */
const PEM_CERTIFICATES =
  /^\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/** The secret key that holds the Elasticsearch password Jaeger writes with. */
export const TRACING_ES_PASSWORD_KEY = "tracingElasticsearchPassword";

const HTTP_URL = /^https?:\/\/[^\s/:]+(:\d+)?(\/\S*)?$/;
const HOST_PORT = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:\d{1,5}$/;

/** The Elasticsearch cluster Jaeger writes to, as declared; its reader decides which cluster that is. */
export const TRACING_ES_FIELDS = {
  url: {
    kind: "string",
    format: {
      re: HTTP_URL,
      what: "an http:// or https:// URL",
      example: "https://search-es-http.search.svc:9200",
    },
    defaultText: "none",
    description: `An external Elasticsearch's URL (password: ${TRACING_ES_PASSWORD_KEY}); required with storage elasticsearch unless elastic.enabled, whose cluster Jaeger then writes to as its own least-privilege user ${TRACING_ES_STACK_USER}, over TLS verified with ECK's CA.`,
  },
  username: {
    kind: "string",
    default: "elastic",
    description: `The user Jaeger writes to an external cluster as; on the stack's own cluster it is always ${TRACING_ES_STACK_USER}.`,
  },
  indexPrefix: {
    kind: "string",
    format: {
      re: INDEX_PREFIX,
      what: "an index name prefix of up to 40 lowercase letters, digits, _ and -",
      example: "observability",
    },
    default: "observability",
    description: `Jaeger's indices are <prefix>-jaeger-span-<day> and so on (a new index every day, deleted after tracing.retention). Not ${RESERVED_PREFIXES.slice(0, -1).join(", ")} or ${RESERVED_PREFIXES.at(-1) ?? ""}, which Elasticsearch's data streams claim.`,
  },
  caBundle: {
    kind: "string",
    format: {
      re: PEM_CERTIFICATES,
      what: "one or more PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
      example: '"$(cat ca.pem)"',
    },
    defaultText: "none (the system's roots)",
    description:
      "The CA certificates Jaeger verifies an external https:// cluster (tracing.elasticsearch.url) with, when a private CA signed its certificate; the program puts them in the Secret tracing/jaeger-elasticsearch-ca. The stack's own cluster is verified with ECK's CA.",
  },
} as const satisfies Fields;

/** Where the collector gateway sends every span, when not to Jaeger. */
export const TRACING_EXPORTER_FIELDS = {
  endpoint: {
    kind: "string",
    format: {
      re: HOST_PORT,
      what: "an OTLP gRPC host:port without a scheme",
      example: "tempo-distributor.tempo.svc:4317",
    },
    defaultText: "Jaeger (required without Jaeger)",
    description: "The OTLP gRPC host:port the gateway exports to.",
  },
  insecure: {
    kind: "boolean",
    default: true,
    description:
      "Plaintext gRPC to that endpoint (in-cluster backends); false uses TLS with the system roots.",
  },
} as const satisfies Fields;

export const TRACING_FIELDS = {
  enabled: {
    kind: "boolean",
    default: true,
    description: "Install the tracing part (namespace, Jaeger, the gateway, the datasource).",
  },
  jaeger: {
    kind: "group",
    description: "Jaeger v2: the trace store and UI.",
    fields: { enabled: { kind: "boolean", default: true, description: "Run Jaeger." } },
  },
  storage: {
    kind: "custom",
    type: TRACE_STORAGE_KINDS.join(" | "),
    defaultText: "elasticsearch with elastic.enabled (the stack's own cluster), else memory",
    constraints: "not memory with sizing production",
    description: "Jaeger's span storage: its own memory, a Badger volume, or Elasticsearch.",
  },
  retention: {
    kind: "string",
    format: "duration",
    default: "72h",
    description: "How long spans are kept (Badger TTL, Elasticsearch index age); at least 1h.",
  },
  maxTraces: {
    kind: "integer",
    default: 5000,
    // More traces than this does not fit in any memory store: use badger or elasticsearch.
    min: 100,
    max: 1_000_000,
    description: "Traces the memory store holds before it drops the oldest.",
  },
  badger: {
    kind: "group",
    description: "The Badger store, with storage badger.",
    fields: {
      size: {
        kind: "string",
        format: "size",
        default: "10Gi",
        description: "The size of its PersistentVolumeClaim.",
      },
    },
  },
  elasticsearch: {
    kind: "custom",
    type: "object",
    defaultText: "the stack's own cluster with elastic.enabled",
    description: "The Elasticsearch cluster Jaeger writes to, with storage elasticsearch.",
    fields: TRACING_ES_FIELDS,
  },
  collector: {
    kind: "group",
    description:
      "The OpenTelemetry Collector gateway in front of the backend: Kubernetes attributes, sampling, batching.",
    fields: {
      enabled: { kind: "boolean", default: false, description: "Run the gateway." },
      replicas: { kind: "integer", default: 1, min: 1, max: MAX_REPLICAS, description: "Gateway replicas." },
      samplingPercent: {
        kind: "number",
        default: 100,
        min: 0,
        max: 100,
        what: "a number from 0 to 100",
        example: { value: 10, effect: "to keep one trace in ten" },
        description: "Share of traces kept, by trace id (so every replica keeps or drops a trace whole).",
      },
      exporter: {
        kind: "custom",
        type: "object",
        defaultText: "Jaeger's in-cluster OTLP endpoint",
        description: "Where the gateway sends every span.",
        fields: TRACING_EXPORTER_FIELDS,
      },
    },
  },
} as const satisfies Fields;

type ReadTracing = Infer<typeof TRACING_FIELDS>;

export interface TracingExporterConfig {
  /** An OTLP gRPC `host:port` the gateway sends every span to. */
  endpoint: string;
  /** Plaintext gRPC (in-cluster backends); false uses TLS with the system roots. Defaults to true. */
  insecure: boolean;
}

/** The OpenTelemetry Collector gateway, as TRACING_FIELDS declares it. */
export type TracingCollectorConfig = ReadTracing["collector"] & {
  /** Where the gateway sends spans. Defaults to Jaeger's in-cluster OTLP endpoint. */
  exporter?: TracingExporterConfig;
};

/** Traces, as TRACING_FIELDS declares them. */
export type TracingConfig = Omit<ReadTracing, "collector"> & {
  /** Jaeger's span storage. Defaults to `elasticsearch` when the stack runs Elasticsearch, else `memory`; production sizing needs a persistent kind. */
  storage: TraceStorageKind;
  /** The Elasticsearch cluster, with `storage: elasticsearch`. Absent otherwise. */
  elasticsearch?: TracingElasticsearchConfig;
  collector: TracingCollectorConfig;
};

/**
 * Reads `tracing` as TRACING_FIELDS declares it: Jaeger's storage and retention, the optional
 * OpenTelemetry Collector gateway, and the rules between them. The storage, whose default comes
 * from elastic.enabled, and the two objects the reader reshapes have their own readers. Problems go
 * to the shared list, each naming its key path.
 */
export function readTracing(
  s: Section,
  sizing: Sizing,
  problems: ConfigProblem[],
  elasticEnabled = false,
): TracingConfig {
  // With the stack's own Elasticsearch, spans go there unless the stack file says otherwise.
  const defaultStorage: TraceStorageKind = elasticEnabled ? "elasticsearch" : "memory";
  // What the custom readers read, for the rules and the result below.
  const got: {
    storage: TraceStorageKind;
    es?: Infer<typeof TRACING_ES_FIELDS>;
    exporter?: Infer<typeof TRACING_EXPORTER_FIELDS>;
    urlSet: boolean;
    usernameSet: boolean;
    endpointSet: boolean;
  } = { storage: defaultStorage, urlSet: false, usernameSet: false, endpointSet: false };
  const read = readFields(s, TRACING_FIELDS, {
    readers: {
      storage: (t, key) => {
        got.storage = t.oneOf(key, TRACE_STORAGE_KINDS, defaultStorage) ?? defaultStorage;
      },
      elasticsearch: (t, key) => {
        const e = t.child(key);
        got.es = readFields(e, TRACING_ES_FIELDS, {
          checks: {
            indexPrefix: (es, k, value) => {
              if (typeof value === "string" && RESERVED_PREFIXES.includes(value)) {
                es.problem(
                  k,
                  `is ${JSON.stringify(value)}, which Elasticsearch's built-in ${value}-*-* template claims: Jaeger's indices would become data streams`,
                  "set another, e.g. `pulumi config set --path tracing.elasticsearch.indexPrefix observability`",
                );
              }
            },
          },
        });
        got.urlSet = e.has("url");
        got.usernameSet = e.has("username");
      },
      "collector.exporter": (c, key) => {
        const x = c.child(key);
        got.exporter = readFields(x, TRACING_EXPORTER_FIELDS);
        got.endpointSet = x.has("endpoint");
      },
    },
  });
  const { enabled, jaeger, retention, maxTraces, badger, collector } = read;
  const { storage } = got;

  const jaegerOn = enabled && jaeger.enabled;
  if (jaegerOn && storage === "memory" && sizing === "production") {
    problems.push({
      path: "tracing.storage",
      problem: "is memory with sizing production, so every trace is lost when the Jaeger pod restarts",
      fix: "set `pulumi config set --path tracing.storage badger` (a PersistentVolumeClaim) or elasticsearch",
    });
  }
  const onStack = storage === "elasticsearch" && !got.urlSet && elasticEnabled;
  if (jaegerOn && storage === "elasticsearch" && !got.urlSet && !elasticEnabled) {
    problems.push({
      path: "tracing.elasticsearch.url",
      problem:
        "is required when tracing.storage is elasticsearch and the stack runs no Elasticsearch of its own (elastic.enabled is false)",
      fix: "set it, e.g. `pulumi config set --path tracing.elasticsearch.url https://search.example.com:9200`, or `pulumi config set --path elastic.enabled true`",
    });
  }
  const caBundleSet = got.es?.caBundle !== undefined;
  if (caBundleSet && !got.urlSet) {
    problems.push({
      path: "tracing.elasticsearch.caBundle",
      problem:
        "is set, but Jaeger writes to the stack's own Elasticsearch, whose certificate it verifies with ECK's CA",
      fix: "remove it with `pulumi config rm --path tracing.elasticsearch.caBundle`, or set tracing.elasticsearch.url to the external cluster it verifies",
    });
  } else if (caBundleSet && got.es?.url?.startsWith("http://") === true) {
    problems.push({
      path: "tracing.elasticsearch.caBundle",
      problem: `is set, but tracing.elasticsearch.url ${JSON.stringify(got.es.url)} is plain http, so there is no certificate to verify`,
      fix: "set tracing.elasticsearch.url to the cluster's https:// URL, or remove it with `pulumi config rm --path tracing.elasticsearch.caBundle`",
    });
  }
  if (onStack && got.usernameSet) {
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
  } else if (jaegerOn && storage === "memory" && s.has("retention")) {
    problems.push({
      path: "tracing.retention",
      problem:
        "is set, but tracing.storage is memory, which keeps the newest tracing.maxTraces traces and has no retention",
      fix: "remove it with `pulumi config rm --path tracing.retention`, or keep spans for a time with `pulumi config set --path tracing.storage badger`",
    });
  }
  if (enabled && collector.enabled && !jaeger.enabled && !got.endpointSet) {
    problems.push({
      path: "tracing.collector.exporter.endpoint",
      problem:
        "is not set while tracing.collector.enabled is true and tracing.jaeger.enabled is false, so the gateway has nowhere to send spans",
      fix: "set `pulumi config set --path tracing.collector.exporter.endpoint <host>:4317`, or `pulumi config set --path tracing.jaeger.enabled true`",
    });
  }
  if (enabled && !jaeger.enabled && !collector.enabled) {
    problems.push({
      path: "tracing.jaeger.enabled",
      problem: "is false and tracing.collector.enabled is false, so nothing would receive spans",
      fix: "set `pulumi config set --path tracing.enabled false` to switch tracing off, or enable one of them",
    });
  }

  const es = got.es;
  const exporter = got.exporter;
  return {
    enabled,
    jaeger,
    storage,
    retention,
    maxTraces,
    badger,
    ...(es?.url !== undefined
      ? {
          elasticsearch: {
            cluster: "external" as const,
            url: es.url,
            username: es.username,
            indexPrefix: es.indexPrefix,
            ...(es.caBundle !== undefined ? { caBundle: es.caBundle } : {}),
          },
        }
      : onStack && es !== undefined
        ? {
            elasticsearch: {
              cluster: "stack" as const,
              username: TRACING_ES_STACK_USER,
              indexPrefix: es.indexPrefix,
            },
          }
        : {}),
    collector: {
      ...collector,
      ...(exporter?.endpoint !== undefined
        ? { exporter: { endpoint: exporter.endpoint, insecure: exporter.insecure } }
        : {}),
    },
  };
}

/** `tracing`, declared once: Pulumi.yaml and docs/config.md (npm run gen) come from this. */
export const TRACING_KEY: KeyDeclaration = {
  kind: "object",
  description:
    "Traces: Jaeger v2 (store and UI) in namespace tracing, an optional OpenTelemetry Collector gateway, one OTLP endpoint for applications (Service otlp: 4317 gRPC, 4318 HTTP) and the Jaeger datasource in Grafana.",
  fields: TRACING_FIELDS,
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
