import {
  Field,
  Fields,
  Infer,
  readFields,
  MAX_REPLICAS,
  KeyDeclaration,
  Section,
  durationSeconds,
} from "../kit";
import {
  LOKI_OBJECT_STORAGE_FIELDS,
  LOKI_S3_SECRET_KEYS,
  LokiObjectStorage,
  readObjectStorage,
  S3Buckets,
} from "./object-storage";

export {
  LOKI_OBJECT_STORAGE_FIELDS,
  LOKI_S3_CREDENTIALS_SECRET,
  LOKI_S3_FIELDS,
  LOKI_S3_SECRET_KEYS,
  OBJECT_STORAGE_TYPES,
  S3_ACCESS_KEY_ID_KEY,
  S3_SECRET_ACCESS_KEY_KEY,
} from "./object-storage";
export type {
  AzureObjectStorage,
  GcsObjectStorage,
  LokiObjectStorage,
  S3Buckets,
  S3Credentials,
  S3ObjectStorage,
} from "./object-storage";

/**
 * Loki's deployment modes as the chart names them. `Monolithic<->SimpleScalable` and
 * `SimpleScalable<->Distributed` are the chart's transitional modes: both kinds of targets run at
 * once, in one ring, while a cluster moves between them.
 */
export const LOKI_MODES = [
  "Monolithic",
  "SimpleScalable",
  "Distributed",
  "Monolithic<->SimpleScalable",
  "SimpleScalable<->Distributed",
] as const;
export type LokiMode = (typeof LOKI_MODES)[number];

/**
 * The chart's former names of the single binary's modes (loki chart 12 renamed SingleBinary to
 * Monolithic and still reads both): a stack file that sets one keeps working, and the chart is
 * sent the new name.
 */
export const LOKI_MODE_ALIASES = {
  SingleBinary: "Monolithic",
  "SingleBinary<->SimpleScalable": "Monolithic<->SimpleScalable",
} as const satisfies Record<string, LokiMode>;
const LOKI_MODE_NAMES = [
  ...LOKI_MODES,
  ...(Object.keys(LOKI_MODE_ALIASES) as (keyof typeof LOKI_MODE_ALIASES)[]),
];

/** A mode as the stack file names it, under the chart's current name. */
export function lokiMode(name: LokiMode | keyof typeof LOKI_MODE_ALIASES): LokiMode {
  return name in LOKI_MODE_ALIASES
    ? LOKI_MODE_ALIASES[name as keyof typeof LOKI_MODE_ALIASES]
    : (name as LokiMode);
}

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

/** The schema period's start when none is configured. Fixed: it must never move by itself. */
export const DEFAULT_SCHEMA_FROM = "2024-04-01";

/** Where the S3 access key pair comes from; either way, a Secret in Loki's namespace holds it. */

// Loki's allowed tenant characters (docs: "Multi-tenancy"), at most 150 of them.
const TENANT = /^[A-Za-z0-9!_.*'()-]{1,150}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A YAML stack file may turn an unquoted date into a timestamp; midnight UTC is the same date.
const MIDNIGHT = /^(\d{4}-\d{2}-\d{2})T00:00:00(\.0+)?Z$/;

/** `small (up to 100 GB/day)`, from the preset. */
function scaleText(scale: LokiScale): string {
  const gb = LOKI_SCALE_PRESETS[scale].gbPerDay;
  return `${scale} (up to ${gb >= 1000 ? `${String(gb / 1000)} TB` : `${String(gb)} GB`}/day)`;
}

/** A replica count whose default and minimum the mode decides: the reader of each is in readLoki. */
function modeReplicas(description: string, runs: string, dflt: number) {
  return {
    kind: "custom",
    type: "integer",
    defaultText: `${String(dflt)} in ${runs}, 0 otherwise`,
    constraints: `from 1 to ${String(MAX_REPLICAS)} in ${runs}, else 0`,
    description,
  } as const satisfies Field;
}

const SCALABLE_MODES = "SimpleScalable and the transitional modes";

export const LOKI_FIELDS = {
  enabled: {
    kind: "boolean",
    default: true,
    description: "Install Loki, a log collector and Grafana's Loki datasource.",
  },
  mode: {
    kind: "enum",
    values: LOKI_MODE_NAMES,
    default: "Monolithic",
    description:
      "Monolithic (the single binary), SimpleScalable or Distributed, or one of the chart's transitional modes for migrating between them, Monolithic<->SimpleScalable and SimpleScalable<->Distributed (docs/logs.md). SingleBinary and SingleBinary<->SimpleScalable, the chart's former names, mean Monolithic and Monolithic<->SimpleScalable.",
  },
  scale: {
    kind: "enum",
    values: LOKI_SCALES,
    default: "small",
    description: `Distributed mode's size for a daily log volume: ${LOKI_SCALES.slice(0, -1).map(scaleText).join(", ")} or ${scaleText("large")}, Loki's published tier; sets the replicas of every distributed component (docs/logs.md). Only in the Distributed modes.`,
  },
  singleBinary: {
    kind: "group",
    description: "The single binary.",
    fields: {
      replicas: modeReplicas(
        "Single-binary replicas; more than one needs object storage (loki.objectStorage).",
        "Monolithic and Monolithic<->SimpleScalable",
        1,
      ),
    },
  },
  simpleScalable: {
    kind: "group",
    description: "The read, write and backend targets of SimpleScalable mode.",
    fields: {
      read: modeReplicas("Read target replicas.", SCALABLE_MODES, 3),
      write: modeReplicas("Write target replicas (the ingesters).", SCALABLE_MODES, 3),
      backend: modeReplicas("Backend target replicas (compactor, ruler, index gateway).", SCALABLE_MODES, 3),
    },
  },
  gateway: {
    kind: "group",
    description:
      "The gateway (nginx, Service loki-gateway) the collector and Grafana talk to, whatever the mode.",
    fields: {
      replicas: { kind: "integer", default: 1, min: 1, max: MAX_REPLICAS, description: "Gateway replicas." },
    },
  },
  persistence: {
    kind: "group",
    description: "Loki's PersistentVolumeClaims.",
    fields: {
      size: {
        kind: "string",
        format: "size",
        default: "10Gi",
        description: "Each claim: single binary, write, backend, the distributed components', MinIO.",
      },
    },
  },
  objectStorage: {
    kind: "custom",
    type: "object",
    defaultText: "none (the single binary's filesystem volume)",
    constraints: "required for SimpleScalable and Distributed",
    description: "Object storage for chunks and the index.",
    fields: LOKI_OBJECT_STORAGE_FIELDS,
  },
  schemaFrom: {
    kind: "custom",
    type: "date",
    defaultText: DEFAULT_SCHEMA_FROM,
    constraints: "YYYY-MM-DD (quote it in YAML), on or before today",
    description: "First day of the one schema period (tsdb, v13). Never change it once Loki holds data.",
  },
  retention: {
    kind: "string",
    format: "duration",
    default: "7d",
    description: "How long logs are kept, at least 24h; the compactor deletes older ones.",
  },
  authEnabled: {
    kind: "boolean",
    default: false,
    description: "Multi-tenancy: pushes and queries carry a tenant id.",
  },
  tenant: {
    kind: "string",
    format: {
      re: TENANT,
      what: "a Loki tenant id (letters, digits and !-_.*'(), at most 150)",
      example: "observability",
    },
    default: "observability",
    description: "The tenant the collector pushes as and Grafana queries as, when authEnabled is true.",
  },
  caches: {
    kind: "custom",
    type: "boolean",
    defaultText: "false in Monolithic, true otherwise",
    description: "Memcached chunks and results caches.",
  },
} as const satisfies Fields;

type ReadLoki = Infer<typeof LOKI_FIELDS>;

/**
 * Buckets a stack file names that the loki chart never reads for this stack: the ruler's (the
 * ruler stays off) and the admin API's (Grafana Enterprise Logs, gone from the chart).
 */
export function lokiUnusedBucketWarnings(loki: { objectStorage?: { buckets: S3Buckets } }): string[] {
  const buckets = loki.objectStorage?.buckets;
  if (buckets === undefined) return [];
  const why = {
    ruler: "the loki chart reads it only for Loki's ruler, which this stack keeps off",
    admin: "the loki chart read it only for Grafana Enterprise Logs, which it no longer installs",
  };
  return (["ruler", "admin"] as const)
    .filter((k) => buckets[k] !== undefined)
    .map(
      (k) =>
        `loki.objectStorage.buckets.${k}: is set but does nothing (${why[k]}); remove it with \`pulumi config rm --path loki.objectStorage.buckets.${k}\``,
    );
}

/** Loki, as LOKI_FIELDS declares it. */
export type LokiConfig = Omit<ReadLoki, "mode" | "singleBinary" | "simpleScalable"> & {
  /** The deployment mode, under the chart's current name (a former name in the stack file is translated). */
  mode: LokiMode;
  /** Single-binary replicas: 1 in Monolithic and the transitional mode from it, 0 otherwise. */
  singleBinary: { replicas: number };
  /** Replicas of the scalable targets: 3 each in SimpleScalable and the transitional modes, 0 otherwise. */
  simpleScalable: { read: number; write: number; backend: number };
  /** The distributed components, in Distributed and `SimpleScalable<->Distributed` mode only. */
  distributed?: LokiDistributedConfig;
  /** Object storage. Defaults to none: the single binary keeps chunks on its filesystem volume. */
  objectStorage?: LokiObjectStorage;
  /** Start of the one schema period (tsdb, v13), `YYYY-MM-DD`. Defaults to 2024-04-01. */
  schemaFrom: string;
  /** Memcached chunks and results caches. Defaults to false in Monolithic, true otherwise. */
  caches: boolean;
};

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

function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function readSchemaFrom(s: Section, key: string, today: string): string {
  const v = s.raw(key);
  if (v === undefined) return DEFAULT_SCHEMA_FROM;
  const text = typeof v === "string" ? (MIDNIGHT.exec(v)?.[1] ?? v) : undefined;
  if (text === undefined || !isCalendarDate(text)) {
    s.problem(
      key,
      `must be a calendar date in the form YYYY-MM-DD, got ${JSON.stringify(v)}`,
      `set e.g. \`pulumi config set --path loki.schemaFrom ${DEFAULT_SCHEMA_FROM}\`, and never change it once Loki holds data`,
    );
    return DEFAULT_SCHEMA_FROM;
  }
  // Dates in YYYY-MM-DD compare as text. The one schema period must cover the logs Loki gets now.
  if (text > today) {
    s.problem(
      key,
      `is ${text}, after today (${today}), so Loki would have no schema for the logs it receives now`,
      `set a date on or before today, e.g. \`pulumi config set --path loki.schemaFrom ${DEFAULT_SCHEMA_FROM}\`, and never change it once Loki holds data`,
    );
    return DEFAULT_SCHEMA_FROM;
  }
  return text;
}

/**
 * Reads `loki` as LOKI_FIELDS declares it: the deployment mode, object storage, schema, retention
 * and tenancy, with the rules the chart itself would fail on at render time, so a mistake shows at
 * preview. The replica counts and caches, whose defaults the mode decides, the object storage and
 * the schema date have their own readers. `today` (YYYY-MM-DD, UTC) is the clock the schema date
 * is checked against; it is never part of the result.
 */
export function readLoki(s: Section, secretKeys: ReadonlySet<string>, today: string): LokiConfig {
  const objectStorageSet = s.has("objectStorage");
  // What the mode decides and the custom readers read, for the rules and the result below.
  const got: {
    mode: LokiMode;
    singleBinary: { replicas: number };
    simpleScalable: { read: number; write: number; backend: number };
    /** The replica counts the stack file sets, rather than leaving them to the mode. */
    set: Set<string>;
    objectStorage?: LokiObjectStorage;
    schemaFrom: string;
    caches: boolean;
  } = {
    mode: "Monolithic",
    set: new Set(),
    singleBinary: { replicas: 1 },
    simpleScalable: { read: 0, write: 0, backend: 0 },
    schemaFrom: DEFAULT_SCHEMA_FROM,
    caches: false,
  };
  const runs = (mode: LokiMode) => ({
    singleBinary: mode === "Monolithic" || mode === "Monolithic<->SimpleScalable",
    scalable: mode !== "Monolithic" && mode !== "Distributed",
    distributed: mode === "Distributed" || mode === "SimpleScalable<->Distributed",
  });
  const target = (name: "read" | "write" | "backend") => (ss: Section, key: string) => {
    const on = runs(got.mode).scalable;
    if (ss.has(key)) got.set.add(`simpleScalable.${key}`);
    got.simpleScalable[name] = ss.int(key, on ? 3 : 0, on ? 1 : 0, MAX_REPLICAS);
  };
  const read = readFields(s, LOKI_FIELDS, {
    readers: {
      "singleBinary.replicas": (sb, key) => {
        const n = runs(got.mode).singleBinary ? 1 : 0;
        if (sb.has(key)) got.set.add(`singleBinary.${key}`);
        got.singleBinary.replicas = sb.int(key, n, n, MAX_REPLICAS);
      },
      "simpleScalable.read": target("read"),
      "simpleScalable.write": target("write"),
      "simpleScalable.backend": target("backend"),
      objectStorage: (l, key) => {
        const storage = readObjectStorage(l, key, secretKeys);
        if (storage !== undefined) got.objectStorage = storage;
      },
      schemaFrom: (l, key) => {
        got.schemaFrom = readSchemaFrom(l, key, today);
      },
      caches: (l, key) => {
        got.caches = l.bool(key, got.mode !== "Monolithic");
      },
    },
    checks: {
      mode: (_l, _key, value) => {
        got.mode = lokiMode(value as (typeof LOKI_MODE_NAMES)[number]);
      },
      retention: (l, key, value) => {
        if (l.has(key) && value === l.raw(key) && durationSeconds(value as string) < 86400) {
          l.problem(
            key,
            `must be at least 24h, the compactor's smallest retention period, got ${JSON.stringify(value)}`,
            "set e.g. `pulumi config set --path loki.retention 7d`",
          );
        }
      },
    },
  });
  const { scale } = read;
  const mode = got.mode;
  const { singleBinary, simpleScalable, objectStorage } = got;
  const { singleBinary: runsSingleBinary, scalable: runsScalable, distributed: runsDistributed } = runs(mode);

  // The chart's own render-time checks, named by key path.
  if ((runsScalable || runsDistributed) && !objectStorageSet) {
    s.problem(
      "objectStorage",
      `is required when loki.mode is ${mode}: ${runsScalable ? "the read, write and backend targets" : "the distributed components"} share data only through object storage`,
      "set an S3-compatible bucket (loki.objectStorage.region, loki.objectStorage.buckets.chunks and credentials; loki.objectStorage.endpoint for a store you run yourself), e.g. `pulumi config set --path loki.objectStorage.buckets.chunks loki-chunks`",
    );
  }
  if (mode === "Monolithic" && !objectStorageSet && singleBinary.replicas > 1) {
    s.problem(
      "singleBinary.replicas",
      `is ${singleBinary.replicas}, but without loki.objectStorage Loki keeps its data on one filesystem volume that replicas cannot share`,
      "set `pulumi config set --path loki.singleBinary.replicas 1`, or configure loki.objectStorage",
    );
  }
  const bothModes = (path: string, value: number, what: string, transition: LokiMode) => {
    s.problem(
      path,
      `is ${value}, but loki.mode is ${mode}, which runs ${what}`,
      `remove it with \`pulumi config rm --path ${s.join(path)}\`, or set \`pulumi config set --path loki.mode ${transition}\` to run both while migrating`,
    );
  };
  if (mode === "Monolithic" || mode === "Distributed") {
    for (const key of ["read", "write", "backend"] as const) {
      if (got.set.has(`simpleScalable.${key}`) && simpleScalable[key] > 0)
        bothModes(
          `simpleScalable.${key}`,
          simpleScalable[key],
          "no read, write or backend targets",
          mode === "Distributed" ? "SimpleScalable<->Distributed" : "Monolithic<->SimpleScalable",
        );
    }
  }
  if (!runsSingleBinary && got.set.has("singleBinary.replicas") && singleBinary.replicas > 0) {
    if (runsDistributed) {
      // The chart has no transitional mode between the single binary and distributed components.
      s.problem(
        "singleBinary.replicas",
        `is ${singleBinary.replicas}, but loki.mode is ${mode}, and the chart cannot run a single binary beside the distributed components`,
        `remove it with \`pulumi config rm --path ${s.join("singleBinary.replicas")}\`; to leave Monolithic, migrate to SimpleScalable first (docs/logs.md)`,
      );
    } else {
      bothModes(
        "singleBinary.replicas",
        singleBinary.replicas,
        "no single binary",
        "Monolithic<->SimpleScalable",
      );
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
    ...read,
    mode,
    singleBinary,
    simpleScalable,
    ...(runsDistributed
      ? { distributed: { scale, replicas: { ...LOKI_SCALE_PRESETS[scale].replicas } } }
      : {}),
    ...(objectStorage !== undefined ? { objectStorage } : {}),
    schemaFrom: got.schemaFrom,
    caches: got.caches,
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

/** `loki`, declared once: Pulumi.yaml and docs/config.md (npm run gen) come from this. */
export const LOKI_KEY: KeyDeclaration = {
  kind: "object",
  description: "Loki (chart loki), in namespace logging, behind its gateway (Service loki-gateway).",
  fields: LOKI_FIELDS,
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
