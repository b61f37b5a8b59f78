import {
  Fields,
  Infer,
  KeyDeclaration,
  MAX_REPLICAS,
  parseQuantity,
  readFields,
  Section,
  setCommand,
} from "../kit";
import type { ClusterType } from "../kit";

export const PROMETHEUS_FIELDS = {
  enabled: { kind: "boolean", default: true, description: "Install kube-prometheus-stack." },
  replicas: {
    kind: "integer",
    default: 1,
    min: 1,
    replicasOf: "Prometheus",
    max: MAX_REPLICAS,
    description: "Prometheus replicas.",
  },
  retention: {
    kind: "string",
    format: "duration",
    aboveZero: true,
    default: "10d",
    description: "How long samples are kept.",
  },
  scrapeInterval: {
    kind: "string",
    format: "duration",
    aboveZero: true,
    default: "30s",
    description: "How often every target is scraped.",
  },
  scrapeControlPlane: {
    kind: "boolean",
    default: false,
    description:
      "Scrape etcd, the scheduler and the controller manager. Managed control planes hide them and kubeadm (kind included) binds them to 127.0.0.1, so their metrics must listen beyond it.",
  },
  scrapeKubeProxy: {
    kind: "boolean",
    default: false,
    defaultOnKind: true,
    description: "Scrape kube-proxy (kind/cluster.yaml exposes its metrics).",
  },
  retentionSize: {
    kind: "string",
    // The operator's own pattern for retentionSize.
    format: {
      re: /^(0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/,
      what: "a size with a byte unit such as 512MB, 40GiB or 1TB",
      example: "40GiB",
    },
    description: "Size cap of the TSDB.",
  },
  storage: { kind: "storage", example: "50Gi", description: "PersistentVolumeClaim of the TSDB." },
} as const satisfies Fields;

export const ALERTMANAGER_FIELDS = {
  enabled: { kind: "boolean", default: true, description: "Run Alertmanager." },
  replicas: {
    kind: "integer",
    default: 1,
    min: 1,
    replicasOf: "Alertmanager",
    max: MAX_REPLICAS,
    description: "Alertmanager replicas (they gossip to deduplicate).",
  },
  retention: {
    kind: "string",
    format: "duration",
    aboveZero: true,
    default: "120h",
    description:
      "How long silences and notification state are kept; days and weeks are sent as hours, the only units Alertmanager's retention takes.",
  },
  storage: { kind: "storage", example: "2Gi", description: "PersistentVolumeClaim for silences." },
} as const satisfies Fields;

export const METRICS_SERVER_FIELDS = {
  enabled: {
    kind: "boolean",
    default: true,
    description: "Install metrics-server (for kubectl top and HorizontalPodAutoscalers).",
  },
  replicas: {
    kind: "integer",
    default: 1,
    min: 1,
    replicasOf: "metrics-server",
    max: MAX_REPLICAS,
    description: "Replicas.",
  },
  kubeletInsecureTls: {
    kind: "boolean",
    default: false,
    defaultOnKind: true,
    description: "Skip kubelet certificate checks, which kind's self-signed certificates need.",
  },
} as const satisfies Fields;

export type PrometheusConfig = Infer<typeof PROMETHEUS_FIELDS>;
export type AlertmanagerConfig = Infer<typeof ALERTMANAGER_FIELDS>;
export type MetricsServerConfig = Infer<typeof METRICS_SERVER_FIELDS>;

export const PROMETHEUS_KEY: KeyDeclaration = {
  kind: "object",
  description: "Prometheus and the operator (kube-prometheus-stack).",
  fields: PROMETHEUS_FIELDS,
};
export const ALERTMANAGER_KEY: KeyDeclaration = {
  kind: "object",
  description: "Alertmanager (kube-prometheus-stack).",
  fields: ALERTMANAGER_FIELDS,
};
export const METRICS_SERVER_KEY: KeyDeclaration = {
  kind: "object",
  description: "metrics-server, for kubectl top and HorizontalPodAutoscalers.",
  fields: METRICS_SERVER_FIELDS,
};

/** Bytes of a retentionSize in Prometheus' units, where KB, MB and GB are powers of 1024. */
export function retentionSizeBytes(size: string): number {
  const m = /^([0-9]*\.?[0-9]+)(K|M|G|T|P|E)?i?B$/.exec(size);
  if (m === null) return 0;
  const power = m[2] === undefined ? 0 : "KMGTPE".indexOf(m[2]) + 1;
  return Number(m[1]) * 1024 ** power;
}

/**
 * Reads `prometheus`; scraping kube-proxy defaults on for kind. A size cap above the volume never
 * applies: the disk fills first and Prometheus stops writing.
 */
export function readPrometheus(p: Section, clusterType: ClusterType | undefined): PrometheusConfig {
  const read = readFields(p, PROMETHEUS_FIELDS, { ...(clusterType !== undefined ? { clusterType } : {}) });
  if (read.retentionSize !== undefined && read.storage !== undefined) {
    const volume = parseQuantity(read.storage.size);
    if (retentionSizeBytes(read.retentionSize) > volume) {
      // Room for the WAL and compaction, which the cap does not count.
      const mib = Math.floor((volume * 0.8) / 2 ** 20);
      const cap = mib >= 1024 ? `${Math.floor(mib / 1024)}GiB` : `${mib}MiB`;
      p.problem(
        "retentionSize",
        `is ${read.retentionSize}, more than the volume (prometheus.storage.size ${read.storage.size}), so the disk fills before the cap applies and Prometheus stops writing`,
        `set about 80% of the volume, e.g. \`${setCommand(p.join("retentionSize"), cap)}\``,
      );
    }
  }
  return read;
}

/** Reads `alertmanager`. */
export function readAlertmanager(a: Section): AlertmanagerConfig {
  return readFields(a, ALERTMANAGER_FIELDS);
}

/** Reads `metricsServer`; kubelet certificate checks are skipped by default on kind. */
export function readMetricsServer(m: Section, clusterType: ClusterType | undefined): MetricsServerConfig {
  return readFields(m, METRICS_SERVER_FIELDS, { ...(clusterType !== undefined ? { clusterType } : {}) });
}

/** `grafanaAdminPassword`, a secret key: read as a secret Output, never as plain config. */
export const GRAFANA_ADMIN_PASSWORD_KEY: KeyDeclaration = {
  kind: "secret",
  description: [
    "Grafana's admin password, set with `pulumi config set --secret grafanaAdminPassword <value>`.",
    "It reaches Grafana only through the Secret monitoring/grafana-admin. Default: a generated",
    "32-character password (read it back with the grafanaAdminPasswordCommand output).",
  ].join("\n"),
};
