import { Fields } from "./declare";
import { Section } from "./reader";

/** How a part talks to an S3-compatible endpoint: the same two settings for Loki's and Thanos' buckets. */
export const S3_CONNECTION_FIELDS = {
  forcePathStyle: {
    kind: "boolean",
    default: false,
    description: "Path-style bucket URLs (endpoint/bucket), which most S3-compatible stores need.",
  },
  insecure: { kind: "boolean", default: false, description: "Plain HTTP to the endpoint." },
} as const satisfies Fields;

/** Keys of an S3 credentials Secret, whether the program creates it or the platform team does. */
export const S3_ACCESS_KEY_ID_KEY = "AWS_ACCESS_KEY_ID";
export const S3_SECRET_ACCESS_KEY_KEY = "AWS_SECRET_ACCESS_KEY";

/** Where an S3 access key pair comes from; either way, a Secret in the part's namespace holds it. */
export interface S3Credentials {
  /** `existingSecret`: a Secret the platform team creates; `config`: the program's Secret from secret config. */
  source: "existingSecret" | "config";
  /** The Secret's name; its keys are AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. */
  secretName: string;
}

export interface S3CredentialsSpec {
  /** The part's name in messages, e.g. `Loki`. */
  part: string;
  /** The objectStorage section's key path, e.g. `loki.objectStorage`. */
  path: string;
  /** The namespace the Secret must be in. */
  namespace: string;
  /** The two secret config keys of the key pair. */
  secretKeys: { accessKeyId: string; secretAccessKey: string };
  /** The Secret the program creates from those keys. */
  programSecret: string;
  /** The example name the message suggests for an existing Secret. */
  exampleSecret: string;
}

/**
 * Decides where the key pair comes from: a Secret named by `existingSecret`, or both secret config
 * keys (never one of them, never both sources). Problems go to the section; undefined with any.
 */
export function readS3Credentials(
  o: Section,
  existingSecret: string | undefined,
  configured: ReadonlySet<string>,
  spec: S3CredentialsSpec,
): S3Credentials | undefined {
  const { accessKeyId, secretAccessKey } = spec.secretKeys;
  const hasId = configured.has(accessKeyId);
  const hasKey = configured.has(secretAccessKey);
  if (existingSecret !== undefined && (hasId || hasKey)) {
    const keys =
      hasId && hasKey
        ? `keys ${accessKeyId} and ${secretAccessKey}`
        : `key ${hasId ? accessKeyId : secretAccessKey}`;
    o.problem(
      "existingSecret",
      `is set together with the secret ${keys}, so the credentials have two sources`,
      `keep one: remove ${spec.path}.existingSecret, or \`pulumi config rm ${accessKeyId}\` and \`pulumi config rm ${secretAccessKey}\``,
    );
    return undefined;
  }
  if (existingSecret !== undefined) return { source: "existingSecret", secretName: existingSecret };
  if (hasId !== hasKey) {
    const missing = hasId ? secretAccessKey : accessKeyId;
    o.problemAt(
      missing,
      `is not set but ${hasId ? accessKeyId : secretAccessKey} is, and S3 needs both halves of the key pair`,
      `set it with \`pulumi config set --secret ${missing} <value>\``,
    );
    return undefined;
  }
  if (hasId && hasKey) return { source: "config", secretName: spec.programSecret };
  if (!o.has("existingSecret")) {
    o.problem(
      "existingSecret",
      `is not set and neither are the secret keys ${accessKeyId} and ${secretAccessKey}, so ${spec.part} has no credentials for the bucket`,
      `name a Secret in namespace ${spec.namespace} with keys ${S3_ACCESS_KEY_ID_KEY} and ${S3_SECRET_ACCESS_KEY_KEY}, e.g. \`pulumi config set --path ${spec.path}.existingSecret ${spec.exampleSecret}\`, or set \`pulumi config set --secret ${accessKeyId} <id>\` and \`pulumi config set --secret ${secretAccessKey} <key>\``,
    );
  }
  return undefined;
}
