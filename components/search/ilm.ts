import * as k8s from "@pulumi/kubernetes";
import { createHash } from "crypto";
import { ELASTIC_USER_SECRET, ELASTICSEARCH_SERVICE, logReplicas } from "./elasticsearch";
import {
  ContainerId,
  ContainerResources,
  ImagesConfig,
  podPullSecrets,
  PUBLIC_IMAGES,
  STACK_LABELS,
} from "../kit";
import { ElasticConfig, ElasticIlmConfig } from "./config";
import { SCRIPT_CA_DIR, SCRIPT_POD_SECURITY, SCRIPT_VOLUMES, scriptContainer } from "./script-pod";

/**
 * The data stream Filebeat writes every container log to. Its name matches ECK's Filebeat user
 * (which may write to `logs-*`) and Elasticsearch's `{type}-{dataset}-{namespace}` scheme.
 */
export const LOG_DATA_STREAM = "logs-kubernetes-default";
/** The index template (and its pattern) that makes that name a data stream under the policy. */
export const LOG_INDEX_TEMPLATE = "logs-kubernetes";
export const LOG_INDEX_PATTERN = "logs-kubernetes-*";
export const ILM_POLICY = "logs-kubernetes";
const MANAGED = { managed_by: "observability-stack (Pulumi)" };

/**
 * The lifecycle of the log indices: roll the write index over by age or primary shard size,
 * forcemerge it in the warm phase (moving it to data_warm nodes when the cluster has a warm
 * tier), delete it. Every action is on the basic licence. Ages count from rollover.
 */
export function ilmPolicyBody(ilm: ElasticIlmConfig, hotWarm: boolean): Record<string, unknown> {
  return {
    policy: {
      _meta: MANAGED,
      phases: {
        hot: {
          min_age: "0ms",
          actions: {
            rollover: {
              max_age: ilm.rolloverMaxAge,
              max_primary_shard_size: ilm.rolloverMaxPrimaryShardSize,
            },
            set_priority: { priority: 100 },
          },
        },
        warm: {
          min_age: ilm.warmAfter,
          actions: {
            set_priority: { priority: 50 },
            forcemerge: { max_num_segments: 1 },
            // ILM migrates to the warm tier on its own; without one, say so instead of relying on
            // the fallback to hot nodes.
            ...(hotWarm ? {} : { migrate: { enabled: false } }),
          },
        },
        delete: { min_age: ilm.deleteAfter, actions: { delete: {} } },
      },
    },
  };
}

/**
 * The index template of the log data stream: the policy, the replica count the cluster can hold,
 * and Elasticsearch's built-in ECS mappings (Filebeat's fields are ECS). Its priority is above the
 * built-in `logs-*-*` template (100), which would otherwise apply the built-in `logs` policy.
 */
export function indexTemplateBody(
  elastic: Pick<ElasticConfig, "nodeSets" | "hotWarm">,
): Record<string, unknown> {
  return {
    index_patterns: [LOG_INDEX_PATTERN],
    data_stream: {},
    priority: 200,
    composed_of: ["ecs@mappings"],
    ignore_missing_component_templates: ["ecs@mappings"],
    template: {
      settings: {
        "index.lifecycle.name": ILM_POLICY,
        "index.number_of_replicas": logReplicas(elastic),
      },
    },
    _meta: MANAGED,
  };
}

/**
 * Applies the policy and the template: waits for the cluster, then two idempotent PUTs. The
 * password reaches curl on stdin, never on its command line (ECK's generated passwords are
 * alphanumeric, so the quoted config line needs no escaping). Retries cover a cluster that is
 * still starting; a rejected body fails after a few attempts.
 */
export const ILM_SCRIPT = [
  "set -euo pipefail",
  "es() {",
  '  local retries="$1"; shift',
  '  printf \'user = "elastic:%s"\\n\' "$ES_PASSWORD" |',
  `    curl --config - --silent --show-error --fail-with-body --cacert ${SCRIPT_CA_DIR}/ca.crt \\`,
  '      --retry "$retries" --retry-delay 10 --retry-all-errors --max-time 60 \\',
  "      --header 'Content-Type: application/json' \"$@\"",
  "  echo",
  "}",
  'es 60 "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=50s"',
  'es 5 --request PUT "$ES_URL/_ilm/policy/$POLICY_NAME" --data "$POLICY"',
  'es 5 --request PUT "$ES_URL/_index_template/$TEMPLATE_NAME" --data "$TEMPLATE"',
  "",
].join("\n");

export interface IlmJobArgs {
  elastic: ElasticConfig;
  /** The cluster's namespace; the Job runs there to read ECK's Secrets. */
  namespace: string;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** Where images come from (stack config `images`). Defaults to the public registry. */
  images?: ImagesConfig;
}

/** A short, stable digest: the same input always gives the same name. */
export function shortHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 10);
}

/**
 * The Job that applies the lifecycle policy and index template. Its name carries a hash of its
 * whole pod spec (bodies, image, script): the same config is the same Job, so `pulumi up` does
 * nothing; a changed policy is a new name, so Pulumi creates a new Job (which runs the PUTs again)
 * and deletes the old one. So at most one finished Job is left; `ttlSecondsAfterFinished` is not
 * set because Kubernetes deleting the Job behind Pulumi's back would make the next refresh
 * re-create it. It runs the Elasticsearch image of the cluster's own version, which has curl and
 * is already on the cluster's nodes.
 */
export function ilmJobManifest(args: IlmJobArgs): k8s.types.input.batch.v1.Job {
  const labels = { ...STACK_LABELS, "app.kubernetes.io/name": "elasticsearch-ilm" };
  const podSpec = {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    ...podPullSecrets(args.images ?? PUBLIC_IMAGES),
    securityContext: SCRIPT_POD_SECURITY,
    containers: [
      scriptContainer({
        name: "apply-lifecycle",
        version: args.elastic.version,
        script: ILM_SCRIPT,
        env: [
          { name: "ES_URL", value: `https://${ELASTICSEARCH_SERVICE}:9200` },
          {
            name: "ES_PASSWORD",
            valueFrom: { secretKeyRef: { name: ELASTIC_USER_SECRET.name, key: ELASTIC_USER_SECRET.key } },
          },
          { name: "POLICY_NAME", value: ILM_POLICY },
          { name: "POLICY", value: JSON.stringify(ilmPolicyBody(args.elastic.ilm, args.elastic.hotWarm)) },
          { name: "TEMPLATE_NAME", value: LOG_INDEX_TEMPLATE },
          { name: "TEMPLATE", value: JSON.stringify(indexTemplateBody(args.elastic)) },
        ],
        resources: args.resources.elasticIlmJob,
        ...(args.images !== undefined ? { images: args.images } : {}),
      }),
    ],
    volumes: SCRIPT_VOLUMES,
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: `elasticsearch-ilm-${shortHash(podSpec)}`, namespace: args.namespace, labels },
    spec: {
      backoffLimit: 3,
      // A cluster that never answers fails the Job, and with it `pulumi up`, instead of hanging.
      activeDeadlineSeconds: 1800,
      template: { metadata: { labels }, spec: podSpec },
    },
  };
}
