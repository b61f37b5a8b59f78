import { AlertingConfig, readAlerting } from "./alerting";
import { DashboardsConfig, readDashboards } from "./dashboards";
import { ElasticConfig, readElastic } from "./elastic";
import { ConfigError, ConfigProblem } from "./errors";
import { LogCollectorConfig, LokiConfig, readLogCollector, readLoki } from "./logging";
import { MeshConfig, readMesh } from "./mesh";
import { patterns, Section } from "./reader";
import { readStorage, StorageConfig } from "./storage";

export type { StorageConfig };
import { CONTAINER_IDS, ContainerId, ContainerResources, DEFAULT_RESOURCES, SIZINGS, Sizing } from "./sizing";
import { readTracing, TracingConfig, TRACING_ES_PASSWORD_KEY } from "./tracing";

export const CLUSTER_TYPES = ["kind", "cloud"] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];

/** Where the stack runs. */
export interface ClusterConfig {
  /** `kind` (a laptop cluster: no LoadBalancer, self-signed kubelet certificates) or `cloud`. */
  type: ClusterType;
  /** The kubeconfig context the Kubernetes provider uses. */
  context: string;
  /** The StorageClass of every PersistentVolumeClaim. Defaults to the cluster's default class. */
  storageClass?: string;
}

/** Where charts come from: their public repositories, or one mirror for air-gapped clusters. */
export interface ChartsConfig {
  /**
   * An internal Helm repository (`https://...`, `http://...`) that serves every chart under its
   * own name, or an OCI registry prefix (`oci://registry/path`) under which each chart is
   * `<prefix>/<chart>`. Defaults to none: each chart's public repository.
   */
  mirror?: string;
  /** Seconds Helm waits for a release's resources to become ready. Defaults to 900. */
  timeoutSeconds: number;
}

export interface PrometheusConfig {
  /** Install kube-prometheus-stack at all. Defaults to true. */
  enabled: boolean;
  /** Prometheus replicas. Defaults to 1. */
  replicas: number;
  /** How long samples are kept (Prometheus duration). Defaults to `10d`. */
  retention: string;
  /** Size cap on the TSDB, e.g. `40GiB`. Defaults to none. */
  retentionSize?: string;
  /** How often every target is scraped. Defaults to `30s`. */
  scrapeInterval: string;
  /** Persistent storage for the TSDB. Defaults to none (emptyDir). */
  storage?: StorageConfig;
  /**
   * Scrape etcd, the scheduler and the controller manager. Managed control planes hide them and
   * kubeadm (kind included) binds them to 127.0.0.1, so their "down" alerts would fire forever.
   * Defaults to false.
   */
  scrapeControlPlane: boolean;
  /** Scrape kube-proxy; the project's kind config exposes its metrics. Defaults to true on kind, false on cloud. */
  scrapeKubeProxy: boolean;
}

export interface AlertmanagerConfig {
  /** Run Alertmanager. Defaults to true. */
  enabled: boolean;
  /** Alertmanager replicas (they gossip to deduplicate). Defaults to 1. */
  replicas: number;
  /** How long silences and notification state are kept. Defaults to `120h`. */
  retention: string;
  /** Persistent storage for silences. Defaults to none (emptyDir). */
  storage?: StorageConfig;
}

export interface GrafanaConfig {
  /** Run Grafana (inside kube-prometheus-stack). Defaults to true. */
  enabled: boolean;
  /** Grafana replicas; more than one needs a shared database. Defaults to 1. */
  replicas: number;
  /** The admin user name. Defaults to `admin`. */
  adminUser: string;
  /** Persistent storage for Grafana's SQLite database. Defaults to none (emptyDir). */
  storage?: StorageConfig;
}

export interface MetricsServerConfig {
  /** Install metrics-server (for `kubectl top` and HPAs). Defaults to true. */
  enabled: boolean;
  /** Replicas. Defaults to 1. */
  replicas: number;
  /** Skip kubelet certificate checks, which kind's self-signed certificates need. Defaults to true on kind. */
  kubeletInsecureTls: boolean;
}

/** The whole validated stack config; each component gets only its own slice. */
export interface StackConfig {
  cluster: ClusterConfig;
  /** The resource preset: `laptop` or `production`. Defaults to `laptop`. */
  sizing: Sizing;
  /** Requests and memory limits of every container: the preset with `resources` overrides applied. */
  resources: Record<ContainerId, ContainerResources>;
  charts: ChartsConfig;
  prometheus: PrometheusConfig;
  alertmanager: AlertmanagerConfig;
  grafana: GrafanaConfig;
  metricsServer: MetricsServerConfig;
  loki: LokiConfig;
  logCollector: LogCollectorConfig;
  tracing: TracingConfig;
  /** Grafana's datasources and dashboards. */
  dashboards: DashboardsConfig;
  /** Alert rules and Alertmanager routing. */
  alerting: AlertingConfig;
  /** ECK, Elasticsearch, Kibana and Filebeat (components/config/elastic.ts). Off by default. */
  elastic: ElasticConfig;
  /** Istio: control plane, gateway, mTLS and authorization policies, telemetry, canary routes. */
  mesh: MeshConfig;
}

/** Keys that hold secrets; they are read as secret Outputs and never as plain config. */
export const SECRET_KEYS = [
  "grafanaAdminPassword",
  "grafanaElasticsearchPassword",
  "lokiS3AccessKeyId",
  "lokiS3SecretAccessKey",
  TRACING_ES_PASSWORD_KEY,
  "alertReceiverSecrets",
] as const;

/** Every plain (non-secret) top-level key, in the order Pulumi.yaml documents them. */
export const PLAIN_KEYS = [
  "cluster",
  "sizing",
  "resources",
  "charts",
  "prometheus",
  "alertmanager",
  "grafana",
  "metricsServer",
  "loki",
  "logCollector",
  "tracing",
  "dashboards",
  "alerting",
  "elastic",
  "mesh",
] as const;

const HELM_REPO = /^https?:\/\/[^\s/]+(\/\S*)?$/;
const OCI_PREFIX = /^oci:\/\/[^\s/]+(\/\S*)?$/;
// The operator's own pattern for retentionSize.
const RETENTION_SIZE = /^(0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/;

function readCharts(s: Section): ChartsConfig {
  const mirror = s.optionalString("mirror");
  if (mirror !== undefined && !HELM_REPO.test(mirror) && !OCI_PREFIX.test(mirror)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(mirror)?.[1];
    s.problem(
      "mirror",
      scheme === undefined
        ? `must be a URL, got ${JSON.stringify(mirror)}`
        : `has unknown scheme "${scheme}" in ${JSON.stringify(mirror)}`,
      "use https:// or http:// for a Helm repository, or oci:// for an OCI registry prefix, e.g. `pulumi config set --path charts.mirror oci://registry.example.com/charts`",
    );
  }
  const charts: ChartsConfig = {
    timeoutSeconds: s.int("timeoutSeconds", 900, 30, 7200),
    ...(mirror !== undefined && (HELM_REPO.test(mirror) || OCI_PREFIX.test(mirror))
      ? { mirror: mirror.replace(/\/+$/, "") }
      : {}),
  };
  s.done();
  return charts;
}

function readCluster(s: Section): ClusterConfig | undefined {
  const type = s.oneOf("type", CLUSTER_TYPES, undefined);
  const context = s.requiredString(
    "context",
    type === "kind" ? "kind-observability" : "<kubeconfig-context>",
  );
  const storageClass = s.optionalString("storageClass", {
    re: patterns.K8S_NAME,
    what: "a StorageClass name",
    example: "standard",
  });
  s.done();
  if (type === undefined || context === undefined) return undefined;
  return { type, context, ...(storageClass !== undefined ? { storageClass } : {}) };
}

function readResources(s: Section, sizing: Sizing): Record<ContainerId, ContainerResources> {
  const resources = { ...DEFAULT_RESOURCES[sizing] };
  for (const key of s.keys()) {
    if (!(CONTAINER_IDS as readonly string[]).includes(key)) {
      s.raw(key);
      s.problem(key, "is not a known container", `use one of: ${CONTAINER_IDS.join(", ")}`);
      continue;
    }
    const id = key as ContainerId;
    const c = s.child(id);
    const base = resources[id];
    resources[id] = {
      cpu: c.quantity("cpu", base.cpu),
      memory: c.quantity("memory", base.memory),
      memoryLimit: c.quantity("memoryLimit", base.memoryLimit),
    };
    c.done();
  }
  return resources;
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
): StackConfig {
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(raw).sort()) {
    if ((SECRET_KEYS as readonly string[]).includes(key)) continue;
    if (!(PLAIN_KEYS as readonly string[]).includes(key)) {
      problems.push({
        path: key,
        problem: "is not a known config key",
        fix: `remove it with \`pulumi config rm ${key}\`; known keys are ${[...PLAIN_KEYS, ...SECRET_KEYS].join(", ")}`,
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

  const p = at("prometheus");
  const prometheus: PrometheusConfig = {
    enabled: p.bool("enabled", true),
    replicas: p.int("replicas", 1),
    retention: p.duration("retention", "10d"),
    scrapeInterval: p.duration("scrapeInterval", "30s"),
    scrapeControlPlane: p.bool("scrapeControlPlane", false),
    scrapeKubeProxy: p.bool("scrapeKubeProxy", cluster?.type === "kind"),
  };
  const retentionSize = p.optionalString("retentionSize", {
    re: RETENTION_SIZE,
    what: "a size with a byte unit such as 512MB, 40GiB or 1TB",
    example: "40GiB",
  });
  if (retentionSize !== undefined) prometheus.retentionSize = retentionSize;
  const promStorage = readStorage(p, "storage", "50Gi");
  if (promStorage) prometheus.storage = promStorage;
  p.done();

  const a = at("alertmanager");
  const alertmanager: AlertmanagerConfig = {
    enabled: a.bool("enabled", true),
    replicas: a.int("replicas", 1),
    retention: a.duration("retention", "120h"),
  };
  const amStorage = readStorage(a, "storage", "2Gi");
  if (amStorage) alertmanager.storage = amStorage;
  a.done();

  const g = at("grafana");
  const grafana: GrafanaConfig = {
    enabled: g.bool("enabled", true),
    replicas: g.int("replicas", 1),
    adminUser: g.string("adminUser", "admin"),
  };
  const grafanaStorage = readStorage(g, "storage", "10Gi");
  if (grafanaStorage) grafana.storage = grafanaStorage;
  g.done();

  const m = at("metricsServer");
  const metricsServer: MetricsServerConfig = {
    enabled: m.bool("enabled", true),
    replicas: m.int("replicas", 1),
    kubeletInsecureTls: m.bool("kubeletInsecureTls", cluster?.type === "kind"),
  };
  m.done();

  const loki = readLoki(at("loki"), secretKeys);
  const logCollector = readLogCollector(at("logCollector"), loki.enabled);
  const tracing = readTracing(at("tracing"), sizing, problems);
  const dashboards = readDashboards(at("dashboards"));
  const alerting = readAlerting(at("alerting"), secretNames.alertReceiverSecrets ?? [], problems);
  const elastic = readElastic(at("elastic"));
  const mesh = readMesh(at("mesh"), {
    ...(cluster !== undefined ? { clusterType: cluster.type } : {}),
    // Grafana runs only inside kube-prometheus-stack.
    grafanaEnabled: prometheus.enabled && grafana.enabled,
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
    prometheus,
    alertmanager,
    grafana,
    metricsServer,
    loki,
    logCollector,
    tracing,
    dashboards,
    alerting,
    elastic,
    mesh,
  };
}
