/**
 * Every chart the stack installs, pinned: the one place a version bump touches.
 * test/catalogue.test.ts checks each pin against the archive's own Chart.yaml; `npm run bump`
 * changes one (docs/upgrades.md, "Upgrading a chart").
 */

export interface ChartPin {
  /** The public Helm repository that serves the chart. */
  repo: string;
  /** The chart's name in that repository. */
  chart: string;
  /** The pinned chart version. */
  version: string;
}

export const CHARTS = {
  prometheusOperatorCrds: {
    repo: "https://prometheus-community.github.io/helm-charts",
    chart: "prometheus-operator-crds",
    version: "31.0.1",
  },
  kubePrometheusStack: {
    repo: "https://prometheus-community.github.io/helm-charts",
    chart: "kube-prometheus-stack",
    version: "88.5.3",
  },
  metricsServer: {
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
    chart: "metrics-server",
    version: "3.13.1",
  },
  // The open-source Loki chart lives in grafana-community/helm-charts from 7.0 on (grafana/loki's
  // own 7.x is the Grafana Enterprise Logs chart).
  loki: { repo: "https://grafana-community.github.io/helm-charts", chart: "loki", version: "18.11.0" },
  promtail: { repo: "https://grafana.github.io/helm-charts", chart: "promtail", version: "6.17.1" },
  alloy: { repo: "https://grafana.github.io/helm-charts", chart: "alloy", version: "1.11.1" },
  istioBase: {
    repo: "https://istio-release.storage.googleapis.com/charts",
    chart: "base",
    version: "1.30.3",
  },
  istiod: { repo: "https://istio-release.storage.googleapis.com/charts", chart: "istiod", version: "1.30.3" },
  istioGateway: {
    repo: "https://istio-release.storage.googleapis.com/charts",
    chart: "gateway",
    version: "1.30.3",
  },
  jaeger: { repo: "https://jaegertracing.github.io/helm-charts", chart: "jaeger", version: "4.11.1" },
  opentelemetryCollector: {
    repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
    chart: "opentelemetry-collector",
    version: "0.170.0",
  },
  eckOperator: { repo: "https://helm.elastic.co", chart: "eck-operator", version: "3.5.0" },
  eckStack: { repo: "https://helm.elastic.co", chart: "eck-stack", version: "0.20.0" },
  // From thanos-community/helm-charts, tag thanos-0.38.0 (Thanos v0.42.4); its optional
  // kube-prometheus-stack and rustfs dependencies stay off.
  thanos: { repo: "https://thanos-community.github.io/helm-charts", chart: "thanos", version: "0.38.0" },
} as const satisfies Record<string, ChartPin>;

export type ChartKey = keyof typeof CHARTS;

/** The fields of a Helm Release that say where its chart comes from. */
export interface ChartSource {
  chart: string;
  version: string;
  repositoryOpts?: { repo: string };
}

/**
 * Where to fetch a chart: its public repository, or the mirror when one is set. A Helm
 * repository mirror serves every chart under its own name; an OCI mirror holds each chart at
 * `<prefix>/<chart>`.
 */
export function chartSource(key: ChartKey, mirror?: string): ChartSource {
  const pin: ChartPin = CHARTS[key];
  if (mirror === undefined) {
    return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo } };
  }
  if (mirror.startsWith("oci://")) {
    return { chart: `${mirror}/${pin.chart}`, version: pin.version };
  }
  return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: mirror } };
}
