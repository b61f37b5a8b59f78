import { ClusterConfig, ContainerId, ContainerResources, ContainerSlot, parseQuantity, toK8s } from "../kit";
import {
  LOKI_DISTRIBUTED_COMPONENTS,
  LokiConfig,
  LokiDistributedComponent,
  S3_ACCESS_KEY_ID_KEY,
  S3_SECRET_ACCESS_KEY_KEY,
} from "./config";

/** Environment variables the Loki pods read the S3 key pair from (`-config.expand-env=true`). */
export const LOKI_S3_ACCESS_KEY_ID_ENV = "LOKI_S3_ACCESS_KEY_ID";
export const LOKI_S3_SECRET_ACCESS_KEY_ENV = "LOKI_S3_SECRET_ACCESS_KEY";

export interface LokiValuesArgs {
  loki: LokiConfig;
  cluster: ClusterConfig;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
}

/**
 * Memcached's cache size in MB for a container request: the chart sizes the container at 1.2
 * times the cache by default, so the cache gets the request divided by 1.2.
 */
export function memcachedMegabytes(r: ContainerResources): number {
  return Math.floor(parseQuantity(r.memory) / 2 ** 20 / 1.2);
}

/** Hard anti-affinity per node for one of the chart's components: two replicas never share a node. */
function spreadPerNode(component: string): Record<string, unknown> {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: { "app.kubernetes.io/component": component } },
          topologyKey: "kubernetes.io/hostname",
        },
      ],
    },
  };
}

/**
 * What happens to a Loki StatefulSet's claims when the StatefulSet goes (an uninstall, a mode
 * change): kept with `cluster.retainData`, deleted with it otherwise. Set on every component,
 * because the chart's defaults differ per component and per release (18.x deletes the backend's
 * claims and keeps the single binary's). A scale-down always keeps them, so scaling back up finds
 * its data.
 */
export function lokiClaimRetention(cluster: Pick<ClusterConfig, "retainData">): Record<string, unknown> {
  return cluster.retainData
    ? { enableStatefulSetAutoDeletePVC: false }
    : { enableStatefulSetAutoDeletePVC: true, whenDeleted: "Delete", whenScaled: "Retain" };
}

/** Values for the Loki chart (keys checked against the chart's values.yaml and templates). */
export function lokiValues(args: LokiValuesArgs): Record<string, unknown> {
  const { loki, cluster, resources: res } = args;
  const storage = loki.objectStorage;
  const s3 = storage;
  const objectStore = storage !== undefined ? "s3" : "filesystem";
  // Ingesters run in the single binary, in the write target once scalable targets exist, and as
  // their own component in Distributed mode (both of the last two, in one ring, while migrating).
  const distributed = loki.distributed?.replicas;
  const ingesters =
    loki.mode === "Monolithic"
      ? loki.singleBinary.replicas
      : loki.simpleScalable.write + (distributed?.ingester ?? 0);
  const storageClass = cluster.storageClass !== undefined ? { storageClass: cluster.storageClass } : {};
  const persistence = { size: loki.persistence.size, ...storageClass, ...lokiClaimRetention(cluster) };

  // The config (a ConfigMap) holds only ${VAR} references; Loki expands them from env at start,
  // and the env comes from the Secret. So no credential ever reaches Helm values.
  const credentials =
    s3 !== undefined
      ? {
          extraArgs: ["-config.expand-env=true"],
          extraEnv: [
            {
              name: LOKI_S3_ACCESS_KEY_ID_ENV,
              valueFrom: { secretKeyRef: { name: s3.credentials.secretName, key: S3_ACCESS_KEY_ID_KEY } },
            },
            {
              name: LOKI_S3_SECRET_ACCESS_KEY_ENV,
              valueFrom: { secretKeyRef: { name: s3.credentials.secretName, key: S3_SECRET_ACCESS_KEY_KEY } },
            },
          ],
        }
      : {};

  let storageValues: Record<string, unknown>;
  if (s3 !== undefined) {
    storageValues = {
      type: "s3",
      // Chunks and the index only: the chart reads the ruler bucket only with its ruler on, and
      // the stack keeps the ruler off (see lokiUnusedBucketWarnings).
      bucketNames: { chunks: s3.buckets.chunks },
      s3: {
        ...(s3.endpoint !== undefined ? { endpoint: s3.endpoint } : {}),
        region: s3.region,
        accessKeyId: `\${${LOKI_S3_ACCESS_KEY_ID_ENV}}`,
        secretAccessKey: `\${${LOKI_S3_SECRET_ACCESS_KEY_ENV}}`,
        s3ForcePathStyle: s3.forcePathStyle,
        insecure: s3.insecure,
      },
    };
  } else {
    storageValues = { type: "filesystem" };
  }

  // Replicas of one component never share a node (the chart's default, made explicit).
  const spread = (component: string, replicas: number) =>
    replicas > 1 ? { affinity: spreadPerNode(component) } : {};
  // A scalable target: sized only when it runs; read is a Deployment without a volume.
  const target = (key: "read" | "write" | "backend", r: ContainerResources, volume: boolean) => {
    const replicas = loki.simpleScalable[key];
    if (replicas === 0) return { replicas: 0 };
    return {
      replicas,
      resources: toK8s(r),
      ...(volume ? { persistence } : {}),
      ...spread(key, replicas),
      ...credentials,
    };
  };

  // A distributed component: sized only when it runs. The chart keeps two replicas of one component
  // off one node (hard anti-affinity) and requires a disruption budget's maxUnavailable once a
  // component has more than one replica.
  const component = (
    key: LokiDistributedComponent,
    id: ContainerId,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> => {
    const replicas = distributed?.[key] ?? 0;
    if (replicas === 0) return { replicas: 0 };
    return {
      replicas,
      resources: toK8s(res[id]),
      ...(replicas > 1 ? { maxUnavailable: 1 } : {}),
      ...credentials,
      ...extra,
    };
  };
  const claim = {
    name: "data",
    accessModes: ["ReadWriteOnce"],
    size: loki.persistence.size,
    ...storageClass,
  };
  const claims = { enabled: true, claims: [claim], ...lokiClaimRetention(cluster) };
  // Zone-aware replication: three StatefulSets (zones a, b, c), each write sent to one ingester
  // per zone, so a whole zone can restart at once; two zones never share a node.
  const zoneAware = (distributed?.ingester ?? 0) >= 3;
  const distributedValues = {
    distributor: component("distributor", "lokiDistributor"),
    ingester: component("ingester", "lokiIngester", {
      persistence: claims,
      zoneAwareReplication: { enabled: zoneAware },
    }),
    querier: component("querier", "lokiQuerier"),
    queryFrontend: component("queryFrontend", "lokiQueryFrontend"),
    queryScheduler: component("queryScheduler", "lokiQueryScheduler"),
    indexGateway: component("indexGateway", "lokiIndexGateway", {
      persistence: { enabled: true, ...persistence },
    }),
    compactor: component("compactor", "lokiCompactor", { persistence: claims }),
    // The ruler evaluates Loki rules; the stack ships none, so it stays off in every mode.
    ruler: { enabled: false, replicas: 0 },
  };

  const cache = (id: "lokiChunksCache" | "lokiResultsCache") =>
    loki.caches
      ? { enabled: true, allocatedMemory: memcachedMegabytes(res[id]), resources: toK8s(res[id]) }
      : { enabled: false };

  return {
    deploymentMode: loki.mode,
    loki: {
      auth_enabled: loki.authEnabled,
      commonConfig: { replication_factor: Math.min(3, Math.max(1, ingesters)) },
      // One explicit period. Its start date comes from config and never moves on its own.
      schemaConfig: {
        configs: [
          {
            from: loki.schemaFrom,
            store: "tsdb",
            object_store: objectStore,
            schema: "v13",
            index: { prefix: "index_", period: "24h" },
          },
        ],
      },
      storage: storageValues,
      limits_config: { retention_period: loki.retention },
      compactor: { retention_enabled: true, delete_request_store: objectStore },
    },
    singleBinary:
      loki.singleBinary.replicas > 0
        ? {
            replicas: loki.singleBinary.replicas,
            resources: toK8s(res.lokiSingleBinary),
            persistence: { enabled: true, ...persistence },
            ...spread("single-binary", loki.singleBinary.replicas),
            ...credentials,
          }
        : { replicas: 0 },
    write: target("write", res.lokiWrite, true),
    read: target("read", res.lokiRead, false),
    backend: target("backend", res.lokiBackend, true),
    ...distributedValues,
    // The collector and Grafana talk to the gateway only, whatever the mode behind it.
    gateway: {
      enabled: true,
      replicas: loki.gateway.replicas,
      resources: toK8s(res.lokiGateway),
      ...spread("gateway", loki.gateway.replicas),
      // Since chart 18 the gateway's disruption budget renders only with a bound set.
      ...(loki.gateway.replicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
      // The nginx access-log exporter beside the gateway (chart 18): nothing in the stack scrapes it.
      metrics: { enabled: false },
    },
    chunksCache: cache("lokiChunksCache"),
    resultsCache: cache("lokiResultsCache"),
    // The exporter runs beside memcached in each cache pod.
    ...(loki.caches ? { memcachedExporter: { enabled: true, resources: toK8s(res.lokiCacheExporter) } } : {}),
    // The canary is a DaemonSet of its own and the helm test needs it: both off, together.
    lokiCanary: { enabled: false },
    test: { enabled: false },
    // The rules sidecar loads ConfigMaps nothing in this stack writes; off, one container less.
    sidecar: { rules: { enabled: false } },
  };
}

/** The chart's `app.kubernetes.io/component` label of each distributed component (as its templates render it). */
const DISTRIBUTED_COMPONENT_LABEL: Readonly<Record<LokiDistributedComponent, string>> = {
  distributor: "distributor",
  ingester: "ingester",
  querier: "querier",
  queryFrontend: "query-frontend",
  queryScheduler: "query-scheduler",
  indexGateway: "index-gateway",
  compactor: "compactor",
};

/**
 * The `app.kubernetes.io/component` label the chart gives each Loki target that runs with this
 * config: the single binary, the read, write and backend targets, the distributed components (the
 * gateway and the caches are not targets). The NetworkPolicies select Loki's targets by it.
 */
export function lokiTargetComponents(
  loki: Pick<LokiConfig, "singleBinary" | "simpleScalable" | "distributed">,
): string[] {
  return [
    ...(loki.singleBinary.replicas > 0 ? ["single-binary"] : []),
    ...(["read", "write", "backend"] as const).filter((key) => loki.simpleScalable[key] > 0),
    ...LOKI_DISTRIBUTED_COMPONENTS.filter((key) => (loki.distributed?.replicas[key] ?? 0) > 0).map(
      (key) => DISTRIBUTED_COMPONENT_LABEL[key],
    ),
  ];
}

/** Every container the Loki chart runs with these values, and where it is sized. */
export const LOKI_CONTAINERS: readonly ContainerSlot[] = [
  { container: "single-binary", resources: "singleBinary.resources", replicas: "singleBinary.replicas" },
  { container: "write", resources: "write.resources", replicas: "write.replicas" },
  { container: "read", resources: "read.resources", replicas: "read.replicas" },
  { container: "backend", resources: "backend.resources", replicas: "backend.replicas" },
  { container: "distributor", resources: "distributor.resources", replicas: "distributor.replicas" },
  // Zone-aware: the chart runs replicas / 3 per zone, so a multiple of 3 (as every scale has) runs exactly this many.
  { container: "ingester", resources: "ingester.resources", replicas: "ingester.replicas" },
  { container: "querier", resources: "querier.resources", replicas: "querier.replicas" },
  { container: "query-frontend", resources: "queryFrontend.resources", replicas: "queryFrontend.replicas" },
  {
    container: "query-scheduler",
    resources: "queryScheduler.resources",
    replicas: "queryScheduler.replicas",
  },
  { container: "index-gateway", resources: "indexGateway.resources", replicas: "indexGateway.replicas" },
  { container: "compactor", resources: "compactor.resources", replicas: "compactor.replicas" },
  {
    container: "gateway (nginx)",
    resources: "gateway.resources",
    replicas: "gateway.replicas",
    enabledWhen: ["gateway.enabled"],
  },
  // The chart's default of one replica per cache.
  {
    container: "chunks-cache (memcached)",
    resources: "chunksCache.resources",
    enabledWhen: ["chunksCache.enabled"],
  },
  {
    container: "chunks-cache exporter",
    resources: "memcachedExporter.resources",
    enabledWhen: ["chunksCache.enabled", "memcachedExporter.enabled"],
  },
  {
    container: "results-cache (memcached)",
    resources: "resultsCache.resources",
    enabledWhen: ["resultsCache.enabled"],
  },
  {
    container: "results-cache exporter",
    resources: "memcachedExporter.resources",
    enabledWhen: ["resultsCache.enabled", "memcachedExporter.enabled"],
  },
];
