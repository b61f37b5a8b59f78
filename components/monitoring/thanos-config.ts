import {
  ConfigProblem,
  durationSeconds,
  KeyDeclaration,
  MAX_REPLICAS,
  readS3Credentials,
  S3Credentials,
  Section,
} from "../kit";

/** The keys of the credentials Secret (the names Thanos's S3 client reads from its environment). */
export const AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
export const AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";

/** The secret config keys that can hold the Thanos bucket's S3 access key pair. */
export const THANOS_S3_SECRET_KEYS = {
  accessKeyId: "thanosS3AccessKeyId",
  secretAccessKey: "thanosS3SecretAccessKey",
} as const;

/** The Secret the program creates from those keys, in Prometheus's namespace. */
export const THANOS_S3_CREDENTIALS_SECRET = "thanos-s3-credentials";

/** Where the S3 key pair comes from; either way a Secret with keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. */
export type ThanosCredentials = S3Credentials;

/** The S3-compatible bucket the sidecars upload blocks to and the store gateway and compactor read. */
export interface ThanosObjectStorage {
  /** Host name and optional port of the S3 API, without scheme. Defaults to `s3.<region>.amazonaws.com`. */
  endpoint: string;
  /** The bucket's region. Required. */
  region: string;
  /** The bucket. Required. */
  bucket: string;
  /** Path-style URLs (`endpoint/bucket`), which most S3-compatible stores need. Defaults to false. */
  forcePathStyle: boolean;
  /** Plain HTTP to the endpoint. Defaults to false. */
  insecure: boolean;
  credentials: ThanosCredentials;
}

/** How long the compactor keeps blocks of each resolution (Thanos durations). */
export interface ThanosRetention {
  /** Raw samples. Defaults to `30d`. */
  raw: string;
  /** 5-minute downsampled blocks. Defaults to `180d`. */
  fiveMinutes: string;
  /** 1-hour downsampled blocks. Defaults to `2y`. */
  oneHour: string;
}

export interface ThanosConfig {
  /**
   * Long-term metrics: the Thanos sidecar in every Prometheus replica uploads blocks to the
   * bucket; query (deduplicating the replicas), query-frontend, store gateway and compactor run
   * from the thanos chart; Grafana's Prometheus datasource reads through the query-frontend.
   * Defaults to false.
   */
  enabled: boolean;
  /** The bucket. Required when enabled. */
  objectStorage?: ThanosObjectStorage;
  retention: ThanosRetention;
  /** The `cluster` external label of this cluster's Prometheus, so several clusters can share a bucket. Defaults to cluster.context. */
  clusterLabel: string;
  /** Query replicas. Defaults to 1. */
  query: { replicas: number };
  /** Query-frontend replicas. Defaults to 1. */
  queryFrontend: { replicas: number };
  /** Store gateway replicas and each one's cache volume. Defaults to 1 and 10Gi. */
  storeGateway: { replicas: number; storageSize: string };
  /** The compactor's working volume (it downloads blocks to compact and downsample them). Defaults to 50Gi. */
  compactor: { storageSize: string };
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOST_PORT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/;
// Prometheus label values are any UTF-8; keep this one printable and short.
const LABEL_VALUE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,62}$/;

/**
 * The shortest raw and 5-minute retention that still feeds the next resolution: the compactor
 * makes 5-minute blocks from raw blocks 40 hours old, and 1-hour blocks from 5-minute blocks 10
 * days old (Thanos docs, "Compactor: Downsampling").
 */
const MIN_RAW_SECONDS = 2 * 86400;
const MIN_FIVE_MINUTES_SECONDS = 10 * 86400;

function readObjectStorage(
  o: Section,
  secretKeys: ReadonlySet<string>,
  set: boolean,
): ThanosObjectStorage | undefined {
  if (!set) return undefined;
  const endpoint = o.optionalString("endpoint", {
    re: HOST_PORT,
    what: "a host name with an optional port and no scheme (thanos.objectStorage.insecure picks http)",
    example: "s3.eu-west-1.amazonaws.com",
  });
  const region = o.requiredString("region", "eu-west-1");
  const bucketValue = o.requiredString("bucket", "observability-metrics");
  let bucket = bucketValue;
  if (bucketValue !== undefined && !S3_BUCKET.test(bucketValue)) {
    o.problem(
      "bucket",
      `must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens), got ${JSON.stringify(bucketValue)}`,
      "set e.g. `pulumi config set --path thanos.objectStorage.bucket observability-metrics`",
    );
    bucket = undefined;
  }
  const forcePathStyle = o.bool("forcePathStyle", false);
  const insecure = o.bool("insecure", false);
  const existingSecret = o.optionalString("existingSecret", {
    re: K8S_NAME,
    what: "a Kubernetes Secret name",
    example: "thanos-object-storage",
  });
  o.done();

  const credentials = readS3Credentials(o, existingSecret, secretKeys, {
    part: "Thanos",
    path: "thanos.objectStorage",
    namespace: "monitoring",
    secretKeys: THANOS_S3_SECRET_KEYS,
    programSecret: THANOS_S3_CREDENTIALS_SECRET,
    exampleSecret: "thanos-object-storage",
  });
  if (region === undefined || bucket === undefined || credentials === undefined) return undefined;
  return {
    endpoint: endpoint ?? `s3.${region}.amazonaws.com`,
    region,
    bucket,
    forcePathStyle,
    insecure,
    credentials,
  };
}

function readRetention(r: Section): ThanosRetention {
  const retention = {
    raw: r.duration("raw", "30d"),
    fiveMinutes: r.duration("fiveMinutes", "180d"),
    oneHour: r.duration("oneHour", "2y"),
  };
  r.done();
  const s = (d: string) => durationSeconds(d);
  if (s(retention.raw) < MIN_RAW_SECONDS) {
    r.problem(
      "raw",
      `is ${retention.raw}, but the compactor makes 5-minute blocks only from raw blocks 40 hours old, so it must be at least 2d`,
      "set e.g. `pulumi config set --path thanos.retention.raw 30d`",
    );
  }
  if (s(retention.fiveMinutes) < MIN_FIVE_MINUTES_SECONDS) {
    r.problem(
      "fiveMinutes",
      `is ${retention.fiveMinutes}, but the compactor makes 1-hour blocks only from 5-minute blocks 10 days old, so it must be at least 10d`,
      "set e.g. `pulumi config set --path thanos.retention.fiveMinutes 180d`",
    );
  }
  if (s(retention.fiveMinutes) < s(retention.raw)) {
    r.problem(
      "fiveMinutes",
      `is ${retention.fiveMinutes}, shorter than thanos.retention.raw (${retention.raw}): a coarser resolution is kept at least as long as a finer one`,
      `set it to at least ${retention.raw}, e.g. \`pulumi config set --path thanos.retention.fiveMinutes 180d\``,
    );
  }
  if (s(retention.oneHour) < s(retention.fiveMinutes)) {
    r.problem(
      "oneHour",
      `is ${retention.oneHour}, shorter than thanos.retention.fiveMinutes (${retention.fiveMinutes}): a coarser resolution is kept at least as long as a finer one`,
      `set it to at least ${retention.fiveMinutes}, e.g. \`pulumi config set --path thanos.retention.oneHour 2y\``,
    );
  }
  return retention;
}

/**
 * Reads `thanos`: one key (`enabled`) turns long-term metrics on; the bucket, its credentials
 * (as Loki's: an existing Secret or two secret keys) and the retention per resolution configure it.
 */
export function readThanos(
  s: Section,
  ctx: { secretKeys: ReadonlySet<string>; prometheusEnabled: boolean; clusterContext?: string },
  problems: ConfigProblem[],
): ThanosConfig {
  const enabled = s.bool("enabled", false);
  const objectStorageSet = s.has("objectStorage");
  const objectStorage = readObjectStorage(s.child("objectStorage"), ctx.secretKeys, objectStorageSet);
  const retention = readRetention(s.child("retention"));
  const clusterLabel =
    s.optionalString("clusterLabel", {
      re: LABEL_VALUE,
      what: "a label value of letters, digits and . _ : / - (at most 63)",
      example: "prod-eu-west-1",
    }) ??
    ctx.clusterContext ??
    "default";
  const q = s.child("query");
  const query = { replicas: q.int("replicas", 1, 1, MAX_REPLICAS) };
  q.done();
  const f = s.child("queryFrontend");
  const queryFrontend = { replicas: f.int("replicas", 1, 1, MAX_REPLICAS) };
  f.done();
  const g = s.child("storeGateway");
  const volume = (parent: Section, fallback: string): string => {
    const v = parent.child("storage");
    const size = v.quantity("size", fallback);
    v.done();
    return size;
  };
  const storeGateway = { replicas: g.int("replicas", 1, 1, MAX_REPLICAS), storageSize: volume(g, "10Gi") };
  g.done();
  const c = s.child("compactor");
  const compactor = { storageSize: volume(c, "50Gi") };
  c.done();
  s.done();

  if (enabled && !objectStorageSet) {
    s.problem(
      "objectStorage",
      "is required when thanos.enabled is true: the sidecars upload blocks there and the store gateway and compactor read them",
      "set an S3 bucket (thanos.objectStorage.region, thanos.objectStorage.bucket and credentials), e.g. `pulumi config set --path thanos.objectStorage.bucket observability-metrics`",
    );
  }
  if (enabled && !ctx.prometheusEnabled) {
    problems.push({
      path: "thanos.enabled",
      problem: "is true but prometheus.enabled is false, and the Thanos sidecar runs in Prometheus's pods",
      fix: "set `pulumi config set --path prometheus.enabled true`, or `pulumi config set --path thanos.enabled false`",
    });
  }
  const { accessKeyId, secretAccessKey } = THANOS_S3_SECRET_KEYS;
  if (!objectStorageSet) {
    for (const key of [accessKeyId, secretAccessKey]) {
      if (ctx.secretKeys.has(key)) {
        s.problemAt(
          key,
          "is set, but thanos.objectStorage is not, so nothing uses it",
          `remove it with \`pulumi config rm ${key}\`, or configure thanos.objectStorage`,
        );
      }
    }
  }
  return {
    enabled,
    ...(objectStorage !== undefined ? { objectStorage } : {}),
    retention,
    clusterLabel,
    query,
    queryFrontend,
    storeGateway,
    compactor,
  };
}

/**
 * `thanos`: declared for Pulumi.yaml and docs/config.md (npm run gen) as a description; its fields
 * are read by readThanos above, and test/config-declarations.test.ts checks the description names
 * exactly the fields that reader knows.
 */
export const THANOS_KEY: KeyDeclaration = {
  kind: "prose",
  description: [
    "Long-term metrics with Thanos (chart thanos 0.38.0, in namespace monitoring): the Thanos sidecar in",
    "every Prometheus replica uploads blocks to an S3 bucket; query (deduplicating the replicas by their",
    "prometheus_replica label), query-frontend, store gateway and compactor run beside Prometheus, and",
    "Grafana's Prometheus datasource (same uid) reads the query-frontend. See docs/metrics-long-term.md.",
    "  thanos.enabled              The one switch: sidecars, the thanos release and the datasource. Needs",
    "                              prometheus.enabled and a bucket (thanos.objectStorage). Default: false.",
    "  thanos.objectStorage.region          The bucket's region. Required when Thanos is on.",
    "  thanos.objectStorage.bucket          The bucket. Required when Thanos is on.",
    "  thanos.objectStorage.endpoint        S3 host name and optional port, no scheme. Default: s3.<region>.amazonaws.com.",
    "  thanos.objectStorage.forcePathStyle  Path-style bucket URLs, which most S3-compatible stores need. Default: false.",
    "  thanos.objectStorage.insecure        Plain HTTP to the endpoint. Default: false.",
    "  thanos.objectStorage.existingSecret  A Secret in namespace monitoring, created by you, with keys",
    "                              AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Either this or both secret keys",
    "                              thanosS3AccessKeyId and thanosS3SecretAccessKey. Default: none.",
    "  thanos.retention.raw          How long the compactor keeps raw samples (at least 2d). Default: 30d.",
    "  thanos.retention.fiveMinutes  ... 5-minute downsampled blocks (at least 10d, and at least raw). Default: 180d.",
    "  thanos.retention.oneHour      ... 1-hour downsampled blocks (at least fiveMinutes). Default: 2y.",
    "  thanos.clusterLabel         The `cluster` external label of this cluster's Prometheus, so several",
    "                              clusters can share one bucket. Default: cluster.context.",
    "  thanos.query.replicas          Query replicas. Default: 1.",
    "  thanos.queryFrontend.replicas  Query-frontend replicas. Default: 1.",
    "  thanos.storeGateway.replicas       Store gateway replicas. Default: 1.",
    "  thanos.storeGateway.storage.size   Each store gateway's cache volume. Default: 10Gi.",
    "  thanos.compactor                   The compactor: always one per bucket, which it compacts, downsamples and prunes.",
    "  thanos.compactor.storage.size      The compactor's working volume. Default: 50Gi.",
  ].join("\n"),
};

/** `thanosS3AccessKeyId`, a secret key: read as a secret Output, never as plain config. */
export const THANOS_S3_ACCESS_KEY_ID_KEY: KeyDeclaration = {
  kind: "secret",
  description: [
    "The S3 access key id for thanos.objectStorage, set with `pulumi config set --secret thanosS3AccessKeyId <id>`,",
    "together with thanosS3SecretAccessKey; the program keeps the pair in the Secret monitoring/thanos-s3-credentials.",
    "Use it or thanos.objectStorage.existingSecret, not both. Default: none.",
  ].join("\n"),
};

/** `thanosS3SecretAccessKey`, a secret key: read as a secret Output, never as plain config. */
export const THANOS_S3_SECRET_ACCESS_KEY_KEY: KeyDeclaration = {
  kind: "secret",
  description: [
    "The S3 secret access key for thanos.objectStorage, set with `pulumi config set --secret thanosS3SecretAccessKey <key>`.",
    "Default: none.",
  ].join("\n"),
};
