import {
  Fields,
  Infer,
  readFields,
  MAX_REPLICAS,
  KeyDeclaration,
  patterns,
  Section,
  durationSeconds,
  readS3Credentials,
  S3_ACCESS_KEY_ID_KEY,
  S3_SECRET_ACCESS_KEY_KEY,
  S3Credentials,
} from "../kit";

/**
 * Loki's deployment modes as the chart names them. `SingleBinary<->SimpleScalable` and
 * `SimpleScalable<->Distributed` are the chart's transitional modes: both kinds of targets run at
 * once, in one ring, while a cluster moves between them.
 */
export const LOKI_MODES = [
  "SingleBinary",
  "SimpleScalable",
  "Distributed",
  "SingleBinary<->SimpleScalable",
  "SimpleScalable<->Distributed",
] as const;
export type LokiMode = (typeof LOKI_MODES)[number];

/** The components Distributed mode runs, by the chart's values key (the ruler stays off: the stack ships no Loki rules). */
export const LOKI_DISTRIBUTED_COMPONENTS = [
  "distributor",
  "ingester",
  "querier",
  "queryFrontend",
  "queryScheduler",
  "indexGateway",
  "compactor",
] as const;
export type LokiDistributedComponent = (typeof LOKI_DISTRIBUTED_COMPONENTS)[number];

/** Distributed mode's size presets, each for a daily log volume (see LOKI_SCALE_PRESETS). */
export const LOKI_SCALES = ["small", "medium", "large"] as const;
export type LokiScale = (typeof LOKI_SCALES)[number];

/**
 * Replicas per component for each scale, from Loki's published sizing guidance ("Size the
 * cluster", grafana.com/docs/loki/latest/setup/size): its smallest tier (under 3 TB/day) is
 * `large` as published; `medium` and `small` scale its replica counts down by volume, keeping
 * three ingesters (one per zone, replication factor 3) and two of every stateless component.
 * Loki's guide keeps the pod sizes and scales the replicas; so does this table (pod sizes come
 * from the sizing preset).
 */
export const LOKI_SCALE_PRESETS: Readonly<
  Record<LokiScale, { gbPerDay: number; replicas: Readonly<Record<LokiDistributedComponent, number>> }>
> = {
  small: {
    gbPerDay: 100,
    replicas: {
      distributor: 2,
      ingester: 3,
      querier: 2,
      queryFrontend: 2,
      queryScheduler: 2,
      indexGateway: 2,
      compactor: 1,
    },
  },
  medium: {
    gbPerDay: 1000,
    replicas: {
      distributor: 3,
      ingester: 3,
      querier: 4,
      queryFrontend: 2,
      queryScheduler: 2,
      indexGateway: 3,
      compactor: 1,
    },
  },
  large: {
    gbPerDay: 3000,
    replicas: {
      distributor: 4,
      ingester: 6,
      querier: 10,
      queryFrontend: 2,
      queryScheduler: 2,
      indexGateway: 4,
      compactor: 1,
    },
  },
};

/** Distributed mode: the scale preset and the replicas it gives each component. */
export interface LokiDistributedConfig {
  /** The daily log volume preset. Defaults to `small`. */
  scale: LokiScale;
  /** Replicas per component, from the preset. */
  replicas: Record<LokiDistributedComponent, number>;
}

/** Log collectors: Alloy, or Promtail (deprecated upstream) for clusters that still run it. */
export const LOG_COLLECTORS = ["alloy", "promtail"] as const;
export type LogCollectorKind = (typeof LOG_COLLECTORS)[number];

/** `s3`: any S3-compatible bucket; `minio`: the chart's bundled MinIO, for trying things out only. */
export const OBJECT_STORAGE_TYPES = ["s3", "minio"] as const;

/** The secret config keys that can hold the S3 access key pair. */
export const LOKI_S3_SECRET_KEYS = {
  accessKeyId: "lokiS3AccessKeyId",
  secretAccessKey: "lokiS3SecretAccessKey",
} as const;

/** The Secret the program creates from the secret config keys, in Loki's namespace. */
export const LOKI_S3_CREDENTIALS_SECRET = "loki-s3-credentials";

/** Keys of the credentials Secret, whether the program creates it or the platform team does. */
export { S3_ACCESS_KEY_ID_KEY, S3_SECRET_ACCESS_KEY_KEY };

/** The schema period's start when none is configured. Fixed: it must never move by itself. */
export const DEFAULT_SCHEMA_FROM = "2024-04-01";

export interface S3Buckets {
  /** Bucket for log chunks and the index. Required. */
  chunks: string;
  /** Bucket for ruler state. Required. */
  ruler: string;
  /** Bucket for the admin API (Grafana Enterprise Logs only). Defaults to none. */
  admin?: string;
}

/** Where the S3 access key pair comes from; either way, a Secret in Loki's namespace holds it. */
export type { S3Credentials };

/** An S3-compatible bucket (AWS S3, GCS interop, Ceph, an external MinIO, ...). */
export interface S3ObjectStorage {
  type: "s3";
  /** Host name and optional port of the S3 API, without scheme. Defaults to AWS S3 for the region. */
  endpoint?: string;
  /** The bucket's region. Required. */
  region: string;
  buckets: S3Buckets;
  /** Path-style URLs (`endpoint/bucket`), which most S3-compatible stores need. Defaults to false. */
  forcePathStyle: boolean;
  /** Plain HTTP to the endpoint. Defaults to false. */
  insecure: boolean;
  credentials: S3Credentials;
}

/** The chart's bundled MinIO: one pod, chart-default credentials, deprecated upstream. */
export interface MinioObjectStorage {
  type: "minio";
}

export type LokiObjectStorage = S3ObjectStorage | MinioObjectStorage;

export interface LokiConfig {
  /** Install Loki (and with it the log collector and Grafana's Loki datasource). Defaults to true. */
  enabled: boolean;
  /** The deployment mode. Defaults to `SingleBinary`. */
  mode: LokiMode;
  /** Single-binary replicas: 1 in SingleBinary and transitional mode, 0 in SimpleScalable. */
  singleBinaryReplicas: number;
  /** Replicas of the scalable targets: 3 each in SimpleScalable and the transitional modes, 0 otherwise. */
  scalable: { read: number; write: number; backend: number };
  /** The distributed components, in Distributed and `SimpleScalable<->Distributed` mode only. */
  distributed?: LokiDistributedConfig;
  /** Gateway (nginx) replicas. Defaults to 1. */
  gatewayReplicas: number;
  /** Size of each PersistentVolumeClaim (single binary, write, backend). Defaults to `10Gi`. */
  persistenceSize: string;
  /** Object storage. Defaults to none: the single binary keeps chunks on its filesystem volume. */
  objectStorage?: LokiObjectStorage;
  /** Start of the one schema period (tsdb, v13), `YYYY-MM-DD`. Defaults to 2024-04-01. */
  schemaFrom: string;
  /** How long logs are kept; the compactor deletes older ones. Defaults to `7d`. */
  retention: string;
  /** Multi-tenancy: every push and query names a tenant. Defaults to false. */
  authEnabled: boolean;
  /** The tenant the collector pushes as and Grafana queries as, when authEnabled. Defaults to `observability`. */
  tenant: string;
  /** Memcached chunks and results caches. Defaults to false in SingleBinary, true otherwise. */
  caches: boolean;
}

export const LOG_COLLECTOR_FIELDS = {
  enabled: {
    kind: "boolean",
    default: true,
    description: "Run a log collector on every node (needs loki.enabled).",
  },
  kind: {
    kind: "enum",
    values: LOG_COLLECTORS,
    default: "alloy",
    description:
      "alloy (Grafana Alloy, reading logs through the Kubernetes API) or promtail (deprecated upstream, reads host paths, so namespace logging becomes privileged).",
  },
} as const satisfies Fields;

export type LogCollectorConfig = Infer<typeof LOG_COLLECTOR_FIELDS>;

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOST_PORT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/;
// Loki's allowed tenant characters (docs: "Multi-tenancy"), at most 150 of them.
const TENANT = /^[A-Za-z0-9!_.*'()-]{1,150}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A YAML stack file may turn an unquoted date into a timestamp; midnight UTC is the same date.
const MIDNIGHT = /^(\d{4}-\d{2}-\d{2})T00:00:00(\.0+)?Z$/;
function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function readSchemaFrom(s: Section, today: string): string {
  const v = s.raw("schemaFrom");
  if (v === undefined) return DEFAULT_SCHEMA_FROM;
  const text = typeof v === "string" ? (MIDNIGHT.exec(v)?.[1] ?? v) : undefined;
  if (text === undefined || !isCalendarDate(text)) {
    s.problem(
      "schemaFrom",
      `must be a calendar date in the form YYYY-MM-DD, got ${JSON.stringify(v)}`,
      `set e.g. \`pulumi config set --path loki.schemaFrom ${DEFAULT_SCHEMA_FROM}\`, and never change it once Loki holds data`,
    );
    return DEFAULT_SCHEMA_FROM;
  }
  // Dates in YYYY-MM-DD compare as text. The one schema period must cover the logs Loki gets now.
  if (text > today) {
    s.problem(
      "schemaFrom",
      `is ${text}, after today (${today}), so Loki would have no schema for the logs it receives now`,
      `set a date on or before today, e.g. \`pulumi config set --path loki.schemaFrom ${DEFAULT_SCHEMA_FROM}\`, and never change it once Loki holds data`,
    );
    return DEFAULT_SCHEMA_FROM;
  }
  return text;
}

function readRetention(s: Section): string {
  const retention = s.duration("retention", "7d");
  if (s.has("retention") && retention === s.raw("retention") && durationSeconds(retention) < 86400) {
    s.problem(
      "retention",
      `must be at least 24h, the compactor's smallest retention period, got ${JSON.stringify(retention)}`,
      "set e.g. `pulumi config set --path loki.retention 7d`",
    );
  }
  return retention;
}

const S3_ONLY_FIELDS = ["endpoint", "region", "buckets", "forcePathStyle", "insecure", "existingSecret"];

function readS3(o: Section, secretKeys: ReadonlySet<string>): S3ObjectStorage | undefined {
  const endpoint = o.optionalString("endpoint", {
    re: HOST_PORT,
    what: "a host name with an optional port and no scheme (loki.objectStorage.insecure picks http)",
    example: "s3.eu-west-1.amazonaws.com",
  });
  const region = o.requiredString("region", "eu-west-1");
  const b = o.child("buckets");
  const bucket = (key: string, required: boolean): string | undefined => {
    const example = `loki-${key}`;
    const v = required ? b.requiredString(key, example) : b.optionalString(key);
    if (v !== undefined && !S3_BUCKET.test(v)) {
      b.problem(
        key,
        `must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens), got ${JSON.stringify(v)}`,
        `set e.g. \`pulumi config set --path ${b.join(key)} ${example}\``,
      );
      return undefined;
    }
    return v;
  };
  const chunks = bucket("chunks", true);
  const ruler = bucket("ruler", true);
  const admin = bucket("admin", false);
  b.done();
  const forcePathStyle = o.bool("forcePathStyle", false);
  const insecure = o.bool("insecure", false);
  const existingSecret = o.optionalString("existingSecret", {
    re: patterns.K8S_NAME,
    what: "a Kubernetes Secret name (at most 63 lowercase letters, digits and -, starting and ending with a letter or digit)",
    example: "loki-object-storage",
  });

  const credentials = readS3Credentials(o, existingSecret, secretKeys, {
    part: "Loki",
    path: "loki.objectStorage",
    namespace: "logging",
    secretKeys: LOKI_S3_SECRET_KEYS,
    programSecret: LOKI_S3_CREDENTIALS_SECRET,
    exampleSecret: "loki-object-storage",
  });
  if (region === undefined || chunks === undefined || ruler === undefined || credentials === undefined) {
    return undefined;
  }
  return {
    type: "s3",
    ...(endpoint !== undefined ? { endpoint } : {}),
    region,
    buckets: { chunks, ruler, ...(admin !== undefined ? { admin } : {}) },
    forcePathStyle,
    insecure,
    credentials,
  };
}

function readObjectStorage(s: Section, secretKeys: ReadonlySet<string>): LokiObjectStorage | undefined {
  if (!s.has("objectStorage")) {
    s.raw("objectStorage");
    return undefined;
  }
  const o = s.child("objectStorage");
  const typeValue = o.raw("type");
  const type = o.oneOf("type", OBJECT_STORAGE_TYPES, "s3");
  let storage: LokiObjectStorage | undefined;
  if (typeValue !== undefined && typeValue !== type) {
    // An unknown type: its other fields cannot be judged until the type is fixed.
    for (const key of S3_ONLY_FIELDS) o.raw(key);
  } else if (type === "minio") {
    for (const key of S3_ONLY_FIELDS) {
      if (o.has(key)) {
        o.raw(key);
        o.problem(
          key,
          "is only used with loki.objectStorage.type s3, not with the bundled MinIO",
          `remove it with \`pulumi config rm --path ${o.join(key)}\`, or set \`pulumi config set --path loki.objectStorage.type s3\``,
        );
      }
    }
    storage = { type: "minio" };
  } else {
    storage = readS3(o, secretKeys);
  }
  o.done();
  return storage;
}

/**
 * Reads `loki`: the deployment mode, object storage, schema, retention and tenancy, with the
 * rules the chart itself would fail on at render time, so a mistake shows at preview. `today` (YYYY-MM-DD, UTC) is the clock the schema date is checked against; it is
 * never part of the result.
 */
export function readLoki(s: Section, secretKeys: ReadonlySet<string>, today: string): LokiConfig {
  const enabled = s.bool("enabled", true);
  const mode = s.oneOf("mode", LOKI_MODES, "SingleBinary") ?? "SingleBinary";
  const runsSingleBinary = mode === "SingleBinary" || mode === "SingleBinary<->SimpleScalable";
  const runsScalable = mode !== "SingleBinary" && mode !== "Distributed";
  const runsDistributed = mode === "Distributed" || mode === "SimpleScalable<->Distributed";
  const scale = s.oneOf("scale", LOKI_SCALES, "small") ?? "small";

  const sb = s.child("singleBinary");
  const singleBinaryReplicas = sb.int(
    "replicas",
    runsSingleBinary ? 1 : 0,
    runsSingleBinary ? 1 : 0,
    MAX_REPLICAS,
  );
  sb.done();
  const ss = s.child("simpleScalable");
  const target = (key: "read" | "write" | "backend") =>
    ss.int(key, runsScalable ? 3 : 0, runsScalable ? 1 : 0, MAX_REPLICAS);
  const scalable = { read: target("read"), write: target("write"), backend: target("backend") };
  ss.done();
  const g = s.child("gateway");
  const gatewayReplicas = g.int("replicas", 1, 1, MAX_REPLICAS);
  g.done();
  const p = s.child("persistence");
  const persistenceSize = p.size("size", "10Gi");
  p.done();

  const objectStorage = readObjectStorage(s, secretKeys);
  const objectStorageSet = s.has("objectStorage");
  const schemaFrom = readSchemaFrom(s, today);
  const retention = readRetention(s);
  const authEnabled = s.bool("authEnabled", false);
  const tenant =
    s.optionalString("tenant", {
      re: TENANT,
      what: "a Loki tenant id (letters, digits and !-_.*'(), at most 150)",
      example: "observability",
    }) ?? "observability";
  const caches = s.bool("caches", mode !== "SingleBinary");
  s.done();

  // The chart's own render-time checks, named by key path.
  if ((runsScalable || runsDistributed) && !objectStorageSet) {
    s.problem(
      "objectStorage",
      `is required when loki.mode is ${mode}: ${runsScalable ? "the read, write and backend targets" : "the distributed components"} share data only through object storage`,
      "set an S3 bucket (loki.objectStorage.region, loki.objectStorage.buckets.chunks, loki.objectStorage.buckets.ruler and credentials), e.g. `pulumi config set --path loki.objectStorage.buckets.chunks loki-chunks`, or try the bundled MinIO with `pulumi config set --path loki.objectStorage.type minio`",
    );
  }
  if (mode === "SingleBinary" && !objectStorageSet && singleBinaryReplicas > 1) {
    sb.problem(
      "replicas",
      `is ${singleBinaryReplicas}, but without loki.objectStorage Loki keeps its data on one filesystem volume that replicas cannot share`,
      "set `pulumi config set --path loki.singleBinary.replicas 1`, or configure loki.objectStorage",
    );
  }
  const bothModes = (section: Section, key: string, value: number, runs: string, transition: LokiMode) => {
    section.problem(
      key,
      `is ${value}, but loki.mode is ${mode}, which runs ${runs}`,
      `remove it with \`pulumi config rm --path ${section.join(key)}\`, or set \`pulumi config set --path loki.mode ${transition}\` to run both while migrating`,
    );
  };
  if (mode === "SingleBinary" || mode === "Distributed") {
    for (const key of ["read", "write", "backend"] as const) {
      if (ss.has(key) && scalable[key] > 0)
        bothModes(
          ss,
          key,
          scalable[key],
          "no read, write or backend targets",
          mode === "Distributed" ? "SimpleScalable<->Distributed" : "SingleBinary<->SimpleScalable",
        );
    }
  }
  if (!runsSingleBinary && sb.has("replicas") && singleBinaryReplicas > 0) {
    if (runsDistributed) {
      // The chart has no transitional mode between the single binary and distributed components.
      sb.problem(
        "replicas",
        `is ${singleBinaryReplicas}, but loki.mode is ${mode}, and the chart cannot run a single binary beside the distributed components`,
        `remove it with \`pulumi config rm --path ${sb.join("replicas")}\`; to leave SingleBinary, migrate to SimpleScalable first (docs/logs.md)`,
      );
    } else {
      bothModes(sb, "replicas", singleBinaryReplicas, "no single binary", "SingleBinary<->SimpleScalable");
    }
  }
  if (!runsDistributed && s.has("scale")) {
    s.problem(
      "scale",
      `is set, but loki.mode is ${mode}, which runs no distributed components for it to size`,
      `remove it with \`pulumi config rm --path loki.scale\`, or set \`pulumi config set --path loki.mode Distributed\``,
    );
  }
  const { accessKeyId, secretAccessKey } = LOKI_S3_SECRET_KEYS;
  if (objectStorage?.type !== "s3" && !(objectStorageSet && objectStorage === undefined)) {
    for (const key of [accessKeyId, secretAccessKey]) {
      if (secretKeys.has(key)) {
        s.problemAt(
          key,
          "is set, but loki.objectStorage is not an S3 bucket, so nothing uses it",
          `remove it with \`pulumi config rm ${key}\`, or configure loki.objectStorage`,
        );
      }
    }
  }

  return {
    enabled,
    mode,
    singleBinaryReplicas,
    scalable,
    ...(runsDistributed
      ? { distributed: { scale, replicas: { ...LOKI_SCALE_PRESETS[scale].replicas } } }
      : {}),
    gatewayReplicas,
    persistenceSize,
    ...(objectStorage !== undefined ? { objectStorage } : {}),
    schemaFrom,
    retention,
    authEnabled,
    tenant,
    caches,
  };
}

/** Reads `logCollector`; a collector explicitly switched on needs Loki to push to. */
export function readLogCollector(s: Section, lokiEnabled: boolean): LogCollectorConfig {
  const { enabled, kind } = readFields(s, LOG_COLLECTOR_FIELDS);
  if (!lokiEnabled && s.has("enabled") && enabled) {
    s.problem(
      "enabled",
      "is true but loki.enabled is false, and the collector has nowhere to push",
      "set `pulumi config set --path loki.enabled true`, or `pulumi config set --path logCollector.enabled false`",
    );
  }
  return { enabled: enabled && lokiEnabled, kind };
}

/**
 * `loki`: declared for Pulumi.yaml and docs/config.md (npm run gen) as a description; its fields are
 * still read by the hand-written reader in this file, and test/pulumi-yaml.test.ts checks that
 * the description names exactly the fields that reader knows.
 */
export const LOKI_KEY: KeyDeclaration = {
  kind: "prose",
  description: [
    "Loki (chart loki), in namespace logging, behind its gateway (Service loki-gateway).",
    "  loki.enabled              Install Loki, a log collector and Grafana's Loki datasource. Default: true.",
    "  loki.mode                 SingleBinary | SimpleScalable | Distributed | SingleBinary<->SimpleScalable |",
    "                            SimpleScalable<->Distributed (the chart's transitional modes, for migrating;",
    "                            see docs/logs.md). Default: SingleBinary.",
    "  loki.scale                Distributed mode's size for a daily log volume: small (up to 100 GB/day),",
    "                            medium (up to 1 TB/day) or large (up to 3 TB/day, Loki's published tier);",
    "                            sets the replicas of every distributed component (docs/logs.md). Default: small.",
    "  loki.singleBinary.replicas  Single-binary replicas; more than one needs loki.objectStorage; none in",
    "                            SimpleScalable. Default: 1 (0 in SimpleScalable).",
    "  loki.simpleScalable.read     Read target replicas; none in SingleBinary. Default: 3 (0 in SingleBinary).",
    "  loki.simpleScalable.write    Write target replicas (ingesters). Default: 3 (0 in SingleBinary).",
    "  loki.simpleScalable.backend  Backend target replicas (compactor, ruler, index gateway). Default: 3 (0 in SingleBinary).",
    "  loki.gateway.replicas     Gateway (nginx) replicas. Default: 1.",
    "  loki.persistence.size     Each PersistentVolumeClaim (single binary, write, backend, MinIO). Default: 10Gi.",
    "  loki.objectStorage        Object storage; required for SimpleScalable and Distributed. Default: none (the single",
    "                            binary's filesystem volume).",
    "  loki.objectStorage.type   s3 (any S3-compatible bucket) | minio (the chart's bundled MinIO with its",
    "                            built-in credentials: for trying SimpleScalable, never production). Default: s3.",
    "  loki.objectStorage.endpoint  S3 host name and optional port, no scheme. Default: AWS S3 for the region.",
    "  loki.objectStorage.region    The bucket's region. Required with type s3.",
    "  loki.objectStorage.buckets.chunks  Bucket for chunks and index. Required with type s3.",
    "  loki.objectStorage.buckets.ruler   Bucket for ruler state. Required with type s3.",
    "  loki.objectStorage.buckets.admin   Bucket for the admin API (Grafana Enterprise Logs only). Default: none.",
    "  loki.objectStorage.forcePathStyle  Path-style bucket URLs, which most S3-compatible stores need. Default: false.",
    "  loki.objectStorage.insecure  Plain HTTP to the endpoint. Default: false.",
    "  loki.objectStorage.existingSecret  A Secret in namespace logging, created by you, with keys",
    "                            AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Either this or both secret keys",
    "                            lokiS3AccessKeyId and lokiS3SecretAccessKey. Default: none.",
    "  loki.schemaFrom           First day of the schema period (tsdb, v13), YYYY-MM-DD (quote it in YAML).",
    "                            Never change it once Loki holds data. Default: 2024-04-01.",
    "  loki.retention            How long logs are kept (duration, at least 24h); the compactor deletes",
    "                            older ones. Default: 7d.",
    "  loki.authEnabled          Multi-tenancy: pushes and queries carry a tenant id. Default: false.",
    "  loki.tenant               The tenant the collector pushes as and Grafana queries as, when",
    "                            loki.authEnabled is true. Default: observability.",
    "  loki.caches               Memcached chunks and results caches. Default: false in SingleBinary, true otherwise.",
  ].join("\n"),
};

export const LOG_COLLECTOR_KEY: KeyDeclaration = {
  kind: "object",
  description: "The log collector on every node, pushing to Loki's gateway.",
  fields: LOG_COLLECTOR_FIELDS,
};

/** `lokiS3AccessKeyId`, a secret key: read as a secret Output, never as plain config. */
export const LOKI_S3_ACCESS_KEY_ID_KEY: KeyDeclaration = {
  kind: "secret",
  description: [
    "The S3 access key id for loki.objectStorage, set with `pulumi config set --secret lokiS3AccessKeyId <id>`,",
    "together with lokiS3SecretAccessKey; the program keeps the pair in the Secret logging/loki-s3-credentials.",
    "Use it or loki.objectStorage.existingSecret, not both. Default: none.",
  ].join("\n"),
};

/** `lokiS3SecretAccessKey`, a secret key: read as a secret Output, never as plain config. */
export const LOKI_S3_SECRET_ACCESS_KEY_KEY: KeyDeclaration = {
  kind: "secret",
  description: [
    "The S3 secret access key for loki.objectStorage, set with `pulumi config set --secret lokiS3SecretAccessKey <key>`.",
    "Default: none.",
  ].join("\n"),
};
