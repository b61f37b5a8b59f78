import { readStorage, Section, StorageConfig } from "../kit";
import type { ClusterType } from "../kit";

// The operator's own pattern for retentionSize.
const RETENTION_SIZE = /^(0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/;

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

export interface MetricsServerConfig {
  /** Install metrics-server (for `kubectl top` and HPAs). Defaults to true. */
  enabled: boolean;
  /** Replicas. Defaults to 1. */
  replicas: number;
  /** Skip kubelet certificate checks, which kind's self-signed certificates need. Defaults to true on kind. */
  kubeletInsecureTls: boolean;
}

/** Reads `prometheus`; scraping kube-proxy defaults on for kind. */
export function readPrometheus(p: Section, clusterType: ClusterType | undefined): PrometheusConfig {
  const prometheus: PrometheusConfig = {
    enabled: p.bool("enabled", true),
    replicas: p.int("replicas", 1),
    retention: p.duration("retention", "10d"),
    scrapeInterval: p.duration("scrapeInterval", "30s"),
    scrapeControlPlane: p.bool("scrapeControlPlane", false),
    scrapeKubeProxy: p.bool("scrapeKubeProxy", clusterType === "kind"),
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
  return prometheus;
}

/** Reads `alertmanager`. */
export function readAlertmanager(a: Section): AlertmanagerConfig {
  const alertmanager: AlertmanagerConfig = {
    enabled: a.bool("enabled", true),
    replicas: a.int("replicas", 1),
    retention: a.duration("retention", "120h"),
  };
  const amStorage = readStorage(a, "storage", "2Gi");
  if (amStorage) alertmanager.storage = amStorage;
  a.done();
  return alertmanager;
}

/** Reads `metricsServer`; kubelet certificate checks are skipped by default on kind. */
export function readMetricsServer(m: Section, clusterType: ClusterType | undefined): MetricsServerConfig {
  const metricsServer: MetricsServerConfig = {
    enabled: m.bool("enabled", true),
    replicas: m.int("replicas", 1),
    kubeletInsecureTls: m.bool("kubeletInsecureTls", clusterType === "kind"),
  };
  m.done();
  return metricsServer;
}
