import * as k8s from "@pulumi/kubernetes";
import {
  ContainerId,
  ContainerResources,
  ImagesConfig,
  podPullSecrets,
  PUBLIC_IMAGES,
  STACK_LABELS,
} from "../kit";
import type { ElasticVersion } from "./config";
import { shortHash } from "./ilm";
import { SCRIPT_CA_DIR, SCRIPT_POD_SECURITY, SCRIPT_VOLUMES, scriptContainer } from "./script-pod";

/**
 * Copies ECK's CA certificate (the `ca.crt` of `<cluster>-es-http-certs-public`) into a Secret in
 * another namespace, through the Kubernetes API with its ServiceAccount's token: a pod can mount
 * only Secrets of its own namespace, and the program never reads the CA itself (a read would be a
 * step in every preview and a change on every refresh). PUT replaces a copy that exists; POST
 * creates the first one.
 */
export const CA_COPY_SCRIPT = [
  "set -euo pipefail",
  "sa=/var/run/secrets/kubernetes.io/serviceaccount",
  'url="https://kubernetes.default.svc/api/v1/namespaces/$TARGET_NAMESPACE/secrets"',
  `ca="$(base64 -w0 < ${SCRIPT_CA_DIR}/ca.crt)"`,
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

/** Who reads a copy of ECK's CA: Jaeger (its storage client) and Grafana (its datasource). */
export type CaCopyReader = "jaeger" | "grafana";

/** Where one copy goes. */
export interface CaCopyTarget {
  /** Names the ServiceAccount, its Role, the Job and the CronJob: `<reader>-ca-copy`. */
  reader: CaCopyReader;
  namespace: string;
  secret: string;
  key: string;
  /** The copy's labels besides the stack's (Grafana's carries its datasource sidecar's label). Defaults to none. */
  labels?: Readonly<Record<string, string>>;
}

export interface CaCopyArgs {
  /** The cluster's namespace, where the copying pod runs and mounts ECK's Secret. */
  namespace: string;
  target: CaCopyTarget;
  version: ElasticVersion;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** Where images come from (stack config `images`). Defaults to the public registry. */
  images?: ImagesConfig;
}

/** The ServiceAccount (and the Role and RoleBinding in the target namespace) of one reader's copy. */
export function caCopyServiceAccount(reader: CaCopyReader): string {
  return `${reader}-ca-copy`;
}

/** The copying pod: the Elasticsearch image of the cluster's version (curl, base64; already on the nodes). */
function caCopyPodSpec(args: CaCopyArgs): k8s.types.input.core.v1.PodSpec {
  const images = args.images ?? PUBLIC_IMAGES;
  return {
    restartPolicy: "Never",
    serviceAccountName: caCopyServiceAccount(args.target.reader),
    automountServiceAccountToken: true,
    ...podPullSecrets(images),
    securityContext: SCRIPT_POD_SECURITY,
    containers: [
      scriptContainer({
        name: "copy-ca",
        version: args.version,
        script: CA_COPY_SCRIPT,
        env: [
          { name: "TARGET_NAMESPACE", value: args.target.namespace },
          { name: "TARGET_SECRET", value: args.target.secret },
          { name: "TARGET_KEY", value: args.target.key },
          { name: "LABELS", value: JSON.stringify({ ...STACK_LABELS, ...args.target.labels }) },
        ],
        resources: args.resources.elasticIlmJob,
        images,
      }),
    ],
    volumes: SCRIPT_VOLUMES,
  };
}

function caCopyLabels(reader: CaCopyReader): Record<string, string> {
  return { ...STACK_LABELS, "app.kubernetes.io/name": caCopyServiceAccount(reader) };
}

/**
 * The Job that makes the first copy before its reader starts (Pulumi waits for it). Its name
 * carries a hash of its pod spec, as the lifecycle Job's does: the same config is the same Job.
 */
export function caCopyJobManifest(args: CaCopyArgs): k8s.types.input.batch.v1.Job {
  const podSpec = caCopyPodSpec(args);
  const labels = caCopyLabels(args.target.reader);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: `${caCopyServiceAccount(args.target.reader)}-${shortHash(podSpec)}`,
      namespace: args.namespace,
      labels,
    },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 900,
      template: { metadata: { labels }, spec: podSpec },
    },
  };
}

/**
 * The same copy every night, so the readers trust ECK's CA again after ECK rotates it: Grafana's
 * sidecar reloads the datasource when the copy changes; Jaeger reads it at its next start.
 */
export function caCopyCronJobManifest(args: CaCopyArgs): k8s.types.input.batch.v1.CronJob {
  const labels = caCopyLabels(args.target.reader);
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: caCopyServiceAccount(args.target.reader), namespace: args.namespace, labels },
    spec: {
      schedule: "17 3 * * *",
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 3,
          activeDeadlineSeconds: 900,
          template: { metadata: { labels }, spec: caCopyPodSpec(args) },
        },
      },
    },
  };
}

/**
 * What the copying ServiceAccount may do in the target namespace: create Secrets (Kubernetes cannot
 * limit a create to one name), and read and replace the one copy.
 */
export function caCopyRules(secret: string): k8s.types.input.rbac.v1.PolicyRule[] {
  return [
    { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    { apiGroups: [""], resources: ["secrets"], resourceNames: [secret], verbs: ["get", "update", "patch"] },
  ];
}
