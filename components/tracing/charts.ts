/**
 * The charts the tracing part installs, each pinned beside every image it pulls at that version:
 * a chart bump touches its entry here alone. components/parts.ts folds every part's charts into
 * the catalogue (CHARTS). test/catalogue.test.ts checks each pin against the archive's own Chart.yaml;
 * `npm run bump` changes one (docs/upgrades.md, "Upgrading a chart").
 */
import { Chart, ImageCondition } from "../kit";

const on = (path: string, chartDefault = true): ImageCondition => ({ path, chartDefault });

export const TRACING_CHARTS = {
  jaeger: {
    repo: "https://jaegertracing.github.io/helm-charts",
    chart: "jaeger",
    version: "4.11.1",
    images: [
      { role: "jaeger", image: "docker.io/jaegertracing/jaeger:2.19.0", key: { registry: "jaeger.image" } },
      {
        role: "jaeger es-index-cleaner (CronJob)",
        image: "docker.io/jaegertracing/jaeger-es-index-cleaner:2.19.0",
        key: { registry: "esIndexCleaner.image" },
        when: [on("esIndexCleaner.enabled", false)],
      },
      {
        role: "jaeger es-rollover (CronJob)",
        image: "docker.io/jaegertracing/jaeger-es-rollover:2.19.0",
        key: { registry: "esRollover.image" },
        when: [on("esRollover.enabled", false)],
      },
    ],
    pullSecrets: [
      { path: "jaeger.image.pullSecrets", shape: "names" },
      { path: "esIndexCleaner.image.pullSecrets", shape: "names" },
      { path: "esRollover.image.pullSecrets", shape: "names" },
    ],
  },
  opentelemetryCollector: {
    repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
    chart: "opentelemetry-collector",
    version: "0.170.0",
    images: [
      {
        role: "opentelemetry collector gateway",
        image: "docker.io/otel/opentelemetry-collector-k8s:0.158.0",
        key: { repository: "image" },
      },
    ],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
  },
} as const satisfies Record<string, Chart>;
