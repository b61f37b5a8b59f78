import { Fields, TextFormat } from "./declare";
import { Section, setCommand } from "./reader";
import { readS3Credentials, S3Credentials, S3CredentialsSpec } from "./s3-credentials";

/** The object stores a part's bucket can be in: S3 (or S3-compatible), Google Cloud Storage, Azure Blob Storage. */
export const BUCKET_STORES = ["s3", "gcs", "azure"] as const;
export type BucketStore = (typeof BUCKET_STORES)[number];

/**
 * How the pods that use a bucket prove who they are. `staticKeys`: an access key pair from a
 * Kubernetes Secret (S3 only). The others are the clouds' workload identities: the pods'
 * ServiceAccount gets the cloud's annotation (none for EKS Pod Identity, whose association lives
 * on the AWS side) and the pods carry no key.
 */
export const BUCKET_IDENTITY_KINDS = [
  "staticKeys",
  "eksIrsa",
  "eksPodIdentity",
  "gkeWorkloadIdentity",
  "aksWorkloadIdentity",
] as const;
export type BucketIdentityKind = (typeof BUCKET_IDENTITY_KINDS)[number];

export type BucketIdentity =
  | { kind: "staticKeys" }
  | { kind: "eksIrsa"; roleArn: string }
  | { kind: "eksPodIdentity" }
  | { kind: "gkeWorkloadIdentity"; gcpServiceAccount: string }
  | { kind: "aksWorkloadIdentity"; clientId: string };

/** The identities each store takes, the first its default. */
export const STORE_IDENTITIES: Readonly<Record<BucketStore, readonly BucketIdentityKind[]>> = {
  s3: ["staticKeys", "eksIrsa", "eksPodIdentity"],
  gcs: ["gkeWorkloadIdentity"],
  azure: ["aksWorkloadIdentity"],
};

export const ROLE_ARN: TextFormat = {
  re: /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
  what: "an IAM role ARN, arn:aws:iam::<12-digit account id>:role/<name>",
  example: "arn:aws:iam::123456789012:role/observability-loki",
};
export const GCP_SERVICE_ACCOUNT: TextFormat = {
  re: /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
  what: "a Google service account email, <name>@<project>.iam.gserviceaccount.com",
  example: "loki@my-project.iam.gserviceaccount.com",
};
export const AZURE_CLIENT_ID: TextFormat = {
  re: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  what: "a managed identity's client id, a GUID (8-4-4-4-12 hexadecimal digits)",
  example: "00000000-0000-0000-0000-000000000000",
};
/** A GCS bucket name without dots (3-63 lowercase letters, digits, - and _). */
export const GCS_BUCKET: TextFormat = {
  re: /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/,
  what: "a GCS bucket name (3-63 lowercase letters, digits, - and _, starting and ending with a letter or digit)",
  example: "observability-loki-chunks",
};
export const AZURE_ACCOUNT: TextFormat = {
  re: /^[a-z0-9]{3,24}$/,
  what: "an Azure storage account name (3-24 lowercase letters and digits)",
  example: "observabilitylogs",
};
export const AZURE_CONTAINER: TextFormat = {
  re: /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  what: "an Azure blob container name (3-63 lowercase letters, digits and single hyphens)",
  example: "loki-chunks",
};

/** `<bucket>.identity`, declared for the reference; readBucketAccess reads it. */
export const BUCKET_IDENTITY_FIELDS = {
  kind: {
    kind: "custom",
    type: `one of ${BUCKET_IDENTITY_KINDS.join(", ")}`,
    defaultText: "staticKeys for s3, gkeWorkloadIdentity for gcs, aksWorkloadIdentity for azure",
    constraints:
      "s3 takes staticKeys, eksIrsa or eksPodIdentity; gcs takes gkeWorkloadIdentity; azure takes aksWorkloadIdentity",
    description:
      "staticKeys: an access key pair from a Secret. eksIrsa: the role ARN on the pods' ServiceAccount. eksPodIdentity: an EKS Pod Identity association you make on the AWS side for the ServiceAccount. gkeWorkloadIdentity and aksWorkloadIdentity: the cloud's workload identity on the ServiceAccount. With any of these, no key is set or accepted (docs/logs.md, \"Cloud identity instead of keys\").",
  },
  roleArn: {
    kind: "custom",
    type: "string",
    defaultText: "none",
    constraints: `with eksIrsa only: ${ROLE_ARN.what}`,
    description: "The IAM role the pods assume (annotation eks.amazonaws.com/role-arn).",
  },
  gcpServiceAccount: {
    kind: "custom",
    type: "string",
    defaultText: "none",
    constraints: `with gkeWorkloadIdentity only: ${GCP_SERVICE_ACCOUNT.what}`,
    description: "The Google service account the pods act as (annotation iam.gke.io/gcp-service-account).",
  },
  clientId: {
    kind: "custom",
    type: "string",
    defaultText: "none",
    constraints: `with aksWorkloadIdentity only: ${AZURE_CLIENT_ID.what}`,
    description:
      "The client id of the user-assigned managed identity the pods act as (annotation azure.workload.identity/client-id).",
  },
} as const satisfies Fields;

/** The field each identity needs, and its format. */
const IDENTITY_FIELD: Readonly<Partial<Record<BucketIdentityKind, { key: string; format: TextFormat }>>> = {
  eksIrsa: { key: "roleArn", format: ROLE_ARN },
  gkeWorkloadIdentity: { key: "gcpServiceAccount", format: GCP_SERVICE_ACCOUNT },
  aksWorkloadIdentity: { key: "clientId", format: AZURE_CLIENT_ID },
};

/**
 * Reads `<objectStorage>.identity` for a bucket in `store`: the kind (defaulting to the store's
 * first), the one field that kind needs, and nothing else. Undefined with a problem.
 */
export function readBucketIdentity(o: Section, key: string, store: BucketStore): BucketIdentity | undefined {
  const s = o.child(key);
  const allowed = STORE_IDENTITIES[store];
  const dflt = allowed[0] as BucketIdentityKind;
  const raw = s.raw("kind");
  const kind = s.oneOf("kind", BUCKET_IDENTITY_KINDS, dflt);
  let ok = kind !== undefined && (raw === undefined || raw === kind);
  if (ok && kind !== undefined && !allowed.includes(kind)) {
    s.problem(
      "kind",
      `is ${kind}, but ${o.join("type")} is ${store}, whose pods can use only ${allowed.join(", ")}`,
      `set \`${setCommand(s.join("kind"), dflt)}\`, or the store type that goes with ${kind}`,
    );
    ok = false;
  }
  const need = kind !== undefined ? IDENTITY_FIELD[kind] : undefined;
  let value: string | undefined;
  for (const [k, f] of Object.entries(IDENTITY_FIELD)) {
    if (f === need) continue;
    // Read, so a misspelt key is told apart from another identity's field.
    if (s.raw(f.key) !== undefined) {
      s.problem(
        f.key,
        `is set, but ${s.join("kind")} is ${kind ?? dflt}, which does not use it (only ${k} does)`,
        `remove it with \`pulumi config rm --path ${s.join(f.key)}\`, or set \`${setCommand(s.join("kind"), k)}\``,
      );
      ok = false;
    }
  }
  if (need !== undefined) {
    if (!s.has(need.key)) {
      s.raw(need.key);
      s.problem(
        need.key,
        `is required with ${s.join("kind")} ${kind ?? ""}, and is not set`,
        `set it, e.g. \`${setCommand(s.join(need.key), need.format.example)}\``,
      );
      ok = false;
    } else {
      value = s.optionalString(need.key, need.format);
      if (value === undefined) ok = false;
    }
  }
  s.done();
  if (!ok || kind === undefined) return undefined;
  switch (kind) {
    case "eksIrsa":
      return { kind, roleArn: value as string };
    case "gkeWorkloadIdentity":
      return { kind, gcpServiceAccount: value as string };
    case "aksWorkloadIdentity":
      return { kind, clientId: value as string };
    default:
      return { kind };
  }
}

/** A bucket's identity and, with static keys, where the key pair comes from. */
export interface BucketAccess {
  identity: BucketIdentity;
  /** With staticKeys only. */
  credentials?: S3Credentials;
}

/**
 * How a part's pods reach its bucket, from the identity (read by readBucketIdentity) and the
 * `existingSecret` field: with staticKeys, the key pair as readS3Credentials finds it; with any
 * other identity, a problem naming every key that is set anyway (`existingSecret`, the secret
 * config keys), as a key beside an identity would never be used.
 */
export function bucketAccess(
  o: Section,
  identity: BucketIdentity | undefined,
  existingSecret: string | undefined,
  configured: ReadonlySet<string>,
  spec: S3CredentialsSpec,
): BucketAccess | undefined {
  if (identity === undefined) return undefined;
  if (identity.kind === "staticKeys") {
    const credentials = readS3Credentials(o, existingSecret, configured, spec);
    return credentials === undefined ? undefined : { identity, credentials };
  }
  const keys = [
    ...(o.has("existingSecret") ? [`${spec.path}.existingSecret`] : []),
    ...[spec.secretKeys.accessKeyId, spec.secretKeys.secretAccessKey].filter((k) => configured.has(k)),
  ];
  if (keys.length > 0) {
    const rm = keys.map((k) =>
      k.includes(".") ? `\`pulumi config rm --path ${k}\`` : `\`pulumi config rm ${k}\``,
    );
    o.problem(
      "identity.kind",
      `is ${identity.kind}, a cloud identity, but ${keys.join(" and ")} ${keys.length > 1 ? "are" : "is"} set too: the pods use the identity and take no key`,
      `remove ${keys.length > 1 ? "them" : "it"} (${rm.join(", ")}), or set \`${setCommand(o.join("identity.kind"), "staticKeys")}\` to keep the keys`,
    );
    return undefined;
  }
  return { identity };
}

/** The ServiceAccount annotation a workload identity needs (none for static keys and EKS Pod Identity). */
export function identityAnnotations(identity: BucketIdentity): Record<string, string> {
  switch (identity.kind) {
    case "eksIrsa":
      return { "eks.amazonaws.com/role-arn": identity.roleArn };
    case "gkeWorkloadIdentity":
      return { "iam.gke.io/gcp-service-account": identity.gcpServiceAccount };
    case "aksWorkloadIdentity":
      return { "azure.workload.identity/client-id": identity.clientId };
    default:
      return {};
  }
}

/** The pod label a workload identity needs: AKS's webhook injects the token only into pods labelled for it. */
export function identityPodLabels(identity: BucketIdentity): Record<string, string> {
  return identity.kind === "aksWorkloadIdentity" ? { "azure.workload.identity/use": "true" } : {};
}
