import { expect } from "chai";
import { CHARTS } from "../components/core";
import {
  formatImage,
  imageValues,
  mirrorImage,
  parseImage,
  PUBLIC_IMAGES,
  releaseImages,
  withImages,
} from "../components/kit";
import { parseStackConfig } from "../components/core";
import { declaredImages } from "../tools/lib/images";
import { errorFor } from "./lib/config-error";
import { plan, releases, run, stackInput } from "./lib/helpers";

const kind = { cluster: { type: "kind", context: "kind-observability" } };
const MIRROR = { registry: "registry.example.com/mirror", pullSecrets: [] };

describe("image references", () => {
  it("make Docker Hub's implicit registry and library/ explicit", () => {
    expect(parseImage("memcached:1.6.39-alpine")).to.deep.equal({
      registry: "docker.io",
      repository: "library/memcached",
      tag: "1.6.39-alpine",
    });
    expect(formatImage(parseImage("jaegertracing/jaeger:2.19.0"))).to.equal(
      "docker.io/jaegertracing/jaeger:2.19.0",
    );
    expect(formatImage(parseImage("busybox"))).to.equal("docker.io/library/busybox:latest");
  });

  it("keep a registry with a dot or a port, and a digest", () => {
    expect(parseImage("localhost:5000/a/b:1")).to.deep.equal({
      registry: "localhost:5000",
      repository: "a/b",
      tag: "1",
    });
    const pinned = "quay.io/prometheus-operator/prometheus-config-reloader:v0.91.0@sha256:7d9e";
    expect(parseImage(pinned)).to.deep.equal({
      registry: "quay.io",
      repository: "prometheus-operator/prometheus-config-reloader",
      tag: "v0.91.0",
      digest: "sha256:7d9e",
    });
    expect(formatImage(parseImage(pinned))).to.equal(pinned);
  });

  it("keep the upstream registry and path under the mirror", () => {
    const loki = parseImage("docker.io/grafana/loki:3.7.6");
    expect(formatImage(mirrorImage(loki, "registry.example.com/mirror"))).to.equal(
      "registry.example.com/mirror/docker.io/grafana/loki:3.7.6",
    );
    expect(mirrorImage(loki, undefined)).to.equal(loki);
  });

  it("list each chart image fully qualified, so the mirror path is the upstream one", () => {
    for (const [chart, spec] of Object.entries(CHARTS)) {
      for (const img of spec.images) expect(formatImage(parseImage(img.image)), chart).to.equal(img.image);
    }
  });
});

describe("image values", () => {
  it("are empty without a mirror and pull secrets, so the values stay exactly as they were", () => {
    const values = { a: { b: 1 } };
    for (const [key, chart] of Object.entries(CHARTS)) {
      expect(imageValues(chart, PUBLIC_IMAGES), key).to.deep.equal({});
      expect(withImages(chart, values, PUBLIC_IMAGES), key).to.equal(values);
    }
  });

  it("set registry and repository per image for charts that split them", () => {
    const v = imageValues(CHARTS.loki, MIRROR);
    expect(v["loki"]).to.deep.equal({
      image: { registry: "registry.example.com/mirror/docker.io", repository: "grafana/loki" },
    });
    expect(v["memcached"]).to.deep.equal({
      image: { registry: "registry.example.com/mirror/docker.io", repository: "library/memcached" },
    });
  });

  it("set the whole repository where the chart keeps the registry in it", () => {
    expect(imageValues(CHARTS.metricsServer, MIRROR)["image"]).to.deep.equal({
      repository: "registry.example.com/mirror/registry.k8s.io/metrics-server/metrics-server",
    });
  });

  it("point Istio's hub, which names the injected proxy too, at the mirror", () => {
    expect(imageValues(CHARTS.istiod, MIRROR)).to.deep.equal({
      global: { hub: "registry.example.com/mirror/docker.io/istio" },
    });
  });

  it("point ECK's default registry for the Elastic Stack at the mirror", () => {
    const v = imageValues(CHARTS.eckOperator, MIRROR);
    expect(v["config"]).to.deep.equal({ containerRegistry: "registry.example.com/mirror/docker.elastic.co" });
    expect(v["image"]).to.deep.equal({
      repository: "registry.example.com/mirror/docker.elastic.co/eck/eck-operator",
    });
  });

  it("give every chart's pods the pull secrets, in the shape each chart takes", () => {
    const images = { pullSecrets: ["a", "b"] };
    expect(imageValues(CHARTS.kubePrometheusStack, images)).to.deep.equal({
      global: { imagePullSecrets: [{ name: "a" }, { name: "b" }] },
    });
    expect(imageValues(CHARTS.istiod, images)).to.deep.equal({ global: { imagePullSecrets: ["a", "b"] } });
    expect(imageValues(CHARTS.jaeger, images)).to.deep.equal({
      jaeger: { image: { pullSecrets: ["a", "b"] } },
      esIndexCleaner: { image: { pullSecrets: ["a", "b"] } },
      esRollover: { image: { pullSecrets: ["a", "b"] } },
    });
  });

  it("set no Thanos sidecar image where Prometheus has no Thanos: setting it would add the sidecar", () => {
    expect(imageValues(CHARTS.kubePrometheusStack, MIRROR)["prometheus"]).to.not.have.nested.property(
      "prometheusSpec.thanos",
    );
    const withThanos = imageValues(CHARTS.kubePrometheusStack, MIRROR, {
      prometheus: { prometheusSpec: { thanos: { objectStorageConfig: {} } } },
    });
    expect(withThanos).to.have.nested.property(
      "prometheus.prometheusSpec.thanos.image.registry",
      "registry.example.com/mirror/quay.io",
    );
  });

  it("merge over the values builder's own keys and leave the rest", () => {
    const merged = withImages(
      CHARTS.opentelemetryCollector,
      { mode: "deployment", image: { repository: "otel/x" } },
      MIRROR,
    );
    expect(merged).to.deep.equal({
      mode: "deployment",
      image: { repository: "registry.example.com/mirror/docker.io/otel/opentelemetry-collector-k8s" },
    });
  });

  it("list an image only when the values switch it on, with the chart's default otherwise", () => {
    const roles = (values: Record<string, unknown>) =>
      releaseImages(CHARTS.loki, values, PUBLIC_IMAGES).map((i) => i.image);
    expect(
      roles({
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        sidecar: { rules: { enabled: false } },
        gateway: { metrics: { enabled: false } },
      }),
    ).to.deep.equal(["docker.io/grafana/loki:3.7.6", "docker.io/nginxinc/nginx-unprivileged:1.31-alpine"]);
    const cachesOn = { resultsCache: { enabled: false }, lokiCanary: { enabled: false } };
    expect(roles(cachesOn)).to.include("docker.io/library/memcached:1.6.45-alpine");
    expect(roles(cachesOn)).to.include("ghcr.io/jkroepke/access-log-exporter:0.4.11");
  });
});

describe("images config", () => {
  it("defaults to public registries and no pull secrets", () => {
    expect(parseStackConfig(kind).images).to.deep.equal({ pullSecrets: [] });
  });

  it("reads a mirror and pull secrets", () => {
    const cfg = parseStackConfig({
      ...kind,
      images: { registry: "registry.example.com:5000/mirror", pullSecrets: ["registry-credentials"] },
    });
    expect(cfg.images).to.deep.equal({
      registry: "registry.example.com:5000/mirror",
      pullSecrets: ["registry-credentials"],
    });
  });

  it("refuses a registry with a scheme, naming the key and the value to set", () => {
    expect(errorFor({ ...kind, images: { registry: "https://registry.example.com/mirror/" } })).to.equal(
      'Invalid stack config: images.registry: must be a registry host and path without a scheme, got "https://registry.example.com/mirror/"; drop the scheme, e.g. `pulumi config set --path images.registry registry.example.com/mirror`',
    );
  });

  it("refuses a registry that the runtime would read as a Docker Hub user", () => {
    expect(errorFor({ ...kind, images: { registry: "mirror" } })).to.equal(
      'Invalid stack config: images.registry: must be a registry host (with a dot or a port) and an optional lower-case path, such as registry.example.com/mirror, got "mirror"; set e.g. `pulumi config set --path images.registry registry.example.com/mirror`',
    );
  });

  it("refuses a pull secret that is no Secret name, and an unknown key", () => {
    expect(errorFor({ ...kind, images: { pullSecrets: ["Bad_Name"], mirror: "x" } })).to.equal(
      [
        "Invalid stack config (2 problems):",
        "  - images.pullSecrets[0]: must be the name of a Secret of type kubernetes.io/dockerconfigjson, got \"Bad_Name\"; set e.g. `pulumi config set --path 'images.pullSecrets[0]' registry-credentials`",
        "  - images.mirror: is not a known key; remove it or use one of: pullSecrets, registry",
      ].join("\n"),
    );
  });
});

describe("images in the program", () => {
  it("are the public ones in dev and prod, with no image settings in the values", async () => {
    for (const stack of ["dev", "prod"]) {
      const p = await plan(stack);
      const text = JSON.stringify(releases(p.resources as never));
      expect(text, stack).to.not.include("imagePullSecrets");
      expect(text, stack).to.not.include('"hub"');
    }
  });

  it("come from the mirror for the program's own ECK resources and Job, with the pull secrets", async () => {
    const input = stackInput("prod", {
      images: { registry: "registry.example.com/mirror", pullSecrets: ["creds"] },
    });
    const { resources } = await run(input);
    const listed = declaredImages(resources, {
      registry: "registry.example.com/mirror",
      pullSecrets: ["creds"],
    });
    const own = listed.filter((i) => i.pulledBy.some((b) => /^(Elasticsearch|Kibana|Beat|Job)\//.test(b)));
    expect(own.map((i) => i.image)).to.deep.equal([
      "registry.example.com/mirror/docker.elastic.co/beats/filebeat:9.5.0",
      "registry.example.com/mirror/docker.elastic.co/elasticsearch/elasticsearch:9.5.0",
      "registry.example.com/mirror/docker.elastic.co/kibana/kibana:9.5.0",
    ]);
    expect(own.map((i) => i.source)).to.deep.equal([
      "docker.elastic.co/beats/filebeat:9.5.0",
      "docker.elastic.co/elasticsearch/elasticsearch:9.5.0",
      "docker.elastic.co/kibana/kibana:9.5.0",
    ]);
  });
});
