import { ALERT_RECEIVER_SECRETS_KEY, ALERTING_KEY, AlertingConfig, readAlerting } from "../alerting/config";
import {
  DASHBOARDS_KEY,
  DashboardsConfig,
  GRAFANA_KEY,
  GrafanaConfig,
  readDashboards,
  grafanaRuns,
  readGrafana,
} from "../grafana/config";
import {
  CHARTS_KEY,
  CLUSTER_KEY,
  IMAGES_KEY,
  IMAGE_PULL_SECRET_DECLARATION,
  IMAGE_PULL_SECRET_KEY,
  readFields,
  readImages,
  KeyDeclaration,
  likelyMeant,
  RESOURCES_KEY,
  SIZING_KEY,
  ConfigError,
  ConfigProblem,
  PlatformConfig,
  readCharts,
  readCluster,
  readResources,
  Section,
  Sizing,
  SIZINGS,
} from "../kit";
import {
  LOG_COLLECTOR_KEY,
  LogCollectorConfig,
  LOKI_KEY,
  LOKI_S3_ACCESS_KEY_ID_KEY,
  LOKI_S3_SECRET_ACCESS_KEY_KEY,
  LokiConfig,
  readLogCollector,
  readLoki,
} from "../logging/config";
import { MESH_KEY, MeshConfig, readMesh } from "../mesh/config";
import {
  ALERTMANAGER_KEY,
  GRAFANA_ADMIN_PASSWORD_KEY,
  METRICS_SERVER_KEY,
  PROMETHEUS_KEY,
  AlertmanagerConfig,
  MetricsServerConfig,
  PrometheusConfig,
  readAlertmanager,
  readMetricsServer,
  readPrometheus,
} from "../monitoring/config";
import {
  readThanos,
  THANOS_KEY,
  THANOS_S3_ACCESS_KEY_ID_KEY,
  THANOS_S3_SECRET_ACCESS_KEY_KEY,
  THANOS_S3_SECRET_KEYS,
  ThanosConfig,
} from "../monitoring/thanos-config";
import { ELASTIC_KEY, ElasticConfig, GRAFANA_ES_PASSWORD_KEY, readElastic } from "../search/config";
import { NETWORK_POLICIES_FIELDS, NETWORK_POLICIES_KEY, NetworkPoliciesConfig } from "./network-flows";
import {
  readTracing,
  TRACING_ES_PASSWORD_DECLARATION,
  TRACING_ES_PASSWORD_KEY,
  TRACING_KEY,
  TracingConfig,
} from "../tracing/config";

/** The whole validated stack config; each component gets only its own slice. */
export interface StackConfig extends PlatformConfig {
  prometheus: PrometheusConfig;
  alertmanager: AlertmanagerConfig;
  grafana: GrafanaConfig;
  metricsServer: MetricsServerConfig;
  /** Long-term metrics: the Thanos sidecar, query, query-frontend, store gateway and compactor. Off by default. */
  thanos: ThanosConfig;
  loki: LokiConfig;
  logCollector: LogCollectorConfig;
  tracing: TracingConfig;
  /** Grafana's datasources and dashboards. */
  dashboards: DashboardsConfig;
  /** Alert rules and Alertmanager routing. */
  alerting: AlertingConfig;
  /** ECK, Elasticsearch, Kibana and Filebeat (components/search/config.ts). Off by default. */
  elastic: ElasticConfig;
  /** Istio: control plane, gateway, mTLS and authorization policies, telemetry, canary routes. */
  mesh: MeshConfig;
  /** Default-deny ingress and the stack's flows (components/core/network-flows.ts). */
  networkPolicies: NetworkPoliciesConfig;
}

/**
 * Every config key, declared in the folder of the part it belongs to, in the order Pulumi.yaml
 * and docs/config.md list them (`npm run gen` writes both from this).
 */
export const STACK_KEYS: Readonly<Record<string, KeyDeclaration>> = {
  cluster: CLUSTER_KEY,
  sizing: SIZING_KEY,
  resources: RESOURCES_KEY,
  charts: CHARTS_KEY,
  images: IMAGES_KEY,
  [IMAGE_PULL_SECRET_KEY]: IMAGE_PULL_SECRET_DECLARATION,
  networkPolicies: NETWORK_POLICIES_KEY,
  prometheus: PROMETHEUS_KEY,
  alertmanager: ALERTMANAGER_KEY,
  grafana: GRAFANA_KEY,
  metricsServer: METRICS_SERVER_KEY,
  thanos: THANOS_KEY,
  tracing: TRACING_KEY,
  loki: LOKI_KEY,
  logCollector: LOG_COLLECTOR_KEY,
  dashboards: DASHBOARDS_KEY,
  alerting: ALERTING_KEY,
  alertReceiverSecrets: ALERT_RECEIVER_SECRETS_KEY,
  elastic: ELASTIC_KEY,
  mesh: MESH_KEY,
  grafanaAdminPassword: GRAFANA_ADMIN_PASSWORD_KEY,
  grafanaElasticsearchPassword: GRAFANA_ES_PASSWORD_KEY,
  [TRACING_ES_PASSWORD_KEY]: TRACING_ES_PASSWORD_DECLARATION,
  lokiS3AccessKeyId: LOKI_S3_ACCESS_KEY_ID_KEY,
  lokiS3SecretAccessKey: LOKI_S3_SECRET_ACCESS_KEY_KEY,
  [THANOS_S3_SECRET_KEYS.accessKeyId]: THANOS_S3_ACCESS_KEY_ID_KEY,
  [THANOS_S3_SECRET_KEYS.secretAccessKey]: THANOS_S3_SECRET_ACCESS_KEY_KEY,
};

/** Keys that hold secrets; they are read as secret Outputs and never as plain config. */
export const SECRET_KEYS = [
  "grafanaAdminPassword",
  "grafanaElasticsearchPassword",
  "lokiS3AccessKeyId",
  "lokiS3SecretAccessKey",
  THANOS_S3_SECRET_KEYS.accessKeyId,
  THANOS_S3_SECRET_KEYS.secretAccessKey,
  TRACING_ES_PASSWORD_KEY,
  "alertReceiverSecrets",
  IMAGE_PULL_SECRET_KEY,
] as const;

/** Every plain (non-secret) top-level key, in the order Pulumi.yaml documents them. */
export const PLAIN_KEYS = [
  "cluster",
  "sizing",
  "resources",
  "charts",
  "images",
  "networkPolicies",
  "prometheus",
  "alertmanager",
  "grafana",
  "metricsServer",
  "thanos",
  "loki",
  "logCollector",
  "tracing",
  "dashboards",
  "alerting",
  "elastic",
  "mesh",
] as const;

/** What checks against the outside world depend on; tests fix it. */
export interface ParseOptions {
  /** Today as YYYY-MM-DD (UTC), which a Loki schema must not start after. Defaults to the clock. */
  today?: string;
}

/** What parseStackConfig may know of the secret keys without their values. */
export interface SecretKeyNames {
  /** The receiver names under `alertReceiverSecrets`. Defaults to none. */
  alertReceiverSecrets?: readonly string[];
}

/**
 * Validates the raw stack config (top-level keys without the project prefix, objects already
 * parsed) and applies defaults. Throws one ConfigError that lists every problem, before any
 * resource is declared. `secretKeys` names the secret keys that are set, for rules that depend
 * on whether a secret exists (never on its value). Defaults to none.
 */
export function parseStackConfig(
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string> = new Set(),
  secretNames: SecretKeyNames = {},
  options: ParseOptions = {},
): StackConfig {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(raw).sort()) {
    if ((SECRET_KEYS as readonly string[]).includes(key)) continue;
    if (!(PLAIN_KEYS as readonly string[]).includes(key)) {
      const meant = likelyMeant(key, [...PLAIN_KEYS, ...SECRET_KEYS]);
      problems.push({
        path: key,
        problem: "is not a known config key",
        fix:
          meant !== undefined
            ? `did you mean ${meant}? rename it in the stack file, or remove it with \`pulumi config rm ${key}\``
            : `remove it with \`pulumi config rm ${key}\`; known keys are ${[...PLAIN_KEYS, ...SECRET_KEYS].join(", ")}`,
      });
    }
  }

  const at = (key: string) => new Section(key, raw[key], problems);

  const cluster = readCluster(at("cluster"));
  const sizingValue = raw["sizing"];
  let sizing: Sizing = "laptop";
  if (sizingValue !== undefined) {
    if (typeof sizingValue === "string" && (SIZINGS as readonly string[]).includes(sizingValue)) {
      sizing = sizingValue as Sizing;
    } else {
      problems.push({
        path: "sizing",
        problem: `must be one of ${SIZINGS.join(", ")}, got ${JSON.stringify(sizingValue)}`,
        fix: "set e.g. `pulumi config set sizing production`",
      });
    }
  }
  const resources = readResources(at("resources"), sizing);
  const charts = readCharts(at("charts"));
  const images = readImages(at("images"), secretKeys.has(IMAGE_PULL_SECRET_KEY));
  const networkPolicies = readFields(at("networkPolicies"), NETWORK_POLICIES_FIELDS);

  const prometheus = readPrometheus(at("prometheus"), cluster?.type);
  const alertmanager = readAlertmanager(at("alertmanager"));
  const grafana = readGrafana(at("grafana"));
  const metricsServer = readMetricsServer(at("metricsServer"), cluster?.type);

  const thanos = readThanos(
    at("thanos"),
    {
      secretKeys,
      prometheusEnabled: prometheus.enabled,
      ...(cluster !== undefined ? { clusterContext: cluster.context } : {}),
    },
    problems,
  );
  const loki = readLoki(at("loki"), secretKeys, today);
  const logCollector = readLogCollector(at("logCollector"), loki.enabled);
  // With the stack's own Elasticsearch, Jaeger writes there unless the stack file says otherwise.
  const elasticRaw = raw["elastic"] as { enabled?: unknown } | undefined;
  const elasticOn = elasticRaw?.enabled === true || elasticRaw?.enabled === "true";
  const tracing = readTracing(at("tracing"), sizing, problems, elasticOn);
  const dashboards = readDashboards(at("dashboards"));
  const alerting = readAlerting(at("alerting"), secretNames.alertReceiverSecrets ?? [], problems);
  const elastic = readElastic(at("elastic"));
  const mesh = readMesh(at("mesh"), {
    ...(cluster !== undefined ? { clusterType: cluster.type } : {}),
    grafanaEnabled: grafanaRuns({ prometheus, grafana }),
    tracingEnabled: tracing.enabled,
  });

  // Cross-key rules: each names both keys.
  if (
    !prometheus.enabled &&
    grafana.enabled &&
    (raw["grafana"] as { enabled?: unknown } | undefined)?.enabled === true
  ) {
    problems.push({
      path: "grafana.enabled",
      problem: "is true but prometheus.enabled is false, and Grafana is installed by kube-prometheus-stack",
      fix: "set `pulumi config set --path prometheus.enabled true`, or `pulumi config set --path grafana.enabled false`",
    });
  }
  if (grafana.replicas > 1 && grafana.storage !== undefined) {
    problems.push({
      path: "grafana.replicas",
      problem: `is ${grafana.replicas} with grafana.storage set, but replicas cannot share one ReadWriteOnce SQLite volume`,
      fix: "set `pulumi config set --path grafana.replicas 1`, or remove grafana.storage",
    });
  }

  if (
    tracing.enabled &&
    tracing.jaeger.enabled &&
    tracing.storage === "elasticsearch" &&
    tracing.elasticsearch?.cluster !== "stack" &&
    !secretKeys.has(TRACING_ES_PASSWORD_KEY)
  ) {
    problems.push({
      path: TRACING_ES_PASSWORD_KEY,
      problem: "is required when tracing.storage is elasticsearch",
      fix: `set the password of tracing.elasticsearch.username with \`pulumi config set --secret ${TRACING_ES_PASSWORD_KEY} <password>\``,
    });
  }
  const explicitlyOn = (key: string) => (raw[key] as { enabled?: unknown } | undefined)?.enabled === true;
  if (!grafana.enabled && dashboards.enabled && explicitlyOn("dashboards")) {
    problems.push({
      path: "dashboards.enabled",
      problem: "is true but grafana.enabled is false, and the dashboards are Grafana's",
      fix: "set `pulumi config set --path grafana.enabled true`, or `pulumi config set --path dashboards.enabled false`",
    });
  }
  if (!prometheus.enabled && alerting.enabled && explicitlyOn("alerting")) {
    problems.push({
      path: "alerting.enabled",
      problem:
        "is true but prometheus.enabled is false, and the rules and routing need kube-prometheus-stack",
      fix: "set `pulumi config set --path prometheus.enabled true`, or `pulumi config set --path alerting.enabled false`",
    });
  }

  if (problems.length > 0 || cluster === undefined) {
    throw new ConfigError(problems);
  }
  return {
    cluster,
    sizing,
    resources,
    charts,
    images,
    networkPolicies,
    prometheus,
    alertmanager,
    grafana,
    metricsServer,
    thanos,
    loki,
    logCollector,
    tracing,
    dashboards,
    alerting,
    elastic,
    mesh,
  };
}
