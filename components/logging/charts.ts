/**
 * The charts the logging part installs, each pinned beside every image it pulls at that version:
 * a chart bump touches its entry here alone. components/parts.ts folds every part's charts into
 * the catalogue (CHARTS). test/catalogue.test.ts checks each pin against the archive's own Chart.yaml;
 * `npm run bump` changes one (docs/upgrades.md, "Upgrading a chart").
 */
import { Chart, ImageCondition } from "../kit";

const on = (path: string, chartDefault = true): ImageCondition => ({ path, chartDefault });

export const LOGGING_CHARTS = {
  // The open-source Loki chart lives in grafana-community/helm-charts from 7.0 on (grafana/loki's
  // own 7.x is the Grafana Enterprise Logs chart).
  loki: {
    repo: "https://grafana-community.github.io/helm-charts",
    chart: "loki",
    version: "18.11.0",
    images: [
      { role: "loki", image: "docker.io/grafana/loki:3.7.6", key: { registry: "loki.image" } },
      {
        role: "loki gateway (nginx)",
        image: "docker.io/nginxinc/nginx-unprivileged:1.31-alpine",
        key: { registry: "gateway.image" },
        when: [on("gateway.enabled")],
      },
      {
        role: "loki gateway access-log exporter",
        image: "ghcr.io/jkroepke/access-log-exporter:0.4.11",
        key: { registry: "gateway.metrics.image" },
        when: [on("gateway.enabled"), on("gateway.metrics.enabled")],
      },
      {
        role: "chunks and results caches (memcached)",
        image: "docker.io/library/memcached:1.6.45-alpine",
        key: { registry: "memcached.image" },
        when: [on("memcached.enabled"), { anyOf: [on("chunksCache.enabled"), on("resultsCache.enabled")] }],
      },
      {
        role: "memcached exporter",
        image: "docker.io/prom/memcached-exporter:v0.17.0",
        key: { registry: "memcachedExporter.image" },
        when: [
          on("memcached.enabled"),
          { anyOf: [on("chunksCache.enabled"), on("resultsCache.enabled")] },
          on("memcachedExporter.enabled"),
        ],
      },
      {
        role: "loki canary",
        image: "docker.io/grafana/loki-canary:3.7.6",
        key: { registry: "lokiCanary.image" },
        when: [on("lokiCanary.enabled")],
      },
      {
        role: "rules sidecar",
        image: "docker.io/kiwigrid/k8s-sidecar:2.10.1",
        key: { registry: "sidecar.image" },
        when: [on("sidecar.rules.enabled")],
      },
    ],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
  },
  promtail: {
    repo: "https://grafana.github.io/helm-charts",
    chart: "promtail",
    version: "6.17.1",
    images: [{ role: "promtail", image: "docker.io/grafana/promtail:3.5.1", key: { registry: "image" } }],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
  },
  alloy: {
    repo: "https://grafana.github.io/helm-charts",
    chart: "alloy",
    version: "1.11.1",
    images: [
      { role: "alloy", image: "docker.io/grafana/alloy:v1.18.1", key: { registry: "image" } },
      {
        role: "alloy config reloader",
        image:
          "quay.io/prometheus-operator/prometheus-config-reloader:v0.91.0@sha256:7d9e4eea5f1139e602508871f422b0116c60e87c662f3dcd234d5ab60cd0d8c1",
        key: { registry: "configReloader.image" },
        when: [on("configReloader.enabled")],
      },
    ],
    pullSecrets: [{ path: "image.pullSecrets", shape: "objects" }],
  },
} as const satisfies Record<string, Chart>;
