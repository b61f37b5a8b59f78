import { stringify } from "yaml";
import { ClusterConfig, ContainerId, ContainerResources, ContainerSlot, toK8s } from "../kit";
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
 * The bucket as Thanos's objstore configuration. The key pair is not in it: with no
 * `access_key`, Thanos's S3 client reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from its
 * environment, which the pods take from the credentials Secret.
 */
export function thanosObjstoreConfig(os: ThanosObjectStorage): string {
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

/** The key pair as environment variables from the credentials Secret: the names Thanos's S3 client reads. */
export function thanosCredentialsEnv(os: ThanosObjectStorage): Record<string, unknown>[] {
  return [AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY].map((key) => ({
    name: key,
    valueFrom: { secretKeyRef: { name: os.credentials.secretName, key } },
  }));
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
}): { prometheusSpec: Record<string, unknown>; prometheus: Record<string, unknown> } {
  const os = args.thanos.objectStorage;
  if (os === undefined) throw new Error("thanos.enabled needs thanos.objectStorage");
  return {
    prometheusSpec: {
      thanos: {
        objectStorageConfig: { existingSecret: { name: THANOS_OBJSTORE_SECRET, key: THANOS_OBJSTORE_KEY } },
        resources: toK8s(args.resources.thanosSidecar),
      },
      // Merged by the operator into the sidecar it generates (same name): only the key pair's env.
      containers: [{ name: SIDECAR_CONTAINER, env: thanosCredentialsEnv(os) }],
      externalLabels: { cluster: args.thanos.clusterLabel },
    },
    prometheus: {
      thanosService: { enabled: true },
      thanosServiceMonitor: { enabled: true },
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
  const env = thanosCredentialsEnv(os);
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
      extraEnv: env,
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
      extraEnv: env,
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
