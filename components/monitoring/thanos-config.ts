import {
  ConfigProblem,
  durationSeconds,
  Fields,
  GroupField,
  Infer,
  KeyDeclaration,
  MAX_REPLICAS,
  readFields,
  Section,
} from "../kit";
import {
  readThanosObjectStorage,
  THANOS_OBJECT_STORAGE_FIELDS,
  THANOS_S3_SECRET_KEYS,
  ThanosObjectStorage,
} from "./thanos-storage-config";

export {
  AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY,
  THANOS_OBJECT_STORAGE_FIELDS,
  THANOS_S3_CREDENTIALS_SECRET,
  THANOS_S3_SECRET_KEYS,
} from "./thanos-storage-config";
export type {
  ThanosCloudStorage,
  ThanosCredentials,
  ThanosObjectStorage,
  ThanosS3Storage,
} from "./thanos-storage-config";

// Prometheus label values are any UTF-8; keep this one printable and short.
const LABEL_VALUE = {
  re: /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,62}$/,
  what: "a label value of letters, digits and . _ : / - (at most 63)",
  example: "prod-eu-west-1",
};

/**
 * The shortest raw and 5-minute retention that still feeds the next resolution: the compactor
 * makes 5-minute blocks from raw blocks 40 hours old, and 1-hour blocks from 5-minute blocks 10
 * days old (Thanos docs, "Compactor: Downsampling").
 */
const MIN_RAW_SECONDS = 2 * 86400;
const MIN_FIVE_MINUTES_SECONDS = 10 * 86400;

/** A volume whose size the chart takes as `persistence.size`. */
function volume(dflt: string, description: string) {
  return {
    kind: "group",
    description,
    fields: {
      size: {
        kind: "string",
        format: "size",
        default: dflt,
        description: "The PersistentVolumeClaim's size.",
      },
    },
  } as const satisfies GroupField;
}

export const THANOS_FIELDS = {
  enabled: {
    kind: "boolean",
    default: false,
    description:
      "The one switch: sidecars, the thanos release and the datasource. Needs prometheus.enabled and a bucket (thanos.objectStorage).",
  },
  objectStorage: {
    kind: "custom",
    type: "object",
    defaultText: "none",
    constraints: "required when Thanos is on",
    description:
      "The S3-compatible bucket the sidecars upload blocks to and the store gateway and compactor read, with its credentials: an existing Secret or two secret keys, as Loki's.",
    fields: THANOS_OBJECT_STORAGE_FIELDS,
  },
  retention: {
    kind: "group",
    description: "How long the compactor keeps blocks of each resolution.",
    fields: {
      raw: {
        kind: "string",
        format: "duration",
        default: "30d",
        description:
          "Raw samples; at least 2d, as the compactor makes 5-minute blocks from raw blocks 40 hours old.",
      },
      fiveMinutes: {
        kind: "string",
        format: "duration",
        default: "180d",
        description:
          "5-minute downsampled blocks; at least 10d, as 1-hour blocks are made from 5-minute blocks 10 days old, and at least raw.",
      },
      oneHour: {
        kind: "string",
        format: "duration",
        default: "2y",
        description: "1-hour downsampled blocks; at least fiveMinutes.",
      },
    },
  },
  clusterLabel: {
    kind: "custom",
    type: "string",
    defaultText: "cluster.context",
    constraints: LABEL_VALUE.what,
    description:
      "The `cluster` external label of this cluster's Prometheus, so several clusters can share one bucket.",
  },
  query: {
    kind: "group",
    description: "Query, which deduplicates the Prometheus replicas by their prometheus_replica label.",
    fields: {
      replicas: { kind: "integer", default: 1, min: 1, max: MAX_REPLICAS, description: "Query replicas." },
    },
  },
  queryFrontend: {
    kind: "group",
    description: "The query-frontend in front of query, which Grafana reads.",
    fields: {
      replicas: {
        kind: "integer",
        default: 1,
        min: 1,
        max: MAX_REPLICAS,
        description: "Query-frontend replicas.",
      },
    },
  },
  storeGateway: {
    kind: "group",
    description: "The store gateway, which serves the bucket's blocks to query.",
    fields: {
      replicas: {
        kind: "integer",
        default: 1,
        min: 1,
        max: MAX_REPLICAS,
        description: "Store gateway replicas.",
      },
      storage: volume("10Gi", "Each store gateway's cache volume."),
    },
  },
  compactor: {
    kind: "group",
    description: "The compactor: always one per bucket, which it compacts, downsamples and prunes.",
    fields: {
      storage: volume(
        "50Gi",
        "The compactor's working volume (it downloads blocks to compact and downsample them).",
      ),
    },
  },
} as const satisfies Fields;

type ReadThanos = Infer<typeof THANOS_FIELDS>;

/** How long the compactor keeps blocks of each resolution (Thanos durations). */
export type ThanosRetention = ReadThanos["retention"];

/** Long-term metrics, as THANOS_FIELDS declares them. Off by default. */
export type ThanosConfig = ReadThanos & {
  /** The bucket. Required when enabled. */
  objectStorage?: ThanosObjectStorage;
  /** The `cluster` external label. Defaults to cluster.context. */
  clusterLabel: string;
};

/** Thanos's rules between its retentions: each resolution feeds the next and is kept at least as long. */
function checkRetention(s: Section, key: string, retention: ThanosRetention): void {
  const seconds = (d: string) => durationSeconds(d);
  // The suggestion must meet the rule it comes with: the default, or the bound when that is longer.
  const atLeast = (bound: string, dflt: string) => (seconds(bound) > seconds(dflt) ? bound : dflt);
  if (seconds(retention.raw) < MIN_RAW_SECONDS) {
    s.problem(
      `${key}.raw`,
      `is ${retention.raw}, but the compactor makes 5-minute blocks only from raw blocks 40 hours old, so it must be at least 2d`,
      "set e.g. `pulumi config set --path thanos.retention.raw 30d`",
    );
  }
  if (seconds(retention.fiveMinutes) < MIN_FIVE_MINUTES_SECONDS) {
    s.problem(
      `${key}.fiveMinutes`,
      `is ${retention.fiveMinutes}, but the compactor makes 1-hour blocks only from 5-minute blocks 10 days old, so it must be at least 10d`,
      "set e.g. `pulumi config set --path thanos.retention.fiveMinutes 180d`",
    );
  }
  if (seconds(retention.fiveMinutes) < seconds(retention.raw)) {
    s.problem(
      `${key}.fiveMinutes`,
      `is ${retention.fiveMinutes}, shorter than thanos.retention.raw (${retention.raw}): a coarser resolution is kept at least as long as a finer one`,
      `set it to at least ${retention.raw}, e.g. \`pulumi config set --path thanos.retention.fiveMinutes ${atLeast(retention.raw, "180d")}\``,
    );
  }
  if (seconds(retention.oneHour) < seconds(retention.fiveMinutes)) {
    s.problem(
      `${key}.oneHour`,
      `is ${retention.oneHour}, shorter than thanos.retention.fiveMinutes (${retention.fiveMinutes}): a coarser resolution is kept at least as long as a finer one`,
      `set it to at least ${retention.fiveMinutes}, e.g. \`pulumi config set --path thanos.retention.oneHour ${atLeast(retention.fiveMinutes, "2y")}\``,
    );
  }
}

/**
 * Reads `thanos` as THANOS_FIELDS declares it: one key (`enabled`) turns long-term metrics on; the
 * bucket, its credentials (as Loki's: an existing Secret or two secret keys) and the retention per
 * resolution configure it. The bucket and the cluster label have their own readers.
 */
export function readThanos(
  s: Section,
  ctx: { secretKeys: ReadonlySet<string>; prometheusEnabled: boolean; clusterContext?: string },
  problems: ConfigProblem[],
): ThanosConfig {
  const objectStorageSet = s.has("objectStorage");
  let objectStorage: ThanosObjectStorage | undefined;
  let clusterLabel = ctx.clusterContext ?? "default";
  const read = readFields(s, THANOS_FIELDS, {
    readers: {
      objectStorage: (t, key) => {
        const o = t.child(key);
        if (!objectStorageSet) return;
        objectStorage = readThanosObjectStorage(o, ctx.secretKeys);
      },
      clusterLabel: (t, key) => {
        clusterLabel = t.optionalString(key, LABEL_VALUE) ?? clusterLabel;
      },
    },
    checks: {
      retention: (t, key, value) => {
        checkRetention(t, key, value as ThanosRetention);
      },
    },
  });
  const { enabled } = read;

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
  return { ...read, ...(objectStorage !== undefined ? { objectStorage } : {}), clusterLabel };
}

/** `thanos`, declared once: Pulumi.yaml and docs/config.md (npm run gen) come from this. */
export const THANOS_KEY: KeyDeclaration = {
  kind: "object",
  description:
    "Long-term metrics with Thanos (chart thanos 0.38.0, in namespace monitoring): the Thanos sidecar in every Prometheus replica uploads blocks to an S3 bucket; query (deduplicating the replicas by their prometheus_replica label), query-frontend, store gateway and compactor run beside Prometheus, and Grafana's Prometheus datasource (same uid) reads the query-frontend. See docs/metrics-long-term.md.",
  fields: THANOS_FIELDS,
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
