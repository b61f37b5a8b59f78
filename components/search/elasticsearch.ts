import {
  ContainerId,
  ContainerResources,
  ContainerSlot,
  CustomResourceObject,
  ImagesConfig,
  podPullSecrets,
  PUBLIC_IMAGES,
  STACK_LABELS,
  stackImage,
  toK8s,
} from "../kit";
import { ElasticConfig, ElasticNodeSet, nodesListing } from "./config";
import { elasticImage } from "./charts";

/** Names ECK derives its objects from; fixed, because other parts (Grafana, Jaeger) address them. */
export const ELASTICSEARCH_NAME = "elasticsearch";
export const KIBANA_NAME = "kibana";
/** ECK's names for what it creates next to the cluster. */
export const ELASTICSEARCH_SERVICE = `${ELASTICSEARCH_NAME}-es-http`;
export const KIBANA_SERVICE = `${KIBANA_NAME}-kb-http`;
export const ELASTIC_USER_SECRET = { name: `${ELASTICSEARCH_NAME}-es-elastic-user`, key: "elastic" } as const;
export const ELASTICSEARCH_CA_SECRET = {
  name: `${ELASTICSEARCH_NAME}-es-http-certs-public`,
  key: "ca.crt",
} as const;
/** Pods ECK creates belong to the stack, but Pulumi does not manage them. */
export const POD_LABELS = { "app.kubernetes.io/part-of": STACK_LABELS["app.kubernetes.io/part-of"] };
/** The volume name ECK mounts as Elasticsearch's data directory. */
export const DATA_VOLUME = "elasticsearch-data";

export interface ElasticsearchArgs {
  elastic: ElasticConfig;
  /** The namespace of the cluster. */
  namespace: string;
  /** The StorageClass of the data volumes. Defaults to the cluster's default class. */
  storageClass?: string;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** Secrets of further users (file realm) and roles the cluster loads. Defaults to none. */
  auth?: { fileRealm: readonly string[]; roles: readonly string[] };
  /** Where images come from (stack config `images`). Defaults to the public registry. */
  images?: ImagesConfig;
}

/** A node set that only votes for and acts as master is sized as a master, every other as a data node. */
function isDedicatedMaster(n: ElasticNodeSet): boolean {
  return (
    n.roles !== undefined &&
    n.roles.includes("master") &&
    n.roles.every((r) => r === "master" || r === "voting_only")
  );
}

function nodeSet(n: ElasticNodeSet, args: ElasticsearchArgs): Record<string, unknown> {
  const resources = toK8s(
    isDedicatedMaster(n) ? args.resources.elasticsearchMaster : args.resources.elasticsearch,
  );
  const config: Record<string, unknown> = {
    ...(n.roles !== undefined ? { "node.roles": [...n.roles] } : {}),
    // Without mmap Elasticsearch needs no vm.max_map_count change on the node, at some cost in speed.
    ...(args.elastic.allowMmap ? {} : { "node.store.allow_mmap": false }),
  };
  return {
    name: n.name,
    count: n.count,
    ...(Object.keys(config).length > 0 ? { config } : {}),
    podTemplate: {
      metadata: { labels: { ...POD_LABELS } },
      spec: {
        ...podPullSecrets(args.images ?? PUBLIC_IMAGES),
        containers: [{ name: "elasticsearch", resources }],
        // No storage configured: the data lives in an emptyDir (ECK's default would be a 1Gi claim).
        ...(n.storage === undefined ? { volumes: [{ name: DATA_VOLUME, emptyDir: {} }] } : {}),
      },
    },
    ...(n.storage !== undefined
      ? {
          volumeClaimTemplates: [
            {
              metadata: { name: DATA_VOLUME },
              spec: {
                accessModes: ["ReadWriteOnce"],
                ...(args.storageClass !== undefined ? { storageClassName: args.storageClass } : {}),
                resources: { requests: { storage: n.storage.size } },
              },
            },
          ],
        }
      : {}),
  };
}

/** The Elasticsearch cluster: one ECK node set per configured node set. */
export function elasticsearchManifest(args: ElasticsearchArgs): CustomResourceObject {
  const auth = args.auth;
  return {
    apiVersion: "elasticsearch.k8s.elastic.co/v1",
    kind: "Elasticsearch",
    metadata: {
      name: ELASTICSEARCH_NAME,
      namespace: args.namespace,
      labels: { ...STACK_LABELS },
      // `pulumi up` waits until ECK reports the cluster ready, so the lifecycle Job, Kibana and
      // Filebeat start against a cluster that answers.
      annotations: { "pulumi.com/waitFor": "jsonpath={.status.phase}=Ready" },
    },
    spec: {
      version: args.elastic.version,
      // Named, not left to ECK's default, so it is the one `npm run images` lists and the mirror holds.
      image: stackImage(elasticImage("elasticsearch", args.elastic.version), args.images ?? PUBLIC_IMAGES),
      nodeSets: args.elastic.nodeSets.map((n) => nodeSet(n, args)),
      ...(auth !== undefined
        ? {
            auth: {
              fileRealm: auth.fileRealm.map((secretName) => ({ secretName })),
              roles: auth.roles.map((secretName) => ({ secretName })),
            },
          }
        : {}),
    },
  };
}

/**
 * Replicas per shard of the log indices: one where every data tier has at least two nodes to
 * hold a copy, none otherwise (a replica that can never be assigned keeps the cluster yellow).
 */
export function logReplicas(elastic: Pick<ElasticConfig, "nodeSets" | "hotWarm">): number {
  const tiers = elastic.hotWarm
    ? [nodesListing(elastic.nodeSets, "data_hot"), nodesListing(elastic.nodeSets, "data_warm")]
    : [
        elastic.nodeSets
          .filter(
            (n) =>
              n.roles === undefined ||
              n.roles.some((r) => r === "data" || r === "data_content" || r === "data_hot"),
          )
          .reduce((sum, n) => sum + n.count, 0),
      ];
  return Math.min(...tiers) >= 2 ? 1 : 0;
}

export interface KibanaArgs {
  elastic: ElasticConfig;
  namespace: string;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** Where images come from (stack config `images`). Defaults to the public registry. */
  images?: ImagesConfig;
}

/** Kibana, connected to the cluster by ECK (user, CA and URL come from the association). */
export function kibanaManifest(args: KibanaArgs): CustomResourceObject {
  return {
    apiVersion: "kibana.k8s.elastic.co/v1",
    kind: "Kibana",
    metadata: { name: KIBANA_NAME, namespace: args.namespace, labels: { ...STACK_LABELS } },
    spec: {
      version: args.elastic.version,
      image: stackImage(elasticImage("kibana", args.elastic.version), args.images ?? PUBLIC_IMAGES),
      count: args.elastic.kibana.replicas,
      elasticsearchRef: { name: ELASTICSEARCH_NAME },
      podTemplate: {
        metadata: { labels: { ...POD_LABELS } },
        spec: {
          ...podPullSecrets(args.images ?? PUBLIC_IMAGES),
          containers: [{ name: "kibana", resources: toK8s(args.resources.kibana) }],
        },
      },
    },
  };
}

/** The containers an Elasticsearch resource runs: one row per node set, outside the laptop budget. */
export function elasticsearchContainers(manifest: Record<string, unknown>): ContainerSlot[] {
  const spec = (manifest["spec"] ?? {}) as { nodeSets?: { name?: unknown }[] };
  return (spec.nodeSets ?? []).map((n, i) => ({
    container: `elasticsearch (node set ${String(n.name)})`,
    resources: `spec.nodeSets.${i}.podTemplate.spec.containers.0.resources`,
    replicas: `spec.nodeSets.${i}.count`,
    inBudget: false,
  }));
}

export const KIBANA_CONTAINERS: readonly ContainerSlot[] = [
  { container: "kibana", resources: "spec.podTemplate.spec.containers.0.resources", replicas: "spec.count" },
];
