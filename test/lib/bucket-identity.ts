import { stackRawConfig } from "./helpers";

/** The four cloud identities, as a stack file would set them for Loki's and Thanos' buckets. */
export const CLOUDS = {
  eksIrsa: {
    loki: {
      region: "eu-west-1",
      buckets: { chunks: "observability-loki-chunks" },
      identity: { kind: "eksIrsa", roleArn: "arn:aws:iam::123456789012:role/observability-loki" },
    },
    thanos: {
      region: "eu-west-1",
      bucket: "observability-metrics",
      identity: { kind: "eksIrsa", roleArn: "arn:aws:iam::123456789012:role/observability-thanos" },
    },
  },
  eksPodIdentity: {
    loki: {
      region: "eu-west-1",
      buckets: { chunks: "observability-loki-chunks" },
      identity: { kind: "eksPodIdentity" },
    },
    thanos: { region: "eu-west-1", bucket: "observability-metrics", identity: { kind: "eksPodIdentity" } },
  },
  gkeWorkloadIdentity: {
    loki: {
      type: "gcs",
      buckets: { chunks: "observability-loki-chunks" },
      identity: { gcpServiceAccount: "loki-logs@my-project.iam.gserviceaccount.com" },
    },
    thanos: {
      type: "gcs",
      bucket: "observability-metrics",
      identity: { gcpServiceAccount: "thanos-metrics@my-project.iam.gserviceaccount.com" },
    },
  },
  aksWorkloadIdentity: {
    loki: {
      type: "azure",
      accountName: "observabilitylogs",
      buckets: { chunks: "loki-chunks" },
      identity: { clientId: "11111111-2222-3333-4444-555555555555" },
    },
    thanos: {
      type: "azure",
      accountName: "observabilitymetrics",
      bucket: "thanos-blocks",
      identity: { clientId: "66666666-7777-8888-9999-000000000000" },
    },
  },
} as const;
export type Cloud = keyof typeof CLOUDS;

/** The annotation each cloud puts on a ServiceAccount (none for EKS Pod Identity), by bucket. */
export const EXPECTED_ANNOTATIONS: Readonly<
  Record<Cloud, { loki: Record<string, string>; thanos: Record<string, string> }>
> = {
  eksIrsa: {
    loki: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/observability-loki" },
    thanos: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/observability-thanos" },
  },
  eksPodIdentity: { loki: {}, thanos: {} },
  gkeWorkloadIdentity: {
    loki: { "iam.gke.io/gcp-service-account": "loki-logs@my-project.iam.gserviceaccount.com" },
    thanos: { "iam.gke.io/gcp-service-account": "thanos-metrics@my-project.iam.gserviceaccount.com" },
  },
  aksWorkloadIdentity: {
    loki: { "azure.workload.identity/client-id": "11111111-2222-3333-4444-555555555555" },
    thanos: { "azure.workload.identity/client-id": "66666666-7777-8888-9999-000000000000" },
  },
};

/**
 * A stack file's `loki` and `thanos` with the cloud's buckets in place of its own (Loki's bucket
 * added where the stack has none; Thanos only where the stack runs it).
 */
export function withCloud(stack: string, cloud: Cloud): Record<string, unknown> {
  const raw = stackRawConfig(stack);
  const loki = {
    ...((raw["loki"] as Record<string, unknown> | undefined) ?? {}),
    objectStorage: CLOUDS[cloud].loki,
  };
  const thanos = raw["thanos"] as Record<string, unknown> | undefined;
  return {
    loki,
    ...(thanos?.["enabled"] === true ? { thanos: { ...thanos, objectStorage: CLOUDS[cloud].thanos } } : {}),
  };
}
