import { stringify } from "yaml";
import {
  ClusterConfig,
  ContainerId,
  ContainerResources,
  ContainerSlot,
  identityAnnotations,
  identityPodLabels,
  toK8s,
} from "../kit";
import { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ThanosConfig, ThanosObjectStorage } from "./thanos-config";

/** The release name, fixed: the chart names its objects `<release>-<component>` (`thanos-query`). */
export const THANOS_RELEASE = "thanos";
/** The chart's Services and the ports they serve on. */
export const THANOS_SERVICES = {
  query: { name: `${THANOS_RELEASE}-query`, http: 9090, grpc: 10901 },
  queryFrontend: { name: `${THANOS_RELEASE}-query-frontend`, http: 9090 },
  storeGateway: { name: `${THANOS_RELEASE}-storegateway`, http: 10902, grpc: 10901 },
  compactor: { name: `${THANOS_RELEASE}-compactor`, http: 10902 },
} as const;
/** The labels the chart puts on every Service it renders, and the name of their metrics port. */
export const THANOS_SELECTOR = {
  "app.kubernetes.io/name": "thanos",
  "app.kubernetes.io/instance": THANOS_RELEASE,
} as const;
export const THANOS_METRICS_PORT = "http";

/** The Secret (in namespace monitoring) that holds the bucket's objstore.yml: no credentials in it. */
export const THANOS_OBJSTORE_SECRET = "thanos-objstore";
export const THANOS_OBJSTORE_KEY = "objstore.yml";
/** The Prometheus pods' external label that tells the replicas apart (the operator adds it). */
export const PROMETHEUS_REPLICA_LABEL = "prometheus_replica";
/** kube-prometheus-stack's headless Service of the sidecars' gRPC ports (`prometheus.thanosService`: `<release>-thanos-discovery`). */
export const THANOS_SIDECAR_SERVICE = "kube-prometheus-stack-thanos-discovery";
/** The container the operator adds to every Prometheus pod when `thanos` is set. */
const SIDECAR_CONTAINER = "thanos-sidecar";
/**
 * The ports prometheus-operator gives that sidecar (its `grpc` and `http` container ports, which
 * the discovery Service and its ServiceMonitor name): the StoreAPI query reads, and its metrics.
 */
export const THANOS_SIDECAR_PORTS = { grpc: 10901, http: 10902 } as const;

/**
 * The bucket as Thanos's objstore configuration, with no credential in it. S3 with static keys:
 * with no `access_key`, Thanos's S3 client reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from
 * its environment, which the pods take from the credentials Secret; with IRSA or Pod Identity, the
 * same client's chain finds the web identity token or the Pod Identity agent the pod is given.
 * GCS without `service_account` and AZURE without `storage_account_key` use the cloud's default
 * credentials: GKE's metadata server, and the federated token AKS's webhook mounts.
 */
export function thanosObjstoreConfig(os: ThanosObjectStorage): string {
  switch (os.type) {
    case "gcs":
      return stringify({ type: "GCS", config: { bucket: os.bucket } });
    case "azure":
      return stringify({ type: "AZURE", config: { storage_account: os.accountName, container: os.bucket } });
    case "s3":
      return stringify({
        type: "S3",
        config: {
          bucket: os.bucket,
          endpoint: os.endpoint,
          region: os.region,
          insecure: os.insecure,
          bucket_lookup_type: os.forcePathStyle ? "path" : "auto",
        },
      });
  }
}

/** The key pair as environment variables from the credentials Secret (the names Thanos's S3 client reads); none with a cloud identity. */
export function thanosCredentialsEnv(os: ThanosObjectStorage): Record<string, unknown>[] {
  if (os.type !== "s3" || os.credentials === undefined) return [];
  const secretName = os.credentials.secretName;
  return [AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY].map((key) => ({
    name: key,
    valueFrom: { secretKeyRef: { name: secretName, key } },
  }));
}

/**
 * With a cloud identity, a component of the thanos chart that uses the bucket (store gateway,
 * compactor) runs as a ServiceAccount of its own (`thanos-storegateway`, `thanos-compactor`, so
 * query, which never reads the bucket, gets no access), annotated for the identity, and its pods
 * carry the identity's label; with static keys, the key pair's env, as before.
 */
function bucketComponent(os: ThanosObjectStorage): Record<string, unknown> {
  const env = thanosCredentialsEnv(os);
  if (env.length > 0) return { extraEnv: env };
  const annotations = identityAnnotations(os.identity);
  const labels = identityPodLabels(os.identity);
  return {
    serviceAccount: { create: true, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    ...(Object.keys(labels).length > 0 ? { podLabels: labels } : {}),
  };
}

/** The in-cluster URL Grafana and other readers query: the query-frontend, in front of query. */
export function thanosQueryUrl(namespace: string): string {
  const fe = THANOS_SERVICES.queryFrontend;
  return `http://${fe.name}.${namespace}:${fe.http}/`;
}

/**
 * What kube-prometheus-stack adds for Thanos: the sidecar in every Prometheus replica (sized,
 * with the bucket's objstore.yml and the key pair from their Secrets), a `cluster` external label,
 * the headless Service query discovers the sidecars through, and a ServiceMonitor for them.
 */
export function prometheusThanosValues(args: {
  thanos: ThanosConfig;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
}): {
  prometheusSpec: Record<string, unknown>;
  prometheus: Record<string, unknown>;
  podLabels: Record<string, string>;
} {
  const os = args.thanos.objectStorage;
  if (os === undefined) throw new Error("thanos.enabled needs thanos.objectStorage");
  const env = thanosCredentialsEnv(os);
  const annotations = identityAnnotations(os.identity);
  return {
    // With AKS Workload Identity: the label its webhook injects the token for, on Prometheus's pods.
    podLabels: identityPodLabels(os.identity),
    prometheusSpec: {
      thanos: {
        objectStorageConfig: { existingSecret: { name: THANOS_OBJSTORE_SECRET, key: THANOS_OBJSTORE_KEY } },
        resources: toK8s(args.resources.thanosSidecar),
      },
      // Merged by the operator into the sidecar it generates (same name): only the key pair's env.
      ...(env.length > 0 ? { containers: [{ name: SIDECAR_CONTAINER, env }] } : {}),
      externalLabels: { cluster: args.thanos.clusterLabel },
    },
    prometheus: {
      thanosService: { enabled: true },
      thanosServiceMonitor: { enabled: true },
      // The sidecar runs as Prometheus's ServiceAccount (kube-prometheus-stack-prometheus).
      ...(Object.keys(annotations).length > 0 ? { serviceAccount: { annotations } } : {}),
    },
  };
}

export interface ThanosValuesArgs {
  thanos: ThanosConfig;
  cluster: ClusterConfig;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** The namespace of the release and of kube-prometheus-stack (the sidecars' Service). */
  namespace: string;
}

/**
 * Values for the thanos chart 0.38.0 (thanos-community/helm-charts; keys checked against its
 * values.yaml and templates): query deduplicating the Prometheus replicas, query-frontend in
 * front of it, the store gateway and the compactor on the bucket, with retention per resolution.
 * Receive, ruler, bucket web, the chart's VerticalPodAutoscaler, ServiceMonitors and alert rules
 * stay off: the stack scrapes Thanos with its own ServiceMonitor and alerts with its own rules.
 */
export function thanosValues(args: ThanosValuesArgs): Record<string, unknown> {
  const { thanos, resources: res } = args;
  const os = thanos.objectStorage;
  if (os === undefined) throw new Error("thanos.enabled needs thanos.objectStorage");
  const storageClass =
    args.cluster.storageClass !== undefined ? { storageClass: args.cluster.storageClass } : {};
  const bucket = bucketComponent(os);
  const pdb = (replicas: number) => ({
    pdb: replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
  });
  return {
    global: {
      // The program owns this Secret; the sidecars read the same one.
      objstore: { createSecret: false, secretName: THANOS_OBJSTORE_SECRET, secretKey: THANOS_OBJSTORE_KEY },
      thanosRules: { enabled: false },
      serviceMonitor: { enabled: false },
    },
    query: {
      replicaCount: thanos.query.replicas,
      // The sidecars (found through kube-prometheus-stack's headless Service) and the store gateway (autogen).
      endpoints: {
        autogen: { enabled: true },
        static: [`dnssrv+_grpc._tcp.${THANOS_SIDECAR_SERVICE}.${args.namespace}.svc.cluster.local`],
      },
      replicaLabels: [PROMETHEUS_REPLICA_LABEL],
      resources: toK8s(res.thanosQuery),
      ...pdb(thanos.query.replicas),
    },
    queryFrontend: {
      enabled: true,
      replicaCount: thanos.queryFrontend.replicas,
      resources: toK8s(res.thanosQueryFrontend),
      ...pdb(thanos.queryFrontend.replicas),
    },
    storegateway: {
      replicaCount: thanos.storeGateway.replicas,
      persistence: { enabled: true, size: thanos.storeGateway.storage.size, ...storageClass },
      ...bucket,
      resources: toK8s(res.thanosStoreGateway),
      ...pdb(thanos.storeGateway.replicas),
    },
    compactor: {
      // One compactor per bucket: two would compact the same blocks.
      replicaCount: 1,
      retention: {
        resolutionRaw: thanos.retention.raw,
        resolution5m: thanos.retention.fiveMinutes,
        resolution1h: thanos.retention.oneHour,
      },
      persistence: { enabled: true, size: thanos.compactor.storage.size, ...storageClass },
      // The chart's default is a VerticalPodAutoscaler, which needs the VPA CRDs and would override the sizing.
      vpa: { enabled: false },
      ...bucket,
      resources: toK8s(res.thanosCompactor),
    },
    receive: { enabled: false },
    ruler: { enabled: false },
    bucket: { bucketweb: { enabled: false } },
  };
}

/** Every container the thanos chart runs with these values, and where it is sized. */
export const THANOS_CONTAINERS: readonly ContainerSlot[] = [
  { container: "query", resources: "query.resources", replicas: "query.replicaCount" },
  {
    container: "query-frontend",
    resources: "queryFrontend.resources",
    replicas: "queryFrontend.replicaCount",
    enabledWhen: ["queryFrontend.enabled"],
  },
  { container: "storegateway", resources: "storegateway.resources", replicas: "storegateway.replicaCount" },
  { container: "compactor", resources: "compactor.resources", replicas: "compactor.replicaCount" },
];
