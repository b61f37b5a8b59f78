/**
 * How a chart's images are described, and how the image mirror setting (`images.registry`) and
 * pull secrets turn into chart values. Each part lists its charts' images beside their pins
 * (`components/<part>/charts.ts`), read from the charts in ../shared/charts with `helm template`;
 * test/tools/images.test.ts renders them again and fails when a chart pulls an image its list
 * does not know.
 */
import { ImagesConfig } from "../config/images";
import { ChartPin } from "./catalogue";

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
 * and path kept under the mirror (`<mirror>/docker.io/grafana/loki:3.6.7`), the layout of
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

/** A chart as its part pins it: where it comes from, and every image it pulls at that version. */
export type Chart = ChartPin & ChartImages;

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
  spec: ChartImages,
  images: ImagesConfig,
  values: Record<string, unknown> = {},
): Record<string, unknown> {
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
  chart: ChartImages,
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
  chart: ChartImages,
  values: Record<string, unknown>,
  images: ImagesConfig,
): { role: string; image: string }[] {
  return chart.images
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
