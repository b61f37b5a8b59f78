import { ELASTICSEARCH_NAME, POD_LABELS } from "./elasticsearch";
import { LOG_DATA_STREAM } from "./ilm";
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
import { ElasticConfig } from "./config";
import { elasticImage } from "./charts";

export const FILEBEAT_NAME = "filebeat";
/** The ServiceAccount Filebeat's pods run as; its ClusterRole lets add_kubernetes_metadata read pods. */
export const FILEBEAT_SERVICE_ACCOUNT = "filebeat";

/** What add_kubernetes_metadata reads: the pod, its namespace and node, and the owner of its ReplicaSet or Job. */
export const FILEBEAT_CLUSTER_RULES = [
  { apiGroups: [""], resources: ["namespaces", "pods", "nodes"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] },
];

/** Where the kubelet writes container logs: symlinks in containers/ to files in pods/. */
const HOST_LOG_DIRS = [
  { name: "varlogcontainers", path: "/var/log/containers" },
  { name: "varlogpods", path: "/var/log/pods" },
];

/**
 * Filebeat's configuration: every container's log on the node (the filestream input with the
 * container parser, as Elastic's own Kubernetes manifest does it), with the pod's Kubernetes
 * metadata, into the log data stream. Filebeat's own template and ILM setup are off: the
 * lifecycle Job owns the index template and policy. ECK adds the output's hosts, user and CA.
 */
export function filebeatConfig(): Record<string, unknown> {
  return {
    filebeat: {
      inputs: [
        {
          type: "filestream",
          id: "kubernetes-container-logs",
          paths: ["/var/log/containers/*.log"],
          parsers: [{ container: {} }],
          prospector: { scanner: { fingerprint: { enabled: true }, symlinks: true } },
          file_identity: { fingerprint: {} },
          processors: [
            {
              add_kubernetes_metadata: {
                host: "${NODE_NAME}",
                matchers: [{ logs_path: { logs_path: "/var/log/containers/" } }],
              },
            },
          ],
        },
      ],
    },
    processors: [{ add_host_metadata: {} }],
    output: { elasticsearch: { index: LOG_DATA_STREAM } },
    setup: { template: { enabled: false }, ilm: { enabled: false } },
  };
}

export interface FilebeatArgs {
  elastic: ElasticConfig;
  namespace: string;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** Where images come from (stack config `images`). Defaults to the public registry. */
  images?: ImagesConfig;
}

/** The Filebeat DaemonSet, as an ECK Beat resource connected to the cluster by `elasticsearchRef`. */
export function filebeatManifest(args: FilebeatArgs): CustomResourceObject {
  return {
    apiVersion: "beat.k8s.elastic.co/v1beta1",
    kind: "Beat",
    metadata: { name: FILEBEAT_NAME, namespace: args.namespace, labels: { ...STACK_LABELS } },
    spec: {
      type: "filebeat",
      version: args.elastic.version,
      image: stackImage(elasticImage("filebeat", args.elastic.version), args.images ?? PUBLIC_IMAGES),
      elasticsearchRef: { name: ELASTICSEARCH_NAME },
      config: filebeatConfig(),
      daemonSet: {
        podTemplate: {
          metadata: { labels: { ...POD_LABELS } },
          spec: {
            ...podPullSecrets(args.images ?? PUBLIC_IMAGES),
            serviceAccountName: FILEBEAT_SERVICE_ACCOUNT,
            automountServiceAccountToken: true,
            terminationGracePeriodSeconds: 30,
            // Every node's logs, control-plane nodes included.
            tolerations: [{ operator: "Exists", effect: "NoSchedule" }],
            containers: [
              {
                name: "filebeat",
                // The kubelet's log files are readable by root only.
                securityContext: { runAsUser: 0 },
                env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
                resources: toK8s(args.resources.filebeat),
                volumeMounts: HOST_LOG_DIRS.map((d) => ({ name: d.name, mountPath: d.path, readOnly: true })),
              },
            ],
            volumes: HOST_LOG_DIRS.map((d) => ({ name: d.name, hostPath: { path: d.path } })),
          },
        },
      },
    },
  };
}

export const FILEBEAT_CONTAINERS: readonly ContainerSlot[] = [
  {
    container: "filebeat",
    resources: "spec.daemonSet.podTemplate.spec.containers.0.resources",
    runs: "node",
  },
];
