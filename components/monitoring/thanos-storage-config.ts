import {
  AZURE_ACCOUNT,
  AZURE_CONTAINER,
  BUCKET_IDENTITY_FIELDS,
  BUCKET_STORES,
  BucketIdentity,
  bucketAccess,
  Fields,
  GCS_BUCKET,
  Infer,
  readBucketIdentity,
  readFields,
  S3Credentials,
  Section,
  S3_CONNECTION_FIELDS,
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

const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOST_PORT = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/;

/** The S3-compatible bucket the sidecars upload blocks to and the store gateway and compactor read. */
export const THANOS_OBJECT_STORAGE_FIELDS = {
  type: {
    kind: "enum",
    values: BUCKET_STORES,
    default: "s3",
    description:
      "s3: an S3-compatible bucket; gcs: a Google Cloud Storage bucket; azure: a container of an Azure storage account (thanos.objectStorage.accountName).",
  },
  endpoint: {
    kind: "string",
    format: {
      re: HOST_PORT,
      what: "a host name with an optional port and no scheme (thanos.objectStorage.insecure picks http)",
      example: "s3.eu-west-1.amazonaws.com",
    },
    defaultText: "s3.<region>.amazonaws.com",
    description: "With type s3: the S3 API's endpoint.",
  },
  region: {
    kind: "custom",
    type: "string",
    defaultText: "none",
    constraints: "required with type s3",
    description: "With type s3: the bucket's region.",
  },
  bucket: {
    kind: "custom",
    type: "string",
    defaultText: "none",
    constraints: "required: an S3 or GCS bucket name, or an Azure container name",
    description: "The bucket (with type azure, the container).",
  },
  ...S3_CONNECTION_FIELDS,
  existingSecret: {
    kind: "string",
    format: {
      re: K8S_NAME,
      what: "a Kubernetes Secret name",
      example: "thanos-object-storage",
    },
    defaultText: "none",
    description: `With type s3 and identity staticKeys: a Secret in namespace monitoring, created by you, with keys ${AWS_ACCESS_KEY_ID} and ${AWS_SECRET_ACCESS_KEY}. Either this or both secret keys ${THANOS_S3_SECRET_KEYS.accessKeyId} and ${THANOS_S3_SECRET_KEYS.secretAccessKey}.`,
  },
  accountName: {
    kind: "custom",
    type: "string",
    defaultText: "none",
    constraints: `required with type azure: ${AZURE_ACCOUNT.what}`,
    description: "With type azure: the storage account that holds the container.",
  },
  identity: {
    kind: "custom",
    type: "object",
    defaultText: "staticKeys (s3), the cloud's workload identity (gcs, azure)",
    description:
      "How the Thanos sidecars, store gateway and compactor reach the bucket: static keys or the cloud's workload identity.",
    fields: BUCKET_IDENTITY_FIELDS,
  },
} as const satisfies Fields;

const S3_BUCKET_FORMAT = {
  re: S3_BUCKET,
  what: "an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)",
  example: "observability-metrics",
};

/** The fields each store reads, besides type and identity. */
const STORE_FIELDS = {
  s3: {
    endpoint: THANOS_OBJECT_STORAGE_FIELDS.endpoint,
    region: { kind: "string", required: true, example: "eu-west-1", description: "The bucket's region." },
    bucket: { kind: "string", required: true, format: S3_BUCKET_FORMAT, description: "The bucket." },
    ...S3_CONNECTION_FIELDS,
    existingSecret: THANOS_OBJECT_STORAGE_FIELDS.existingSecret,
  },
  gcs: {
    bucket: {
      kind: "string",
      required: true,
      format: { ...GCS_BUCKET, example: "observability-metrics" },
      description: "The bucket.",
    },
  },
  azure: {
    accountName: { kind: "string", required: true, format: AZURE_ACCOUNT, description: "The account." },
    bucket: {
      kind: "string",
      required: true,
      format: { ...AZURE_CONTAINER, example: "observability-metrics" },
      description: "The container.",
    },
  },
} as const satisfies Record<string, Fields>;

/** An S3 bucket, as THANOS_OBJECT_STORAGE_FIELDS declares it, with its identity (and key pair with static keys). */
export type ThanosS3Storage = { type: "s3" } & Omit<
  Infer<typeof STORE_FIELDS.s3>,
  "endpoint" | "existingSecret"
> & {
    /** Host name and optional port of the S3 API. Defaults to `s3.<region>.amazonaws.com`. */
    endpoint: string;
    identity: BucketIdentity;
    /** With identity staticKeys only. */
    credentials?: ThanosCredentials;
  };

/** A GCS bucket (GKE Workload Identity) or an Azure container (AKS Workload Identity). */
export type ThanosCloudStorage =
  | { type: "gcs"; bucket: string; identity: BucketIdentity }
  | { type: "azure"; accountName: string; bucket: string; identity: BucketIdentity };

/** The bucket, as THANOS_OBJECT_STORAGE_FIELDS declares it. */
export type ThanosObjectStorage = ThanosS3Storage | ThanosCloudStorage;

const CREDENTIALS_SPEC = {
  part: "Thanos",
  path: "thanos.objectStorage",
  namespace: "monitoring",
  secretKeys: THANOS_S3_SECRET_KEYS,
  programSecret: THANOS_S3_CREDENTIALS_SECRET,
  exampleSecret: "thanos-object-storage",
};

/** `thanos.objectStorage`: the type picks the fields; the identity, and the key pair with static keys. */
export function readThanosObjectStorage(
  o: Section,
  secretKeys: ReadonlySet<string>,
): ThanosObjectStorage | undefined {
  const typeValue = o.raw("type");
  const type = o.oneOf("type", BUCKET_STORES, "s3");
  if (type === undefined || (typeValue !== undefined && typeValue !== type)) {
    for (const k of Object.keys(THANOS_OBJECT_STORAGE_FIELDS)) o.raw(k);
    o.done();
    return undefined;
  }
  // A field of another store's type is named as such, not as an unknown key.
  const own = new Set(["type", "identity", ...Object.keys(STORE_FIELDS[type])]);
  for (const k of Object.keys(THANOS_OBJECT_STORAGE_FIELDS).filter(
    (f) => !own.has(f) && f !== "existingSecret",
  )) {
    if (o.raw(k) !== undefined) {
      o.problem(
        k,
        `is set, but ${o.join("type")} is ${type}, which does not use it`,
        `remove it with \`pulumi config rm --path ${o.join(k)}\`, or set the type that uses it`,
      );
    }
  }
  let identity: BucketIdentity | undefined;
  const readers = {
    identity: (b: Section, k: string) => {
      identity = readBucketIdentity(b, k, type);
    },
  };
  const identityField = THANOS_OBJECT_STORAGE_FIELDS.identity;
  if (type === "s3") {
    const read = readFields(o, { ...STORE_FIELDS.s3, identity: identityField }, { readers });
    const access = bucketAccess(o, identity, read.existingSecret, secretKeys, CREDENTIALS_SPEC);
    if (access === undefined) return undefined;
    const { endpoint, region, bucket, forcePathStyle, insecure } = read;
    return {
      type,
      endpoint: endpoint ?? `s3.${region}.amazonaws.com`,
      region,
      bucket,
      forcePathStyle,
      insecure,
      ...access,
    };
  }
  // A key beside a workload identity is reported by bucketAccess, naming it.
  o.raw("existingSecret");
  if (type === "gcs") {
    const read = readFields(o, { ...STORE_FIELDS.gcs, identity: identityField }, { readers });
    const access = bucketAccess(o, identity, undefined, secretKeys, CREDENTIALS_SPEC);
    return access === undefined ? undefined : { type, bucket: read.bucket, identity: access.identity };
  }
  const read = readFields(o, { ...STORE_FIELDS.azure, identity: identityField }, { readers });
  const access = bucketAccess(o, identity, undefined, secretKeys, CREDENTIALS_SPEC);
  return access === undefined
    ? undefined
    : { type, accountName: read.accountName, bucket: read.bucket, identity: access.identity };
}
