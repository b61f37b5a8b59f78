import {
  AZURE_ACCOUNT,
  AZURE_CONTAINER,
  BUCKET_IDENTITY_FIELDS,
  BucketIdentity,
  bucketAccess,
  BUCKET_STORES,
  Fields,
  GCS_BUCKET,
  GroupField,
  Infer,
  patterns,
  readBucketIdentity,
  readFields,
  S3_ACCESS_KEY_ID_KEY,
  S3_CONNECTION_FIELDS,
  S3_SECRET_ACCESS_KEY_KEY,
  S3Credentials,
  Section,
  TextFormat,
} from "../kit";

/**
 * `s3`: any S3-compatible bucket, in a cloud or a store you run; `gcs`: a Google Cloud Storage
 * bucket; `azure`: an Azure Blob Storage container. The loki chart's bundled MinIO is not offered:
 * the chart deprecated it (chart 17) and announced its removal (docs/logs.md).
 */
export const OBJECT_STORAGE_TYPES = BUCKET_STORES;

/** The secret config keys that can hold the S3 access key pair. */
export const LOKI_S3_SECRET_KEYS = {
  accessKeyId: "lokiS3AccessKeyId",
  secretAccessKey: "lokiS3SecretAccessKey",
} as const;

/** The Secret the program creates from the secret config keys, in Loki's namespace. */
export const LOKI_S3_CREDENTIALS_SECRET = "loki-s3-credentials";

/** Keys of the credentials Secret, whether the program creates it or the platform team does. */
export { S3_ACCESS_KEY_ID_KEY, S3_SECRET_ACCESS_KEY_KEY };

/** Where the S3 access key pair comes from; either way, a Secret in Loki's namespace holds it. */
export type { S3Credentials };

const HOST_PORT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/;

/** An S3 bucket name, with the example its message suggests. */
function s3Bucket(example: string): TextFormat {
  return {
    re: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    what: "an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)",
    example,
  };
}

/**
 * The buckets of one store, in its names' format: the chunks bucket (a container on Azure), and
 * the ruler's and admin API's, which the chart never reads for this stack.
 */
function bucketsField(format: (example: string) => TextFormat, what: string) {
  return {
    kind: "group",
    description: `The ${what}s.`,
    fields: {
      chunks: {
        kind: "string",
        required: true,
        format: format("loki-chunks"),
        description: `The ${what} for log chunks and the index.`,
      },
      // The loki chart reads these only for its ruler and for Grafana Enterprise Logs' admin API:
      // the stack runs neither (the ruler stays off; chart 8 removed Enterprise). A stack file that
      // sets them still reads, and the preview warns that they do nothing.
      ruler: {
        kind: "string",
        format: format("loki-ruler"),
        defaultText: "none",
        description:
          "Not used: the chart reads it only for Loki's ruler, which the stack keeps off. A preview warns when it is set.",
      },
      admin: {
        kind: "string",
        format: format("loki-admin"),
        defaultText: "none",
        description:
          "Not used: the chart read it only for Grafana Enterprise Logs, which it no longer installs. A preview warns when it is set.",
      },
    },
  } as const satisfies GroupField;
}

/** An S3-compatible bucket (AWS S3, GCS interop, Ceph, an external MinIO, ...): the fields of type s3. */
export const LOKI_S3_FIELDS = {
  endpoint: {
    kind: "string",
    format: {
      re: HOST_PORT,
      what: "a host name with an optional port and no scheme (loki.objectStorage.insecure picks http)",
      example: "s3.eu-west-1.amazonaws.com",
    },
    defaultText: "AWS S3 for the region",
    description: "The S3 API's endpoint.",
  },
  region: { kind: "string", required: true, example: "eu-west-1", description: "The bucket's region." },
  buckets: bucketsField(s3Bucket, "bucket"),
  ...S3_CONNECTION_FIELDS,
  existingSecret: {
    kind: "string",
    format: {
      re: patterns.K8S_NAME,
      what: "a Kubernetes Secret name (at most 63 lowercase letters, digits and -, starting and ending with a letter or digit)",
      example: "loki-object-storage",
    },
    defaultText: "none",
    description: `A Secret in namespace logging, created by you, with keys ${S3_ACCESS_KEY_ID_KEY} and ${S3_SECRET_ACCESS_KEY_KEY}. Either this or both secret keys ${LOKI_S3_SECRET_KEYS.accessKeyId} and ${LOKI_S3_SECRET_KEYS.secretAccessKey}.`,
  },
} as const satisfies Fields;

/** `objectStorage.identity`: how Loki's pods reach the bucket. */
const IDENTITY = {
  kind: "custom",
  type: "object",
  defaultText: "staticKeys (s3), the cloud's workload identity (gcs, azure)",
  description: "How Loki's pods reach the bucket: static keys or the cloud's workload identity.",
  fields: BUCKET_IDENTITY_FIELDS,
} as const;

const LOKI_GCS_FIELDS = {
  buckets: bucketsField((example) => ({ ...GCS_BUCKET, example }), "bucket"),
  identity: IDENTITY,
} as const satisfies Fields;

const LOKI_AZURE_FIELDS = {
  accountName: {
    kind: "string",
    required: true,
    format: AZURE_ACCOUNT,
    description: "With type azure: the storage account that holds the container.",
  },
  buckets: bucketsField((example) => ({ ...AZURE_CONTAINER, example }), "container"),
  identity: IDENTITY,
} as const satisfies Fields;

/** Every field of `loki.objectStorage`, for the reference: the type picks which apply. */
export const LOKI_OBJECT_STORAGE_FIELDS = {
  type: {
    kind: "enum",
    values: OBJECT_STORAGE_TYPES,
    default: "s3",
    description:
      "s3: any S3-compatible bucket, a cloud's or one you run yourself (loki.objectStorage.endpoint); gcs: a Google Cloud Storage bucket; azure: a container of an Azure storage account (loki.objectStorage.accountName). The loki chart's bundled MinIO is not offered (docs/logs.md).",
  },
  ...LOKI_S3_FIELDS,
  region: {
    kind: "custom",
    type: "string",
    defaultText: "none",
    constraints: "required with type s3",
    description: "With type s3: the bucket's region.",
  },
  accountName: {
    kind: "custom",
    type: "string",
    defaultText: "none",
    constraints: `required with type azure: ${AZURE_ACCOUNT.what}`,
    description: "With type azure: the storage account that holds the container.",
  },
  identity: IDENTITY,
} as const satisfies Fields;

type ReadS3 = Infer<typeof LOKI_S3_FIELDS>;

export type S3Buckets = ReadS3["buckets"];

/** An S3-compatible bucket, as LOKI_S3_FIELDS declares it, with its identity (and key pair with static keys). */
export type S3ObjectStorage = { type: "s3" } & Omit<ReadS3, "existingSecret"> & {
    identity: BucketIdentity;
    /** With identity staticKeys only. */
    credentials?: S3Credentials;
  };

/** A GCS bucket, reached with GKE Workload Identity. */
export interface GcsObjectStorage {
  type: "gcs";
  buckets: S3Buckets;
  identity: BucketIdentity;
}

/** A container of an Azure storage account, reached with AKS Workload Identity. */
export interface AzureObjectStorage {
  type: "azure";
  accountName: string;
  buckets: S3Buckets;
  identity: BucketIdentity;
}

export type LokiObjectStorage = S3ObjectStorage | GcsObjectStorage | AzureObjectStorage;

const CREDENTIALS_SPEC = {
  part: "Loki",
  path: "loki.objectStorage",
  namespace: "logging",
  secretKeys: LOKI_S3_SECRET_KEYS,
  programSecret: LOKI_S3_CREDENTIALS_SECRET,
  exampleSecret: "loki-object-storage",
};

/**
 * `objectStorage`: its type picks the fields; with the bundled MinIO the S3 fields are refused, and
 * with an unknown type they cannot be judged until the type is fixed.
 */
export function readObjectStorage(
  s: Section,
  key: string,
  secretKeys: ReadonlySet<string>,
): LokiObjectStorage | undefined {
  if (!s.has(key)) {
    s.raw(key);
    return undefined;
  }
  const o = s.child(key);
  const typeValue = o.raw("type");
  const allKeys = Object.keys(LOKI_OBJECT_STORAGE_FIELDS);
  if (typeValue === "minio") {
    // The bundled MinIO the loki chart deprecated: refused before anything changes, so a stack
    // that stores its logs there moves them first instead of losing them at the upgrade.
    for (const k of allKeys) o.raw(k);
    o.problem(
      "type",
      "is minio, the loki chart's bundled MinIO, which the chart deprecated and no longer renders (its removal is announced); this stack does not run it",
      'point Loki at an S3-compatible bucket with `pulumi config set --path loki.objectStorage.type s3` and its endpoint, region, buckets and credentials; a stack whose logs are in the bundled MinIO moves them first (docs/logs.md, "Leaving the bundled MinIO")',
    );
    o.done();
    return undefined;
  }
  const { values, default: dflt } = LOKI_OBJECT_STORAGE_FIELDS.type;
  const type = o.oneOf("type", values, dflt);
  if (typeValue !== undefined && typeValue !== type) {
    for (const k of allKeys) o.raw(k);
    o.done();
    return undefined;
  }
  // A field of another store's type is named as such, not as an unknown key.
  const own = new Set([
    "type",
    "existingSecret",
    ...Object.keys(type === "gcs" ? LOKI_GCS_FIELDS : type === "azure" ? LOKI_AZURE_FIELDS : LOKI_S3_FIELDS),
    "identity",
  ]);
  for (const k of allKeys.filter((f) => !own.has(f))) {
    if (o.raw(k) !== undefined) {
      o.problem(
        k,
        `is set, but ${o.join("type")} is ${type ?? "s3"}, which does not use it`,
        `remove it with \`pulumi config rm --path ${o.join(k)}\`, or set the type that uses it`,
      );
    }
  }
  let identity: BucketIdentity | undefined;
  const readIdentity = (store: "s3" | "gcs" | "azure") => ({
    identity: (b: Section, k: string) => {
      identity = readBucketIdentity(b, k, store);
    },
  });
  if (type === "gcs" || type === "azure") {
    // A key beside a workload identity is reported by bucketAccess, naming it.
    o.raw("existingSecret");
    const read =
      type === "gcs"
        ? readFields(o, LOKI_GCS_FIELDS, { readers: readIdentity("gcs") })
        : readFields(o, LOKI_AZURE_FIELDS, { readers: readIdentity("azure") });
    const access = bucketAccess(o, identity, undefined, secretKeys, CREDENTIALS_SPEC);
    if (access === undefined) return undefined;
    return type === "gcs"
      ? { type, buckets: read.buckets, identity: access.identity }
      : {
          type,
          accountName: (read as Infer<typeof LOKI_AZURE_FIELDS>).accountName,
          buckets: read.buckets,
          identity: access.identity,
        };
  }
  const read = readFields(o, { ...LOKI_S3_FIELDS, identity: IDENTITY }, { readers: readIdentity("s3") });
  const access = bucketAccess(o, identity, read.existingSecret, secretKeys, CREDENTIALS_SPEC);
  // Without access (a problem already reported) the config is never used.
  if (access === undefined) return undefined;
  const { endpoint, region, buckets, forcePathStyle, insecure } = read;
  return {
    type: "s3",
    ...(endpoint !== undefined ? { endpoint } : {}),
    region,
    buckets,
    forcePathStyle,
    insecure,
    ...access,
  };
}
