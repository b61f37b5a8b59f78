/**
 * The done-when check of the image mirror: dev and prod, rendered with the real charts at their
 * pinned versions (`helm template` with the values the program sends), pull
 * no image from outside `images.registry` when it is set, every pod carries the pull secrets, and
 * the images rendered are exactly those `npm run images` lists; without the setting, the same
 * images from their public registries. The charts are the archives of ../shared/charts, the
 * repository `charts.mirror` would serve. Under CI=true a missing Helm or chart folder fails.
 */
import { expect } from "chai";
import { formatImage, parseImage, STACK_PULL_SECRET } from "../../components/kit";
import { declaredImages, imagesSetting, StackImage } from "../../tools/lib/images";
import {
  imagesOf,
  istioProxyImage,
  PulledImage,
  serviceAccountPullSecrets,
} from "../../tools/lib/rendered-images";
import { DeclaredResource } from "../../tools/lib/run-program";
import { HELM_RELEASE, run, stackInput } from "../lib/helpers";
import { RealCharts } from "../lib/real-charts";

const MIRROR = "registry.example.internal:5000/mirror";
const PULL_SECRET = "registry-credentials";
/** The mirror's credentials as the secret key imagePullSecret takes them. */
const DOCKER_CONFIG = JSON.stringify({
  auths: { "registry.example.internal:5000": { auth: Buffer.from("reader:secret").toString("base64") } },
});

/** The namespace of a rendered object: its own, or the release's, where Helm puts it. */
function namespaceOf(doc: unknown, fallback: string): string {
  const meta = (doc as { metadata?: { namespace?: unknown } } | null)?.metadata;
  return typeof meta?.namespace === "string" ? meta.namespace : fallback;
}

/** Every image the rendered charts and the program's own objects make the cluster pull. */
function renderedImages(charts: RealCharts, resources: readonly DeclaredResource[]): PulledImage[] {
  const pulled: PulledImage[] = [];
  for (const r of resources) {
    if (r.type === HELM_RELEASE) {
      const docs = charts.render(r);
      const accounts = serviceAccountPullSecrets(docs);
      pulled.push(...docs.flatMap((d) => imagesOf(d, accounts)));
      const proxy = istioProxyImage(docs);
      if (proxy !== undefined) pulled.push(proxy);
    } else if (r.custom) {
      pulled.push(...imagesOf(r.inputs));
    }
  }
  return pulled;
}

const distinct = (images: readonly string[]) => [...new Set(images)].sort();

interface Rendered {
  pulled: PulledImage[];
  listed: StackImage[];
}

describe("images, rendered with the real charts", function () {
  const charts = new RealCharts();
  const cache = new Map<string, Rendered>();

  before(function () {
    charts.start(this);
  });

  async function rendered(stack: string, mirrored: boolean): Promise<Rendered> {
    const key = `${stack}:${String(mirrored)}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const input = stackInput(
      stack,
      mirrored ? { images: { registry: MIRROR, pullSecrets: [PULL_SECRET] } } : {},
    );
    const { resources } = await run(input);
    const result = {
      pulled: renderedImages(charts, resources),
      listed: declaredImages(resources, imagesSetting(input)),
    };
    cache.set(key, result);
    return result;
  }

  for (const stack of ["dev", "prod"]) {
    it(`${stack} with imagePullSecret: every pod pulls with the program's Secret too, in a namespace that holds it`, async () => {
      const input = stackInput(
        stack,
        { images: { registry: MIRROR, pullSecrets: [PULL_SECRET] } },
        { imagePullSecret: DOCKER_CONFIG },
      );
      const { resources } = await run(input);
      const held = new Set(
        resources
          .filter((r) => r.inputs["type"] === "kubernetes.io/dockerconfigjson")
          .map((r) => (r.inputs["metadata"] as { namespace: string }).namespace),
      );
      // Each pulled image with the namespace its pod runs in; the injected proxy runs in every
      // meshed namespace, application namespaces included (which need a Secret of their own).
      const pods: (PulledImage & { namespace?: string })[] = [];
      for (const r of resources) {
        if (r.type === HELM_RELEASE) {
          const docs = charts.render(r);
          const accounts = serviceAccountPullSecrets(docs);
          const namespace = r.inputs["namespace"] as string;
          for (const d of docs) {
            pods.push(...imagesOf(d, accounts).map((p) => ({ ...p, namespace: namespaceOf(d, namespace) })));
          }
          const proxy = istioProxyImage(docs);
          if (proxy !== undefined) pods.push(proxy);
        } else if (r.custom) {
          pods.push(...imagesOf(r.inputs).map((p) => ({ ...p, namespace: namespaceOf(r.inputs, "?") })));
        }
      }
      const withSecrets = pods.filter((p) => p.pullSecrets !== undefined);
      expect(withSecrets.length).to.be.greaterThan(0);
      const lacking = withSecrets
        .filter(
          (p) =>
            !(p.pullSecrets ?? []).includes(STACK_PULL_SECRET) ||
            !(p.pullSecrets ?? []).includes(PULL_SECRET) ||
            (p.namespace !== undefined && !held.has(p.namespace)),
        )
        .map(
          (p) =>
            `${p.image} (${p.from}) in ${p.namespace ?? "any meshed namespace"}: ${(p.pullSecrets ?? []).join(", ")}`,
        );
      expect(lacking, "pods without the program's pull Secret, or in a namespace without it").to.deep.equal(
        [],
      );
    });

    it(`${stack} with images.registry pulls 0 images from outside the mirror, each with the pull secret`, async () => {
      const { pulled } = await rendered(stack, true);
      const outside = pulled
        .filter((p) => !p.image.startsWith(`${MIRROR}/`))
        .map((p) => `${p.image} (${p.from})`);
      expect(outside, "images pulled from outside the mirror").to.deep.equal([]);
      const noSecret = pulled
        .filter((p) => p.pullSecrets !== undefined && !p.pullSecrets.includes(PULL_SECRET))
        .map((p) => `${p.image} (${p.from})`);
      expect(noSecret, "pods without the pull secret").to.deep.equal([]);
      console.log(
        `      ${stack}: ${distinct(pulled.map((p) => p.image)).length} images, all under ${MIRROR}`,
      );
    });

    it(`${stack} with images.registry pulls exactly what npm run images lists`, async () => {
      const { pulled, listed } = await rendered(stack, true);
      expect(distinct(pulled.map((p) => p.image))).to.deep.equal(listed.map((i) => i.image));
    });

    it(`${stack} without images.registry pulls the same images from their public registries`, async () => {
      const pub = await rendered(stack, false);
      const mirrored = await rendered(stack, true);
      // The runtime reads `jaegertracing/jaeger:2.19.0` as `docker.io/jaegertracing/jaeger:2.19.0`.
      const pulled = distinct(pub.pulled.map((p) => formatImage(parseImage(p.image))));
      expect(pulled).to.deep.equal(pub.listed.map((i) => i.image));
      expect(mirrored.listed.map((i) => i.source)).to.deep.equal(pulled);
      expect(mirrored.listed.map((i) => i.image)).to.deep.equal(pulled.map((i) => `${MIRROR}/${i}`));
      console.log(`      ${stack}: ${pulled.length} images from public registries`);
    });
  }
});
