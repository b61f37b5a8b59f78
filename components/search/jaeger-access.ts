import * as k8s from "@pulumi/kubernetes";
import {
  ContainerId,
  ContainerResources,
  elasticImage,
  ImagesConfig,
  podPullSecrets,
  PUBLIC_IMAGES,
  STACK_LABELS,
  stackImage,
  toK8s,
} from "../kit";
import type { ElasticVersion } from "./config";
import { ELASTICSEARCH_CA_SECRET } from "./elasticsearch";
import { shortHash } from "./ilm";

/**
 * Jaeger writes its spans as its own user, not as `elastic`: a file-realm user whose password the
 * program generates (as Grafana's reader's), with a role limited to Jaeger's own indices.
 */
export const JAEGER_ES_ROLE = "jaeger_writer";
/** The file-realm Secret of Jaeger's user, in the cluster's namespace. */
export const JAEGER_USER_SECRET = "jaeger-elasticsearch-user";
/** The ServiceAccount that copies ECK's CA to Jaeger's namespace, and its Role there. */
export const CA_COPY_SERVICE_ACCOUNT = "jaeger-ca-copy";

/** Every index Jaeger writes under a prefix: spans, services, dependencies and sampling, per day. */
export function jaegerIndexPattern(indexPrefix: string): string {
  return `${indexPrefix}-jaeger-*`;
}

/**
 * The least privileges Jaeger and its index cleaner need: cluster `monitor` (version and health
 * checks) and `manage_index_templates` (Jaeger installs its mappings at start); on its own indices
 * only, create them, write and read spans, list them, and delete those past the retention.
 */
export function jaegerRole(indexPrefix: string): Record<string, unknown> {
  return {
    cluster: ["monitor", "manage_index_templates"],
    indices: [
      {
        names: [jaegerIndexPattern(indexPrefix)],
        privileges: ["create_index", "write", "read", "view_index_metadata", "monitor", "delete_index"],
      },
    ],
  };
}

/**
 * Copies ECK's CA certificate (the `ca.crt` of `<cluster>-es-http-certs-public`) into a Secret in
 * Jaeger's namespace, through the Kubernetes API with its ServiceAccount's token: a pod can mount
 * only Secrets of its own namespace. PUT replaces a copy that exists; POST creates the first one.
 */
export const CA_COPY_SCRIPT = [
  "set -euo pipefail",
  "sa=/var/run/secrets/kubernetes.io/serviceaccount",
  'url="https://kubernetes.default.svc/api/v1/namespaces/$TARGET_NAMESPACE/secrets"',
  'ca="$(base64 -w0 < /etc/elasticsearch-ca/ca.crt)"',
  'body="$(printf \'{"apiVersion":"v1","kind":"Secret","type":"Opaque","metadata":{"name":"%s","namespace":"%s","labels":%s},"data":{"%s":"%s"}}\' "$TARGET_SECRET" "$TARGET_NAMESPACE" "$LABELS" "$TARGET_KEY" "$ca")"',
  "api() {",
  '  curl --silent --show-error --fail-with-body --cacert "$sa/ca.crt" --max-time 30 \\',
  '    --header "Authorization: Bearer $(cat "$sa/token")" --header "Content-Type: application/json" "$@"',
  "}",
  'if api --output /dev/null --request PUT "$url/$TARGET_SECRET" --data "$body" 2>/dev/null; then',
  '  echo "updated $TARGET_NAMESPACE/$TARGET_SECRET"',
  "else",
  '  api --output /dev/null --retry 5 --retry-all-errors --request POST "$url" --data "$body"',
  '  echo "created $TARGET_NAMESPACE/$TARGET_SECRET"',
  "fi",
  "",
].join("\n");

export interface CaCopyArgs {
  /** The cluster's namespace, where the copying pod runs and mounts ECK's Secret. */
  namespace: string;
  /** Where the copy goes: Jaeger's namespace, the Secret's name and its key. */
  target: { namespace: string; secret: string; key: string };
  version: ElasticVersion;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** Where images come from (stack config `images`). Defaults to the public registry. */
  images?: ImagesConfig;
}

/** The copying pod: the Elasticsearch image of the cluster's version (curl, base64; already on the nodes). */
function caCopyPodSpec(args: CaCopyArgs): k8s.types.input.core.v1.PodSpec {
  return {
    restartPolicy: "Never",
    serviceAccountName: CA_COPY_SERVICE_ACCOUNT,
    automountServiceAccountToken: true,
    ...podPullSecrets(args.images ?? PUBLIC_IMAGES),
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
      {
        name: "copy-ca",
        image: stackImage(elasticImage("elasticsearch", args.version), args.images ?? PUBLIC_IMAGES),
        command: ["/bin/bash", "-c", CA_COPY_SCRIPT],
        env: [
          { name: "TARGET_NAMESPACE", value: args.target.namespace },
          { name: "TARGET_SECRET", value: args.target.secret },
          { name: "TARGET_KEY", value: args.target.key },
          { name: "LABELS", value: JSON.stringify(STACK_LABELS) },
        ],
        resources: toK8s(args.resources.elasticIlmJob),
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          readOnlyRootFilesystem: true,
        },
        volumeMounts: [
          { name: "ca", mountPath: "/etc/elasticsearch-ca", readOnly: true },
          { name: "tmp", mountPath: "/tmp" },
        ],
      },
    ],
    volumes: [
      { name: "ca", secret: { secretName: ELASTICSEARCH_CA_SECRET.name } },
      { name: "tmp", emptyDir: {} },
    ],
  };
}

const CA_COPY_LABELS = { ...STACK_LABELS, "app.kubernetes.io/name": "jaeger-ca-copy" };

/**
 * The Job that makes the first copy before Jaeger starts (Pulumi waits for it). Its name carries a
 * hash of its pod spec, as the lifecycle Job's does: the same config is the same Job.
 */
export function caCopyJobManifest(args: CaCopyArgs): k8s.types.input.batch.v1.Job {
  const podSpec = caCopyPodSpec(args);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: `jaeger-ca-copy-${shortHash(podSpec)}`,
      namespace: args.namespace,
      labels: CA_COPY_LABELS,
    },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 900,
      template: { metadata: { labels: CA_COPY_LABELS }, spec: podSpec },
    },
  };
}

/** The same copy every night, so Jaeger trusts ECK's CA again after ECK rotates it (Jaeger reads it at start). */
export function caCopyCronJobManifest(args: CaCopyArgs): k8s.types.input.batch.v1.CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "jaeger-ca-copy", namespace: args.namespace, labels: CA_COPY_LABELS },
    spec: {
      schedule: "17 3 * * *",
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 3,
          activeDeadlineSeconds: 900,
          template: { metadata: { labels: CA_COPY_LABELS }, spec: caCopyPodSpec(args) },
        },
      },
    },
  };
}

/**
 * What the copying ServiceAccount may do in Jaeger's namespace: create Secrets (Kubernetes cannot
 * limit a create to one name), and read and replace the one copy.
 */
export function caCopyRules(secret: string): k8s.types.input.rbac.v1.PolicyRule[] {
  return [
    { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    { apiGroups: [""], resources: ["secrets"], resourceNames: [secret], verbs: ["get", "update", "patch"] },
  ];
}
