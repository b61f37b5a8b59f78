import { expect } from "chai";
import { parseStackConfig } from "../components/core";
import { STACK_NAMESPACE_NAMES } from "../components/kit";
import { GRAFANA_POD, ISTIO_CERTS_DIR } from "../components/monitoring";
import { DeclaredResource, ProgramRun } from "../tools/lib/run-program";
import { validateCustomResource } from "./lib/crd-schema";
import { requireUpstream } from "./lib/upstream";
import { find, release, releases, run, stackInput, stackRawConfig, valueOf } from "./lib/helpers";

const ISTIO_GROUP = /^kubernetes:[a-z.]+\.istio\.io\//;
const MONITOR = /^kubernetes:monitoring\.coreos\.com\//;

function customResources(r: ProgramRun, type: RegExp): DeclaredResource[] {
  return r.resources.filter((x) => type.test(x.type));
}

const wide = {
  mesh: {
    injectNamespaces: ["shop"],
    mtls: {
      mode: "STRICT",
      strictNamespaces: ["payments"],
      exceptions: [{ namespace: "legacy", reason: "clients outside the mesh" }],
    },
    authorization: { defaultDenyNamespaces: ["shop", "monitoring"] },
    // Plain HTTP on a LoadBalancer is refused; inside the cluster the mesh's Grafana route stays.
    gateway: { serviceType: "ClusterIP" },
    grafanaGateway: { enabled: true, hosts: ["grafana.example.com"] },
    tracing: { enabled: true },
    canaries: [
      {
        name: "reviews",
        namespace: "shop",
        match: { headers: { "end-user": "test-user" } },
        weights: { stable: 90, canary: 10 },
      },
    ],
  },
};

describe("the mesh under mocks", () => {
  let dev: ProgramRun;
  let prod: ProgramRun;
  let full: ProgramRun;

  before(async () => {
    // Grafana behind the mesh's own route (dev's stack file leaves it to the front door).
    dev = await run(stackInput("dev", { mesh: { grafanaGateway: { enabled: true } } }));
    prod = await run(stackInput("prod"));
    full = await run(stackInput("prod", wide));
  });

  it("installs base, then istiod, then the gateway, each in its namespace", () => {
    for (const r of [dev, prod]) {
      expect(release(r.resources, "istio-base").dependsOn).to.deep.equal(["ns-istio-system"]);
      expect(release(r.resources, "istiod").dependsOn).to.deep.equal(["ns-istio-system", "istio-base"]);
      expect(release(r.resources, "istio-ingressgateway").dependsOn).to.deep.equal([
        "ns-istio-ingress",
        "istiod",
      ]);
      expect(release(r.resources, "istio-ingressgateway").inputs["namespace"]).to.equal("istio-ingress");
    }
    const names = releases(dev.resources).map((x) => x.name);
    expect(names.indexOf("istio-base")).to.be.lessThan(names.indexOf("istiod"));
    expect(names.indexOf("istiod")).to.be.lessThan(names.indexOf("istio-ingressgateway"));
  });

  it("starts kube-prometheus-stack after istiod, whose injector Prometheus's and Grafana's pods need", () => {
    expect(release(prod.resources, "kube-prometheus-stack").dependsOn).to.include("istiod");
  });

  it("gives the gateway a ClusterIP Service on kind and a LoadBalancer on cloud", () => {
    expect(valueOf(release(dev.resources, "istio-ingressgateway"), "service.type")).to.equal("ClusterIP");
    expect(valueOf(release(prod.resources, "istio-ingressgateway"), "service.type")).to.equal("LoadBalancer");
  });

  it("makes every Istio resource wait for its CRD (base) and webhook (istiod), in an explicit namespace", () => {
    for (const r of [dev, prod, full]) {
      const istio = customResources(r, ISTIO_GROUP);
      expect(istio.length).to.be.greaterThan(3);
      for (const x of istio) {
        expect(x.dependsOn, x.name).to.include.members(["istio-base", "istiod"]);
        expect((x.inputs["metadata"] as { namespace?: unknown }).namespace, x.name).to.be.a("string");
      }
    }
  });

  it("makes every monitor wait for the prometheus-operator CRDs", () => {
    const monitors = customResources(full, MONITOR);
    expect(monitors.map((m) => m.name)).to.deep.equal([
      "observability-service-alerts",
      "observability-workload-alerts",
      "observability-stack-alerts",
      "observability-routing",
      "servicemonitor-istio-system-istiod",
      "podmonitor-istio-system-envoy-stats",
      "observability-loki-servicemonitor",
      "observability-alloy-servicemonitor",
      "observability-tracing-jaeger-servicemonitor",
      "observability-tracing-collector-servicemonitor",
    ]);
    for (const m of monitors) expect(m.dependsOn, m.name).to.include("prometheus-operator-crds");
  });

  it("declares only custom resources that validate against the CRDs in ../shared/crds", function () {
    requireUpstream(this, "crds");
    for (const r of [dev, prod, full]) {
      for (const x of [...customResources(r, ISTIO_GROUP), ...customResources(r, MONITOR)]) {
        expect(validateCustomResource(x.inputs), x.name).to.deep.equal([]);
      }
    }
  });

  it("is STRICT mesh-wide in prod and PERMISSIVE in dev", () => {
    const mode = (r: ProgramRun) =>
      find(
        r.resources,
        "kubernetes:security.istio.io/v1:PeerAuthentication",
        "peerauthentication-istio-system-default",
      ).inputs["spec"];
    expect(mode(prod)).to.deep.equal({ mtls: { mode: "STRICT" } });
    expect(mode(dev)).to.deep.equal({ mtls: { mode: "PERMISSIVE" } });
    expect(prod.outputs["mesh"]).to.include({ mtlsMode: "STRICT" });
  });

  it("keeps Prometheus scraping under STRICT: its certificate, the https Grafana monitor, the allow rules", () => {
    const kps = release(full.resources, "kube-prometheus-stack");
    expect(valueOf(kps, "prometheus.prometheusSpec.podMetadata.labels")).to.deep.equal({
      "sidecar.istio.io/inject": "true",
      "security.istio.io/tlsMode": "disabled",
    });
    expect(valueOf(kps, "prometheus.prometheusSpec.volumeMounts")).to.deep.equal([
      { name: "istio-certs", mountPath: "/etc/prom-certs", readOnly: true },
    ]);
    expect(valueOf(kps, "grafana.serviceMonitor.scheme")).to.equal("https");
    expect(valueOf(kps, "grafana.serviceMonitor.tlsConfig.certFile")).to.equal(
      "/etc/prom-certs/cert-chain.pem",
    );
    const grafanaPolicy = find(
      full.resources,
      "kubernetes:security.istio.io/v1:AuthorizationPolicy",
      "authorizationpolicy-monitoring-grafana",
    );
    expect(JSON.stringify(grafanaPolicy.inputs["spec"])).to.include(
      "cluster.local/ns/monitoring/sa/kube-prometheus-stack-prometheus",
    );
    const scrape = find(
      full.resources,
      "kubernetes:security.istio.io/v1:AuthorizationPolicy",
      "authorizationpolicy-shop-allow-prometheus-scrape",
    );
    expect(scrape.inputs["spec"]).to.deep.equal({
      action: "ALLOW",
      rules: [
        {
          from: [
            { source: { principals: ["cluster.local/ns/monitoring/sa/kube-prometheus-stack-prometheus"] } },
          ],
          to: [{ operation: { methods: ["GET"] } }],
        },
      ],
    });
  });

  it("declares the configured policies, injection labels, tracing and canary routes", () => {
    const names = (type: string) => full.resources.filter((x) => x.type === type).map((x) => x.name);
    expect(names("kubernetes:security.istio.io/v1:PeerAuthentication")).to.deep.equal([
      "peerauthentication-istio-system-default",
      "peerauthentication-payments-default",
      "peerauthentication-legacy-default",
      "peerauthentication-monitoring-grafana",
    ]);
    expect(names("kubernetes:security.istio.io/v1:AuthorizationPolicy")).to.deep.equal([
      // prod signs on: the gateway's CUSTOM policy sends the UIs without a login to oauth2-proxy.
      "authorizationpolicy-istio-ingress-sign-on",
      "authorizationpolicy-shop-default-deny",
      "authorizationpolicy-shop-allow-prometheus-scrape",
      "authorizationpolicy-monitoring-default-deny",
      "authorizationpolicy-monitoring-allow-prometheus-scrape",
      "authorizationpolicy-monitoring-grafana",
    ]);
    const patch = find(full.resources, "kubernetes:core/v1:NamespacePatch", "observability-mesh-inject-shop");
    expect(patch.inputs["metadata"]).to.deep.equal({
      name: "shop",
      labels: { "istio-injection": "enabled" },
    });
    expect(patch.dependsOn).to.deep.equal(["istiod"]);
    expect(patch.parent).to.equal("observability-mesh");

    const telemetry = find(
      full.resources,
      "kubernetes:telemetry.istio.io/v1:Telemetry",
      "telemetry-istio-system-mesh-default",
    );
    expect(telemetry.inputs["spec"]).to.deep.equal({
      accessLogging: [{ providers: [{ name: "envoy" }], disabled: true }],
      tracing: [{ providers: [{ name: "otel-tracing" }], randomSamplingPercentage: 1 }],
    });
    // The mesh's own tracing provider first, then the ones other parts contribute (sign-on's).
    const providers = valueOf(release(full.resources, "istiod"), "meshConfig.extensionProviders") as {
      name: string;
    }[];
    expect(providers[0]).to.deep.equal({
      name: "otel-tracing",
      opentelemetry: { service: "otlp.tracing.svc.cluster.local", port: 4317 },
    });
    expect(providers.map((p) => p.name)).to.deep.equal(["otel-tracing", "sign-on-oauth2-proxy"]);

    const parents = Object.fromEntries(
      full.resources
        .filter((x) => x.name.includes("shop-reviews") || x.name.includes("canary"))
        .map((x) => [x.name, x.parent]),
    );
    expect(parents).to.deep.equal({
      "observability-canary-shop-reviews": "observability",
      "destinationrule-shop-reviews": "observability-canary-shop-reviews",
      "virtualservice-shop-reviews": "observability-canary-shop-reviews",
    });
    expect(
      find(full.resources, "kubernetes:networking.istio.io/v1:VirtualService", "virtualservice-shop-reviews")
        .dependsOn,
    ).to.deep.equal(["istio-base", "istiod", "destinationrule-shop-reviews"]);
  });

  it("exports how to reach the gateway and Grafana behind it", () => {
    expect(dev.outputs["mesh"]).to.deep.equal({
      namespace: "istio-system",
      mtlsMode: "PERMISSIVE",
      injectNamespaces: [],
      gateway: {
        namespace: "istio-ingress",
        service: "istio-ingressgateway",
        serviceType: "ClusterIP",
        portForward: "kubectl -n istio-ingress port-forward svc/istio-ingressgateway 8080:80",
      },
      grafanaUrl: "http://localhost:8080",
    });
    expect(full.outputs["mesh"]).to.include({ grafanaUrl: "http://grafana.example.com" });
    expect(
      find(full.resources, "kubernetes:networking.istio.io/v1:Gateway", "gateway-istio-ingress-grafana")
        .inputs["spec"],
    ).to.deep.include({
      servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["grafana.example.com"] }],
    });
  });

  it("declares nothing of the mesh when it is off, and kube-prometheus-stack does not wait for it", async () => {
    const off = await run(stackInput("dev", { mesh: { enabled: false } }));
    expect(
      off.resources.filter((x) => x.type.includes("istio.io") || x.name.startsWith("istio")),
    ).to.deep.equal([]);
    expect(customResources(off, MONITOR).filter((m) => /istio|envoy/.test(m.name))).to.deep.equal([]);
    const kps = release(off.resources, "kube-prometheus-stack");
    expect(kps.dependsOn).to.not.include("istiod");
    expect(valueOf(kps, "prometheus.prometheusSpec.podMetadata")).to.equal(undefined);
    expect(valueOf(kps, "grafana.podLabels")).to.equal(undefined);
    expect(off.outputs["mesh"]).to.equal(null);
  });

  it("keeps the mesh valid without Prometheus or the gateway", async () => {
    const r = await run(
      stackInput("dev", {
        prometheus: { enabled: false },
        grafana: { enabled: false },
        mesh: { gateway: { enabled: false }, authorization: { defaultDenyNamespaces: ["shop"] } },
      }),
    );
    expect(releases(r.resources).map((x) => x.name)).to.deep.equal([
      "istio-base",
      "istiod",
      "metrics-server",
      "loki",
      "alloy",
      "jaeger",
    ]);
    expect(customResources(r, MONITOR)).to.deep.equal([]);
    expect(customResources(r, ISTIO_GROUP).map((x) => x.name)).to.deep.equal([
      "peerauthentication-istio-system-default",
      "authorizationpolicy-shop-default-deny",
      "telemetry-istio-system-mesh-default",
    ]);
    expect(r.outputs["namespaces"]).to.deep.equal(["logging", "tracing", "istio-system"]);
  });

  it("refuses to label any of the stack's own namespaces for injection", () => {
    for (const ns of Object.values(STACK_NAMESPACE_NAMES)) {
      const raw = { ...stackRawConfig("dev"), mesh: { injectNamespaces: [ns] } };
      expect(() => parseStackConfig(raw), ns).to.throw("mesh.injectNamespaces[0]");
    }
  });
});

/** A PeerAuthentication as the program declares it. */
interface PeerAuthenticationInputs {
  metadata: { name: string; namespace: string };
  spec: { selector?: { matchLabels: Record<string, string> }; mtls: { mode: string } };
}

/**
 * The mTLS mode Istio applies to a pod, by its precedence: a policy in the pod's namespace whose
 * selector matches the pod, then the namespace's policy without a selector, then the root
 * namespace's (mesh-wide) one; PERMISSIVE when there is none.
 */
function effectiveMtls(r: ProgramRun, namespace: string, podLabels: Record<string, string>): string {
  const policies = r.resources
    .filter((x) => x.type === "kubernetes:security.istio.io/v1:PeerAuthentication")
    .map((x) => x.inputs as unknown as PeerAuthenticationInputs);
  const matches = (p: PeerAuthenticationInputs) =>
    Object.entries(p.spec.selector?.matchLabels ?? {}).every(([k, v]) => podLabels[k] === v);
  const inNamespace = (ns: string) => policies.filter((p) => p.metadata.namespace === ns);
  const chosen =
    inNamespace(namespace).find((p) => p.spec.selector !== undefined && matches(p)) ??
    inNamespace(namespace).find((p) => p.spec.selector === undefined) ??
    inNamespace("istio-system").find((p) => p.spec.selector === undefined);
  return chosen?.spec.mtls.mode ?? "PERMISSIVE";
}

/** Whether a monitor endpoint presents Prometheus's Istio certificate. */
function carriesIstioCertificate(endpoint: unknown): boolean {
  const tls = (endpoint as { tlsConfig?: { certFile?: string } } | undefined)?.tlsConfig;
  return tls?.certFile?.startsWith(`${ISTIO_CERTS_DIR}/`) === true;
}

describe("Prometheus scrapes with its Istio certificate only what is STRICT", () => {
  // Under PERMISSIVE (or DISABLE) a sidecar terminates mTLS only for clients that offer Istio's
  // ALPN, which Prometheus does not: its TLS goes through to the plain-HTTP port and the scrape
  // fails (istio/istio#38720). So every target it scrapes with the certificate must be STRICT.
  const cases: [string, ReturnType<typeof stackInput>][] = [
    ["dev (PERMISSIVE mesh)", stackInput("dev", { mesh: { grafanaGateway: { enabled: true } } })],
    [
      "prod (STRICT mesh)",
      stackInput("prod", {
        mesh: {
          mtls: { mode: "STRICT" },
          gateway: { serviceType: "ClusterIP" },
          grafanaGateway: { enabled: true },
        },
      }),
    ],
    [
      "prod with monitoring a PERMISSIVE exception",
      stackInput("prod", {
        mesh: {
          mtls: { mode: "STRICT", exceptions: [{ namespace: "monitoring", reason: "legacy scrapers" }] },
          gateway: { serviceType: "ClusterIP" },
          grafanaGateway: { enabled: true },
        },
      }),
    ],
    [
      "prod with monitoring a DISABLE exception",
      stackInput("prod", {
        mesh: {
          mtls: {
            mode: "STRICT",
            exceptions: [{ namespace: "monitoring", mode: "DISABLE", reason: "legacy scrapers" }],
          },
          gateway: { serviceType: "ClusterIP" },
          grafanaGateway: { enabled: true },
        },
      }),
    ],
  ];

  for (const [title, input] of cases) {
    it(`in ${title}: Grafana's https ServiceMonitor meets a STRICT Grafana sidecar`, async () => {
      const r = await run(input);
      const kps = release(r.resources, "kube-prometheus-stack");
      expect(valueOf(kps, "grafana.podLabels")).to.deep.equal({ "sidecar.istio.io/inject": "true" });
      const monitor = valueOf(kps, "grafana.serviceMonitor");
      expect(carriesIstioCertificate(monitor), "Grafana's monitor presents the certificate").to.equal(true);
      expect(effectiveMtls(r, "monitoring", { ...GRAFANA_POD.selector })).to.equal("STRICT");
      const policy = find(
        r.resources,
        "kubernetes:security.istio.io/v1:PeerAuthentication",
        "peerauthentication-monitoring-grafana",
      );
      expect(policy.inputs["spec"]).to.deep.equal({
        selector: { matchLabels: { ...GRAFANA_POD.selector } },
        mtls: { mode: "STRICT" },
      });
      // No monitor the program declares itself scrapes with the certificate (istiod has no sidecar;
      // sidecars' merged metrics on 15020 are plain HTTP): a new one needs its own STRICT rule here.
      const monitors = customResources(r, MONITOR).filter((m) => {
        const spec = m.inputs["spec"] as { endpoints?: unknown[]; podMetricsEndpoints?: unknown[] };
        return [...(spec.endpoints ?? []), ...(spec.podMetricsEndpoints ?? [])].some(carriesIstioCertificate);
      });
      expect(monitors.map((m) => m.name)).to.deep.equal([]);
    });
  }

  it("without a Grafana sidecar: a plain-HTTP scrape and no workload policy", async () => {
    const r = await run(stackInput("dev", { mesh: { grafanaGateway: { enabled: false } } }));
    const kps = release(r.resources, "kube-prometheus-stack");
    expect(valueOf(kps, "grafana.podLabels")).to.equal(undefined);
    expect(carriesIstioCertificate(valueOf(kps, "grafana.serviceMonitor"))).to.equal(false);
    expect(
      r.resources.filter((x) => x.name === "peerauthentication-monitoring-grafana").map((x) => x.name),
    ).to.deep.equal([]);
  });
});
