/**
 * The charts the monitoring part installs, each pinned beside every image it pulls at that version:
 * a chart bump touches its entry here alone. components/parts.ts folds every part's charts into
 * the catalogue (CHARTS). test/catalogue.test.ts checks each pin against the archive's own Chart.yaml;
 * `npm run bump` changes one (docs/upgrades.md, "Upgrading a chart").
 */
import { Chart, ImageCondition } from "../kit";

const on = (path: string, chartDefault = true): ImageCondition => ({ path, chartDefault });

export const MONITORING_CHARTS = {
  prometheusOperatorCrds: {
    repo: "https://prometheus-community.github.io/helm-charts",
    chart: "prometheus-operator-crds",
    version: "31.0.1",
    images: [],
    pullSecrets: [],
  },
  kubePrometheusStack: {
    repo: "https://prometheus-community.github.io/helm-charts",
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    images: [
      {
        role: "prometheus-operator",
        image: "quay.io/prometheus-operator/prometheus-operator:v0.93.1",
        key: { registry: "prometheusOperator.image" },
      },
      {
        role: "config reloader (started by the operator beside Prometheus and Alertmanager)",
        image: "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1",
        key: { registry: "prometheusOperator.prometheusConfigReloader.image" },
      },
      {
        role: "admission webhook certificate job (Helm hook)",
        image: "ghcr.io/jkroepke/kube-webhook-certgen:1.8.7",
        key: { registry: "prometheusOperator.admissionWebhooks.patch.image" },
        when: [
          on("prometheusOperator.admissionWebhooks.enabled"),
          on("prometheusOperator.admissionWebhooks.patch.enabled"),
        ],
      },
      {
        role: "prometheus",
        image: "quay.io/prometheus/prometheus:v3.14.0-distroless",
        key: { registry: "prometheus.prometheusSpec.image" },
        when: [on("prometheus.enabled")],
      },
      {
        role: "thanos sidecar (beside Prometheus, with thanos on)",
        image: "quay.io/thanos/thanos:v0.42.4",
        key: { registry: "prometheus.prometheusSpec.thanos.image" },
        when: [on("prometheus.enabled"), on("prometheus.prometheusSpec.thanos.objectStorageConfig", false)],
        mirrorOnlyWith: "prometheus.prometheusSpec.thanos",
      },
      {
        role: "alertmanager",
        image: "quay.io/prometheus/alertmanager:v0.34.0",
        key: { registry: "alertmanager.alertmanagerSpec.image" },
        when: [on("alertmanager.enabled")],
      },
      {
        role: "grafana",
        image: "docker.io/grafana/grafana:13.2.0",
        key: { registry: "grafana.image" },
        when: [on("grafana.enabled")],
      },
      {
        role: "grafana sidecar (dashboards and datasources)",
        image: "quay.io/kiwigrid/k8s-sidecar:2.10.1",
        key: { registry: "grafana.sidecar.image" },
        when: [on("grafana.enabled")],
      },
      {
        role: "grafana dashboard download (init)",
        image: "docker.io/curlimages/curl:8.21.0",
        key: { registry: "grafana.downloadDashboardsImage" },
        when: [on("grafana.enabled"), on("grafana.dashboards", false)],
      },
      {
        role: "grafana volume ownership (init)",
        image: "docker.io/library/busybox:1.38.0",
        key: { registry: "grafana.initChownData.image" },
        when: [
          on("grafana.enabled"),
          on("grafana.persistence.enabled", false),
          on("grafana.initChownData.enabled"),
        ],
      },
      {
        role: "kube-state-metrics",
        image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0",
        key: { registry: "kube-state-metrics.image" },
        when: [on("kubeStateMetrics.enabled")],
      },
      {
        role: "node-exporter",
        image: "quay.io/prometheus/node-exporter:v1.12.1-distroless",
        key: { registry: "prometheus-node-exporter.image" },
        when: [on("nodeExporter.enabled")],
      },
    ],
    pullSecrets: [{ path: "global.imagePullSecrets", shape: "objects" }],
  },
  metricsServer: {
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
    chart: "metrics-server",
    version: "3.13.1",
    images: [
      {
        role: "metrics-server",
        image: "registry.k8s.io/metrics-server/metrics-server:v0.8.1",
        key: { repository: "image" },
      },
      {
        role: "addon resizer",
        image: "registry.k8s.io/autoscaling/addon-resizer:1.8.23",
        key: { repository: "addonResizer.image" },
        when: [on("addonResizer.enabled", false)],
      },
    ],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
  },
  // From thanos-community/helm-charts, tag thanos-0.38.0 (Thanos v0.42.4); its optional
  // kube-prometheus-stack and rustfs dependencies stay off.
  thanos: {
    repo: "https://thanos-community.github.io/helm-charts",
    chart: "thanos",
    version: "0.38.0",
    images: [
      {
        role: "thanos (query, query-frontend, store gateway, compactor)",
        image: "quay.io/thanos/thanos:v0.42.4",
        key: { registry: "global.image" },
      },
    ],
    pullSecrets: [{ path: "global.imagePullSecrets", shape: "objects" }],
  },
} as const satisfies Record<string, Chart>;
