import { identityAnnotations, identityPodLabels } from "../kit";
import { LokiObjectStorage, S3_ACCESS_KEY_ID_KEY, S3_SECRET_ACCESS_KEY_KEY } from "./config";

/** Environment variables the Loki pods read the S3 key pair from (`-config.expand-env=true`). */
export const LOKI_S3_ACCESS_KEY_ID_ENV = "LOKI_S3_ACCESS_KEY_ID";
export const LOKI_S3_SECRET_ACCESS_KEY_ENV = "LOKI_S3_SECRET_ACCESS_KEY";

/**
 * What every Loki target that reads or writes the bucket gets: with static keys, the key pair as
 * env from its Secret (the config, a ConfigMap, holds only `${VAR}` references that Loki expands
 * at start, so no credential reaches Helm values); with AKS Workload Identity, the pod label its
 * webhook looks for; with the other identities, nothing (the ServiceAccount carries them).
 */
export function lokiBucketAccess(storage: LokiObjectStorage | undefined): Record<string, unknown> {
  if (storage === undefined) return {};
  const labels = identityPodLabels(storage.identity);
  if (Object.keys(labels).length > 0) return { podLabels: labels };
  if (storage.type !== "s3" || storage.credentials === undefined) return {};
  const secret = storage.credentials.secretName;
  return {
    extraArgs: ["-config.expand-env=true"],
    extraEnv: [
      {
        name: LOKI_S3_ACCESS_KEY_ID_ENV,
        valueFrom: { secretKeyRef: { name: secret, key: S3_ACCESS_KEY_ID_KEY } },
      },
      {
        name: LOKI_S3_SECRET_ACCESS_KEY_ENV,
        valueFrom: { secretKeyRef: { name: secret, key: S3_SECRET_ACCESS_KEY_KEY } },
      },
    ],
  };
}

/**
 * The chart's ServiceAccount (`loki`, which every target runs as: the chart gives none of them
 * their own) with the identity's annotation; nothing with static keys or EKS Pod Identity, whose
 * association names the ServiceAccount on the AWS side.
 */
export function lokiServiceAccount(storage: LokiObjectStorage | undefined): Record<string, unknown> {
  const annotations = storage !== undefined ? identityAnnotations(storage.identity) : {};
  return Object.keys(annotations).length > 0 ? { serviceAccount: { annotations } } : {};
}

/** `loki.storage` for the bucket: s3 (keys as `${VAR}` with static keys), gcs or azure; filesystem without one. */
export function lokiStorageValues(storage: LokiObjectStorage | undefined): Record<string, unknown> {
  if (storage === undefined) return { type: "filesystem" };
  // Chunks and the index only: the chart reads the ruler bucket only with its ruler on, and the
  // stack keeps the ruler off (see lokiUnusedBucketWarnings).
  const bucketNames = { chunks: storage.buckets.chunks };
  switch (storage.type) {
    case "gcs":
      return { type: "gcs", bucketNames };
    case "azure":
      // No key: the Azure SDK exchanges the federated token the webhook mounts.
      return {
        type: "azure",
        bucketNames,
        azure: { accountName: storage.accountName, useFederatedToken: true },
      };
    case "s3":
      return {
        type: "s3",
        bucketNames,
        s3: {
          ...(storage.endpoint !== undefined ? { endpoint: storage.endpoint } : {}),
          region: storage.region,
          ...(storage.credentials !== undefined
            ? {
                accessKeyId: `\${${LOKI_S3_ACCESS_KEY_ID_ENV}}`,
                secretAccessKey: `\${${LOKI_S3_SECRET_ACCESS_KEY_ENV}}`,
              }
            : {}),
          s3ForcePathStyle: storage.forcePathStyle,
          insecure: storage.insecure,
        },
      };
  }
}
