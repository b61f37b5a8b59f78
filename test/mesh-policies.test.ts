import { expect } from "chai";
import {
  authorizationPolicies,
  canaryDestinationRule,
  canaryProblems,
  canaryVirtualService,
  CustomResourceObject,
  envoyPodMonitor,
  grafanaRoute,
  istiodServiceMonitor,
  meshTelemetry,
  peerAuthentications,
  principal,
} from "../components/mesh";
import type { MtlsConfig } from "../components/mesh";
import { validateCustomResource } from "./lib/crd-schema";
import { requireUpstream } from "./lib/upstream";

const labels = {
  "app.kubernetes.io/part-of": "observability-stack",
  "app.kubernetes.io/managed-by": "pulumi",
};
const prometheus = principal("monitoring", "kube-prometheus-stack-prometheus");
const grafana = {
  namespace: "monitoring",
  selector: { "app.kubernetes.io/name": "grafana" },
  port: 3000,
  metricsPath: "/metrics",
  gatewayPrincipal: principal("istio-ingress", "istio-ingressgateway"),
};

/** Every object these builders make, with a wide config, for the schema check. */
function everyObject(): CustomResourceObject[] {
  return [
    ...peerAuthentications(
      {
        mode: "STRICT",
        strictNamespaces: ["payments"],
        exceptions: [{ namespace: "legacy", mode: "DISABLE", reason: "no sidecars yet" }],
      },
      [{ name: "grafana", namespace: "monitoring", selector: { "app.kubernetes.io/name": "grafana" } }],
    ),
    ...authorizationPolicies({ defaultDenyNamespaces: ["shop"], prometheusPrincipal: prometheus, grafana }),
    meshTelemetry({ accessLogs: true, tracing: { provider: "otel-tracing", samplingPercentage: 0.5 } }),
    ...grafanaRoute({
      gatewayNamespace: "istio-ingress",
      gatewaySelector: { istio: "ingressgateway" },
      hosts: ["grafana.example.com"],
      grafana: { namespace: "monitoring", service: "kube-prometheus-stack-grafana", port: 80 },
    }),
    istiodServiceMonitor("istio-system"),
    envoyPodMonitor("istio-system"),
    canaryDestinationRule({ name: "reviews", namespace: "shop", weights: { stable: 90, canary: 10 } }),
    canaryVirtualService({
      name: "reviews",
      namespace: "shop",
      match: { headers: { "end-user": "test-user" } },
      weights: { stable: 90, canary: 10 },
    }),
  ];
}

describe("mesh policies", () => {
  it("make the root namespace's policy the mesh-wide mode, and add STRICT namespaces and exceptions", () => {
    expect(peerAuthentications({ mode: "STRICT", strictNamespaces: [], exceptions: [] })).to.deep.equal([
      {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: { name: "default", namespace: "istio-system", labels },
        spec: { mtls: { mode: "STRICT" } },
      },
    ]);
    const more = peerAuthentications({
      mode: "PERMISSIVE",
      strictNamespaces: ["payments"],
      exceptions: [{ namespace: "legacy", mode: "PERMISSIVE", reason: "clients outside the mesh" }],
    });
    expect(more.map((p) => [p.metadata.namespace, p.spec])).to.deep.equal([
      ["istio-system", { mtls: { mode: "PERMISSIVE" } }],
      ["payments", { mtls: { mode: "STRICT" } }],
      ["legacy", { mtls: { mode: "PERMISSIVE" } }],
    ]);
    expect(more[2]?.metadata.annotations).to.deep.equal({
      "observability-stack/mtls-exception-reason": "clients outside the mesh",
    });
  });

  it("make a workload Prometheus scrapes with its certificate STRICT, whatever its namespace's mode", () => {
    const grafanaPods = { "app.kubernetes.io/name": "grafana" };
    const modes: MtlsConfig[] = [
      { mode: "PERMISSIVE", strictNamespaces: [], exceptions: [] },
      { mode: "STRICT", strictNamespaces: [], exceptions: [] },
      {
        mode: "STRICT",
        strictNamespaces: [],
        exceptions: [{ namespace: "monitoring", mode: "DISABLE", reason: "legacy" }],
      },
    ];
    for (const mtls of modes) {
      const policies = peerAuthentications(mtls, [
        { name: "grafana", namespace: "monitoring", selector: grafanaPods },
      ]);
      expect(policies.at(-1), mtls.mode).to.deep.equal({
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: {
          name: "grafana",
          namespace: "monitoring",
          labels,
          annotations: {
            "observability-stack/mtls-strict-reason":
              "Prometheus scrapes it with its Istio certificate, which only STRICT accepts (a PERMISSIVE sidecar passes that TLS through to the plain-HTTP port)",
          },
        },
        spec: { selector: { matchLabels: grafanaPods }, mtls: { mode: "STRICT" } },
      });
    }
    expect(peerAuthentications({ mode: "PERMISSIVE", strictNamespaces: [], exceptions: [] })).to.have.length(
      1,
    );
  });

  it("deny by default where asked, and let Prometheus scrape there with GET", () => {
    expect(
      authorizationPolicies({ defaultDenyNamespaces: ["shop"], prometheusPrincipal: prometheus }).map((p) => [
        p.metadata.namespace,
        p.metadata.name,
        p.spec,
      ]),
    ).to.deep.equal([
      ["shop", "default-deny", {}],
      [
        "shop",
        "allow-prometheus-scrape",
        {
          action: "ALLOW",
          rules: [
            {
              from: [
                {
                  source: { principals: ["cluster.local/ns/monitoring/sa/kube-prometheus-stack-prometheus"] },
                },
              ],
              to: [{ operation: { methods: ["GET"] } }],
            },
          ],
        },
      ],
    ]);
  });

  it("let only the gateway and Prometheus's scrape reach Grafana", () => {
    const [policy] = authorizationPolicies({
      defaultDenyNamespaces: [],
      prometheusPrincipal: prometheus,
      grafana,
    });
    expect(policy?.spec).to.deep.equal({
      selector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
      action: "ALLOW",
      rules: [
        {
          from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }],
          to: [{ operation: { ports: ["3000"] } }],
        },
        {
          from: [
            { source: { principals: ["cluster.local/ns/monitoring/sa/kube-prometheus-stack-prometheus"] } },
          ],
          to: [{ operation: { ports: ["3000"], methods: ["GET"], paths: ["/metrics"] } }],
        },
      ],
    });
  });

  it("write access logs on or off and trace at the configured rate", () => {
    expect(meshTelemetry({ accessLogs: false }).spec).to.deep.equal({
      accessLogging: [{ providers: [{ name: "envoy" }], disabled: true }],
    });
    expect(
      meshTelemetry({ accessLogs: true, tracing: { provider: "otel-tracing", samplingPercentage: 1 } }).spec,
    ).to.deep.equal({
      accessLogging: [{ providers: [{ name: "envoy" }], disabled: false }],
      tracing: [{ providers: [{ name: "otel-tracing" }], randomSamplingPercentage: 1 }],
    });
  });

  it("route the gateway's port 80 to Grafana's Service", () => {
    const [gw, vs] = grafanaRoute({
      gatewayNamespace: "istio-ingress",
      gatewaySelector: { istio: "ingressgateway" },
      hosts: ["*"],
      grafana: { namespace: "monitoring", service: "kube-prometheus-stack-grafana", port: 80 },
    });
    expect(gw?.spec).to.deep.equal({
      selector: { istio: "ingressgateway" },
      servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
    });
    expect(vs?.metadata.namespace).to.equal("monitoring");
    expect(vs?.spec).to.deep.equal({
      hosts: ["*"],
      gateways: ["istio-ingress/grafana"],
      http: [
        {
          name: "grafana",
          route: [
            {
              destination: {
                host: "kube-prometheus-stack-grafana.monitoring.svc.cluster.local",
                port: { number: 80 },
              },
            },
          ],
        },
      ],
    });
  });

  it("scrape the sidecars on the port the injector announces, which mTLS leaves alone", () => {
    const endpoint = (
      envoyPodMonitor("istio-system").spec["podMetricsEndpoints"] as Record<string, unknown>[]
    )[0];
    expect(endpoint?.["path"]).to.equal("/stats/prometheus");
    expect(endpoint?.["relabelings"]).to.deep.include({
      action: "replace",
      sourceLabels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
      regex: "([^:]+)(?::\\d+)?;(\\d+)",
      replacement: "${1}:${2}",
      targetLabel: "__address__",
    });
  });

  it("all validate against the Istio and prometheus-operator CRDs, each with an explicit namespace", function () {
    requireUpstream(this, "crds");
    for (const obj of everyObject()) {
      expect(obj.metadata.namespace, `${obj.kind} ${obj.metadata.name}`).to.be.a("string");
      expect(validateCustomResource({ ...obj }), `${obj.kind} ${obj.metadata.name}`).to.deep.equal([]);
    }
  });
});

describe("CanaryRoute objects", () => {
  it("send header-matched requests to the canary and split the rest by weight", () => {
    const spec = {
      name: "reviews",
      namespace: "shop",
      match: { headers: { "end-user": "test-user" } },
      weights: { stable: 90, canary: 10 },
    };
    expect(canaryVirtualService(spec)).to.deep.equal({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "reviews", namespace: "shop", labels },
      spec: {
        hosts: ["reviews"],
        http: [
          {
            name: "canary-match",
            match: [{ headers: { "end-user": { exact: "test-user" } } }],
            route: [{ destination: { host: "reviews", subset: "v2" } }],
          },
          {
            name: "default",
            route: [
              { destination: { host: "reviews", subset: "v1" }, weight: 90 },
              { destination: { host: "reviews", subset: "v2" }, weight: 10 },
            ],
          },
        ],
      },
    });
    expect(canaryDestinationRule(spec)).to.deep.equal({
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: "reviews", namespace: "shop", labels },
      spec: {
        host: "reviews",
        subsets: [
          { name: "v1", labels: { version: "v1" } },
          { name: "v2", labels: { version: "v2" } },
        ],
      },
    });
  });

  it("send everything else to stable when only a header match is given, as in the seed's example", () => {
    const vs = canaryVirtualService({
      name: "reviews",
      namespace: "shop",
      match: { headers: { "x-canary": "yes", "end-user": "test-user" } },
    });
    expect(vs.spec["http"]).to.deep.equal([
      {
        name: "canary-match",
        match: [{ headers: { "end-user": { exact: "test-user" }, "x-canary": { exact: "yes" } } }],
        route: [{ destination: { host: "reviews", subset: "v2" } }],
      },
      { name: "default", route: [{ destination: { host: "reviews", subset: "v1" } }] },
    ]);
  });

  it("split by weight alone, on a named host with its own version label", () => {
    const spec = {
      name: "ratings",
      namespace: "shop",
      host: "ratings.shop.svc.cluster.local",
      versionLabel: "app.kubernetes.io/version",
      stable: "v3",
      canary: "v4",
      weights: { stable: 50, canary: 50 },
    };
    expect(canaryVirtualService(spec).spec).to.deep.equal({
      hosts: ["ratings.shop.svc.cluster.local"],
      http: [
        {
          name: "default",
          route: [
            { destination: { host: "ratings.shop.svc.cluster.local", subset: "v3" }, weight: 50 },
            { destination: { host: "ratings.shop.svc.cluster.local", subset: "v4" }, weight: 50 },
          ],
        },
      ],
    });
    expect(canaryDestinationRule(spec).spec["subsets"]).to.deep.equal([
      { name: "v3", labels: { "app.kubernetes.io/version": "v3" } },
      { name: "v4", labels: { "app.kubernetes.io/version": "v4" } },
    ]);
  });

  it("name what is wrong with a spec built in code", () => {
    expect(canaryProblems({ name: "a", namespace: "b", weights: { stable: 90, canary: 20 } })).to.deep.equal([
      "weights stable 90 and canary 20 add up to 110, not 100",
    ]);
    expect(canaryProblems({ name: "a", namespace: "b", stable: "v1", canary: "v1" })).to.deep.equal([
      'stable and canary are both "v1"',
      'neither a header match nor a canary weight sends any request to "v1"',
    ]);
    expect(
      canaryProblems({ name: "a", namespace: "b", match: { headers: { "end-user": "x" } } }),
    ).to.deep.equal([]);
  });
});
