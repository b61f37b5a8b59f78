import { expect } from "chai";
import { istioGatewayValues, istiodValues, TRACING_PROVIDER } from "../components/mesh";
import { ISTIO_SCRAPE_TLS, prometheusStackValues, prometheusStackValuesArgs } from "../components/monitoring";
import { validateCustomResource } from "./lib/crd-schema";
import { requireUpstream } from "./lib/upstream";
import { stackRawConfig } from "./lib/helpers";
import { StackConfig, parseStackConfig } from "../components/core";

const dev = parseStackConfig(stackRawConfig("dev"));
const prod = parseStackConfig(stackRawConfig("prod"));

function kps(cfg: StackConfig, mesh: boolean, grafanaSidecar = true): Record<string, unknown> {
  return prometheusStackValues(
    prometheusStackValuesArgs(cfg, "grafana-admin", mesh ? { grafanaSidecar } : undefined),
  );
}

function at(values: unknown, ...path: string[]): unknown {
  let cur = values;
  for (const p of path) cur = (cur as Record<string, unknown> | undefined)?.[p];
  return cur;
}

describe("istiod values", () => {
  it("size a single laptop istiod, with sidecar defaults and merged metrics, in dev", () => {
    expect(istiodValues({ mesh: dev.mesh, resources: dev.resources })).to.deep.equal({
      autoscaleEnabled: false,
      replicaCount: 1,
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
      global: {
        proxy: { resources: { requests: { cpu: "10m", memory: "48Mi" }, limits: { memory: "192Mi" } } },
        defaultPodDisruptionBudget: { enabled: false },
      },
      // The tracing part runs in dev, so the mesh sends its spans to the stack's OTLP endpoint.
      meshConfig: {
        enablePrometheusMerge: true,
        enableTracing: true,
        extensionProviders: [
          { name: "otel-tracing", opentelemetry: { service: "otlp.tracing.svc.cluster.local", port: 4317 } },
        ],
      },
    });
  });

  it("run two production-sized replicas under a disruption budget in prod", () => {
    const v = istiodValues({ mesh: prod.mesh, resources: prod.resources });
    expect(v["replicaCount"]).to.equal(2);
    expect(at(v, "resources", "requests")).to.deep.equal({ cpu: "500m", memory: "2Gi" });
    expect(at(v, "global", "defaultPodDisruptionBudget")).to.deep.equal({ enabled: true });
  });

  it("declare the OpenTelemetry provider only when tracing is on", () => {
    const on = parseStackConfig({
      ...stackRawConfig("dev"),
      mesh: { tracing: { enabled: true, endpoint: "otel.tracing.svc:4317" } },
    });
    expect(at(istiodValues({ mesh: on.mesh, resources: on.resources }), "meshConfig")).to.deep.equal({
      enablePrometheusMerge: true,
      enableTracing: true,
      extensionProviders: [
        { name: TRACING_PROVIDER, opentelemetry: { service: "otel.tracing.svc", port: 4317 } },
      ],
    });
  });
});

describe("gateway values", () => {
  it("use a ClusterIP Service on kind and one fixed replica", () => {
    expect(istioGatewayValues({ mesh: dev.mesh, resources: dev.resources })).to.deep.equal({
      replicaCount: 1,
      autoscaling: { enabled: false },
      resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      service: { type: "ClusterIP" },
    });
  });

  it("use a LoadBalancer and a disruption budget over two replicas on cloud", () => {
    const v = istioGatewayValues({ mesh: prod.mesh, resources: prod.resources });
    expect(v["service"]).to.deep.equal({ type: "LoadBalancer" });
    expect(v["replicaCount"]).to.equal(2);
    expect(v["podDisruptionBudget"]).to.deep.equal({ minAvailable: 1 });
  });
});

describe("Prometheus scraping under STRICT mTLS", () => {
  for (const [stack, cfg] of [
    ["dev", dev],
    ["prod", prod],
  ] as const) {
    it(`gives Prometheus a certificate-only Istio sidecar whose certificate it mounts (${stack})`, () => {
      const spec = at(kps(cfg, true), "prometheus", "prometheusSpec");
      const proxy = cfg.resources.istioProxy;
      expect(at(spec, "podMetadata")).to.deep.equal({
        labels: { "sidecar.istio.io/inject": "true", "security.istio.io/tlsMode": "disabled" },
        annotations: {
          "sidecar.istio.io/proxyCPU": proxy.cpu,
          "sidecar.istio.io/proxyMemory": proxy.memory,
          "sidecar.istio.io/proxyMemoryLimit": proxy.memoryLimit,
          "traffic.sidecar.istio.io/includeInboundPorts": "",
          "traffic.sidecar.istio.io/includeOutboundIPRanges": "",
          "proxy.istio.io/config": "proxyMetadata:\n  OUTPUT_CERTS: /etc/istio-output-certs\n",
          "sidecar.istio.io/userVolumeMount":
            '[{"name":"istio-certs","mountPath":"/etc/istio-output-certs"}]',
        },
      });
      expect(at(spec, "volumes")).to.deep.equal([{ name: "istio-certs", emptyDir: { medium: "Memory" } }]);
      expect(at(spec, "volumeMounts")).to.deep.equal([
        { name: "istio-certs", mountPath: "/etc/prom-certs", readOnly: true },
      ]);
    });
  }

  it("scrapes the meshed Grafana over https with that certificate", () => {
    const grafana = at(kps(prod, true), "grafana");
    expect(at(grafana, "podLabels")).to.deep.equal({ "sidecar.istio.io/inject": "true" });
    expect(at(grafana, "serviceMonitor")).to.deep.equal({
      scheme: "https",
      tlsConfig: {
        caFile: "/etc/prom-certs/root-cert.pem",
        certFile: "/etc/prom-certs/cert-chain.pem",
        keyFile: "/etc/prom-certs/key.pem",
        insecureSkipVerify: true,
      },
    });
  });

  it("leaves Grafana out of the mesh when it is not behind the gateway", () => {
    const grafana = at(kps(dev, true, false), "grafana") as Record<string, unknown>;
    expect(grafana).to.not.have.any.keys("podLabels", "podAnnotations", "serviceMonitor");
  });

  it("adds nothing of the mesh without it", () => {
    const values = kps(dev, false);
    expect(at(values, "prometheus", "prometheusSpec")).to.not.have.any.keys(
      "podMetadata",
      "volumes",
      "volumeMounts",
    );
    expect(at(values, "grafana")).to.not.have.any.keys("podLabels", "podAnnotations", "serviceMonitor");
  });

  it("gives application teams a tlsConfig that a ServiceMonitor accepts", function () {
    requireUpstream(this, "crds");
    const monitor = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "reviews", namespace: "shop" },
      spec: {
        selector: { matchLabels: { app: "reviews" } },
        endpoints: [{ port: "http-metrics", scheme: "https", tlsConfig: { ...ISTIO_SCRAPE_TLS } }],
      },
    };
    expect(validateCustomResource(monitor)).to.deep.equal([]);
  });
});
