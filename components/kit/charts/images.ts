/**
 * Every image each chart pulls at its pinned version, and the values keys that say where each
 * comes from: the one place the image mirror setting (`images.registry`) turns into chart
 * values, and the one list `npm run images` prints for the job that fills the mirror. Read from
 * the charts in ../shared/charts with `helm template`; test/tools/images.test.ts renders them again
 * and fails when a chart pulls an image this list does not know.
 */
import { ImagesConfig } from "../config/images";
import { ChartKey } from "./catalogue";

/** An image reference split into its parts, with Docker Hub's implicit names made explicit. */
export interface ImageRef {
  /** The registry host (and port): `docker.io`, `quay.io`, `registry.k8s.io`, ... */
  registry: string;
  /** The path under the registry, `library/` included for Docker Hub's official images. */
  repository: string;
  /** The tag. */
  tag: string;
  /** `sha256:...` when the chart pins a digest too. Defaults to none. */
  digest?: string;
}

/** The image settings of a stack that sets none: public registries, no pull secrets. */
export const PUBLIC_IMAGES: ImagesConfig = { pullSecrets: [] };

/**
 * Parses an image reference as the container runtime reads it: a first segment with a dot, a
 * colon or `localhost` is a registry, otherwise the image is on Docker Hub (`docker.io`), where a
 * one-segment name is an official image under `library/`.
 */
export function parseImage(ref: string): ImageRef {
  const at = ref.indexOf("@");
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const slash = named.lastIndexOf("/");
  const colon = named.lastIndexOf(":");
  const tag = colon > slash ? named.slice(colon + 1) : "latest";
  const name = colon > slash ? named.slice(0, colon) : named;
  const first = name.split("/")[0] ?? "";
  const hasRegistry =
    name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first : "docker.io";
  let repository = hasRegistry ? name.slice(first.length + 1) : name;
  if (registry === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
  return { registry, repository, tag, ...(digest !== undefined ? { digest } : {}) };
}

/** The full reference, registry included. */
export function formatImage(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}:${ref.tag}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/**
 * The image as the stack pulls it: unchanged without a mirror; with one, the upstream registry
 * and path kept under the mirror (`<mirror>/docker.io/grafana/loki:3.7.6`), the layout of
 * `skopeo sync --scoped` and of a Harbor proxy-cache project per upstream registry.
 */
export function mirrorImage(ref: ImageRef, registry: string | undefined): ImageRef {
  return registry === undefined ? ref : { ...ref, registry: `${registry}/${ref.registry}` };
}

/**
 * How a chart lets one image's source be set:
 * - `registry`: `<path>.registry` and `<path>.repository` (the registry without the path);
 * - `repository`: `<path>.repository` holds registry and path together;
 * - `hub`: Istio's `<path>` is the registry and path prefix of every Istio image (`docker.io/istio`).
 */
export type ImageKey = { registry: string } | { repository: string } | { hub: string };

/**
 * A values path that must be on (true, or a non-empty object) for an image to be pulled, with the
 * chart's default for when the program's values leave it unset; or any one of several such.
 */
export type ImageCondition = { path: string; chartDefault: boolean } | { anyOf: readonly ImageCondition[] };

export interface ChartImage {
  /** What runs it, for the listing. */
  role: string;
  /** The reference as the chart at its pinned version renders it by default. */
  image: string;
  /** Where the chart takes its source from. */
  key: ImageKey;
  /** All must hold for the image to be pulled. Defaults to always. */
  when?: readonly ImageCondition[];
  /**
   * A values path that must already be set for the mirror keys to be set at all: where setting
   * them would itself switch something on (a Thanos sidecar appears whenever
   * `prometheusSpec.thanos` is set). Defaults to none.
   */
  mirrorOnlyWith?: string;
}

/** Where a chart puts the pull secrets of every pod, and in which shape. */
export interface PullSecretsKey {
  path: string;
  /** `names`: a list of strings; `objects`: a list of `{ name }`. */
  shape: "names" | "objects";
}

export interface ChartImages {
  images: readonly ChartImage[];
  /** Every path that sets the pods' `imagePullSecrets`. */
  pullSecrets: readonly PullSecretsKey[];
  /** Values to set only when a mirror is set, beyond the image keys (ECK's default registry). */
  mirrorValues?: (registry: string) => Record<string, unknown>;
}

const on = (path: string, chartDefault = true): ImageCondition => ({ path, chartDefault });

/** Every image of every chart in the catalogue, at its pinned version. */
export const CHART_IMAGES: Record<ChartKey, ChartImages> = {
  prometheusOperatorCrds: { images: [], pullSecrets: [] },
  kubePrometheusStack: {
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
  loki: {
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
    images: [{ role: "promtail", image: "docker.io/grafana/promtail:3.5.1", key: { registry: "image" } }],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
  },
  alloy: {
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
  istioBase: { images: [], pullSecrets: [] },
  istiod: {
    images: [
      { role: "istiod", image: "docker.io/istio/pilot:1.30.3", key: { hub: "global.hub" } },
      {
        role: "istio-proxy (injected into meshed pods and the gateway)",
        image: "docker.io/istio/proxyv2:1.30.3",
        key: { hub: "global.hub" },
      },
    ],
    pullSecrets: [{ path: "global.imagePullSecrets", shape: "names" }],
  },
  // The gateway's pod is `image: auto`: istiod injects the proxy image (listed under istiod).
  istioGateway: { images: [], pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }] },
  jaeger: {
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
    images: [
      {
        role: "opentelemetry collector gateway",
        image: "docker.io/otel/opentelemetry-collector-k8s:0.158.0",
        key: { repository: "image" },
      },
    ],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
  },
  eckOperator: {
    images: [
      {
        role: "eck-operator",
        image: "docker.elastic.co/eck/eck-operator:3.5.0",
        key: { repository: "image" },
      },
    ],
    pullSecrets: [{ path: "imagePullSecrets", shape: "objects" }],
    // The registry ECK derives the Elastic Stack's images from when a resource names none.
    mirrorValues: (registry) => ({ config: { containerRegistry: `${registry}/docker.elastic.co` } }),
  },
  eckStack: { images: [], pullSecrets: [] },
  thanos: {
    images: [
      {
        role: "thanos (query, query-frontend, store gateway, compactor)",
        image: "quay.io/thanos/thanos:v0.42.4",
        key: { registry: "global.image" },
      },
    ],
    pullSecrets: [{ path: "global.imagePullSecrets", shape: "objects" }],
  },
};

/** The Elastic Stack images the program's own ECK resources and Jobs run, at a given version. */
export function elasticImage(product: "elasticsearch" | "kibana" | "filebeat", version: string): ImageRef {
  const path = {
    elasticsearch: "elasticsearch/elasticsearch",
    kibana: "kibana/kibana",
    filebeat: "beats/filebeat",
  };
  return { registry: "docker.elastic.co", repository: path[product], tag: version };
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur = target;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1] ?? ""] = value;
}

function keyValues(key: ImageKey, ref: ImageRef): [string, unknown][] {
  if ("registry" in key) {
    return [
      [`${key.registry}.registry`, ref.registry],
      [`${key.registry}.repository`, ref.repository],
    ];
  }
  if ("repository" in key) return [[`${key.repository}.repository`, `${ref.registry}/${ref.repository}`]];
  const dir = ref.repository.slice(0, ref.repository.lastIndexOf("/"));
  return [[key.hub, `${ref.registry}/${dir}`]];
}

/**
 * The values that point a chart's images at the mirror and give its pods the pull secrets.
 * Empty without a mirror and without pull secrets, so a stack that sets neither sends exactly
 * the values it sent before.
 */
export function imageValues(
  chart: ChartKey,
  images: ImagesConfig,
  values: Record<string, unknown> = {},
): Record<string, unknown> {
  const spec = CHART_IMAGES[chart];
  const out: Record<string, unknown> = {};
  if (images.registry !== undefined) {
    for (const img of spec.images) {
      if (img.mirrorOnlyWith !== undefined && valueAt(values, img.mirrorOnlyWith) === undefined) continue;
      for (const [path, value] of keyValues(img.key, mirrorImage(parseImage(img.image), images.registry))) {
        setAt(out, path, value);
      }
    }
    const extra = spec.mirrorValues?.(images.registry);
    if (extra !== undefined) Object.assign(out, deepMerge(out, extra));
  }
  if (images.pullSecrets.length > 0) {
    for (const p of spec.pullSecrets) {
      setAt(
        out,
        p.path,
        p.shape === "names" ? [...images.pullSecrets] : images.pullSecrets.map((name) => ({ name })),
      );
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `over` merged into `base`, objects key by key, anything else replaced. Neither is changed. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** A chart's values with its images pointed at the mirror and its pull secrets set. */
export function withImages(
  chart: ChartKey,
  values: Record<string, unknown>,
  images: ImagesConfig,
): Record<string, unknown> {
  const extra = imageValues(chart, images, values);
  return Object.keys(extra).length === 0 ? values : deepMerge(values, extra);
}

function valueAt(values: unknown, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split(".")) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function holds(values: unknown, c: ImageCondition): boolean {
  if ("anyOf" in c) return c.anyOf.some((a) => holds(values, a));
  const v = valueAt(values, c.path);
  if (v === undefined) return c.chartDefault;
  return v === true || (isPlainObject(v) && Object.keys(v).length > 0);
}

/**
 * The images a release of the chart pulls with the values the program sends, as the cluster
 * pulls them (mirrored when `images.registry` is set). The same list `imageValues` rewrites, so
 * the mirror job and the values cannot disagree.
 */
export function releaseImages(
  chart: ChartKey,
  values: Record<string, unknown>,
  images: ImagesConfig,
): { role: string; image: string }[] {
  return CHART_IMAGES[chart].images
    .filter((img) => (img.when ?? []).every((c) => holds(values, c)))
    .map((img) => ({
      role: img.role,
      image: formatImage(mirrorImage(parseImage(img.image), images.registry)),
    }));
}

/** The reference a pod the program declares itself pulls the image by. */
export function stackImage(ref: ImageRef, images: ImagesConfig): string {
  return formatImage(mirrorImage(ref, images.registry));
}

/** The `imagePullSecrets` of a pod spec the program declares itself; empty without pull secrets. */
export function podPullSecrets(images: ImagesConfig): { imagePullSecrets?: { name: string }[] } {
  return images.pullSecrets.length > 0
    ? { imagePullSecrets: images.pullSecrets.map((name) => ({ name })) }
    : {};
}
