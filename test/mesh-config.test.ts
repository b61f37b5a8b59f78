import { expect } from "chai";
import { errorFor } from "./lib/config-error";
import { stackRawConfig } from "./lib/helpers";
import { configWarnings, partsRunning } from "../components/core";
import { parseStackConfig } from "../components/core";
import { meshWarnings, namespaceMtlsMode } from "../components/mesh";

const kind = { cluster: { type: "kind", context: "kind-observability" } };
const cloud = { cluster: { type: "cloud", context: "prod" } };

const canary = { name: "reviews", namespace: "shop" };

describe("mesh config", () => {
  it("turns the mesh on with laptop defaults on kind", () => {
    expect(parseStackConfig(kind).mesh).to.deep.equal({
      enabled: true,
      istiod: { replicas: 1 },
      gateway: { enabled: true, replicas: 1, serviceType: "ClusterIP" },
      injectNamespaces: [],
      mtls: { mode: "PERMISSIVE", strictNamespaces: [], exceptions: [] },
      authorization: { defaultDenyNamespaces: [] },
      grafanaGateway: { enabled: true, hosts: ["*"] },
      accessLogs: true,
      tracing: {
        // On because the tracing part runs.
        enabled: true,
        endpoint: "otlp.tracing.svc.cluster.local:4317",
        service: "otlp.tracing.svc.cluster.local",
        port: 4317,
        samplingPercentage: 100,
      },
      canaries: [],
    });
  });

  it("defaults to a LoadBalancer, no public Grafana, no access logs and 1% sampling on cloud", () => {
    const { mesh } = parseStackConfig(cloud);
    expect(mesh.gateway.serviceType).to.equal("LoadBalancer");
    expect(mesh.grafanaGateway.enabled).to.equal(false);
    expect(mesh.accessLogs).to.equal(false);
    expect(mesh.tracing.samplingPercentage).to.equal(1);
  });

  it("is STRICT with two istiod and gateway replicas in prod, PERMISSIVE in dev", () => {
    const prod = parseStackConfig(stackRawConfig("prod")).mesh;
    expect(prod.mtls).to.deep.equal({ mode: "STRICT", strictNamespaces: [], exceptions: [] });
    expect(prod.istiod.replicas).to.equal(2);
    expect(prod.gateway.replicas).to.equal(2);
    expect(parseStackConfig(stackRawConfig("dev")).mesh.mtls.mode).to.equal("PERMISSIVE");
  });

  it("serves Grafana through the gateway only when both exist", () => {
    expect(
      parseStackConfig({ ...kind, mesh: { gateway: { enabled: false } } }).mesh.grafanaGateway.enabled,
    ).to.equal(false);
    expect(parseStackConfig({ ...kind, grafana: { enabled: false } }).mesh.grafanaGateway.enabled).to.equal(
      false,
    );
    expect(
      parseStackConfig({ ...kind, prometheus: { enabled: false } }).mesh.grafanaGateway.enabled,
    ).to.equal(false);
  });

  it("reads namespaces, exceptions, tracing and canaries", () => {
    const { mesh } = parseStackConfig({
      ...cloud,
      mesh: {
        injectNamespaces: ["shop", "legacy"],
        mtls: {
          mode: "STRICT",
          strictNamespaces: ["payments"],
          exceptions: [
            { namespace: "legacy", reason: "clients outside the mesh" },
            { namespace: "batch", mode: "DISABLE", reason: "x" },
          ],
        },
        authorization: { defaultDenyNamespaces: ["shop"] },
        tracing: { enabled: "true", endpoint: "otel-collector.tracing.svc:4317", samplingPercentage: "0.5" },
        canaries: [
          {
            ...canary,
            match: { headers: { "end-user": "test-user" } },
            weights: { stable: "90", canary: 10 },
          },
          {
            name: "ratings",
            namespace: "shop",
            host: "ratings.shop.svc.cluster.local",
            versionLabel: "app.kubernetes.io/version",
            stable: "v3",
            canary: "v4",
            weights: { stable: 50, canary: 50 },
          },
        ],
      },
    });
    expect(mesh.injectNamespaces).to.deep.equal(["shop", "legacy"]);
    expect(mesh.mtls).to.deep.equal({
      mode: "STRICT",
      strictNamespaces: ["payments"],
      exceptions: [
        { namespace: "legacy", mode: "PERMISSIVE", reason: "clients outside the mesh" },
        { namespace: "batch", mode: "DISABLE", reason: "x" },
      ],
    });
    expect(mesh.authorization.defaultDenyNamespaces).to.deep.equal(["shop"]);
    expect(mesh.tracing).to.deep.equal({
      enabled: true,
      endpoint: "otel-collector.tracing.svc:4317",
      service: "otel-collector.tracing.svc",
      port: 4317,
      samplingPercentage: 0.5,
    });
    expect(mesh.canaries).to.deep.equal([
      {
        name: "reviews",
        namespace: "shop",
        host: "reviews",
        versionLabel: "version",
        stable: "v1",
        canary: "v2",
        match: { headers: { "end-user": "test-user" } },
        weights: { stable: 90, canary: 10 },
      },
      {
        name: "ratings",
        namespace: "shop",
        host: "ratings.shop.svc.cluster.local",
        versionLabel: "app.kubernetes.io/version",
        stable: "v3",
        canary: "v4",
        weights: { stable: 50, canary: 50 },
      },
    ]);
  });

  describe("errors name the key path, what is wrong and what to set", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "an unknown mTLS mode",
        { ...kind, mesh: { mtls: { mode: "strict" } } },
        'Invalid stack config: mesh.mtls.mode: must be one of STRICT, PERMISSIVE, got "strict"; did you mean STRICT? set `pulumi config set --path mesh.mtls.mode STRICT`',
      ],
      [
        "an unknown exception mode",
        { ...kind, mesh: { mtls: { exceptions: [{ namespace: "legacy", mode: "STRICT", reason: "x" }] } } },
        "Invalid stack config: mesh.mtls.exceptions[0].mode: must be one of PERMISSIVE, DISABLE, got \"STRICT\"; set one of them, e.g. `pulumi config set --path 'mesh.mtls.exceptions[0].mode' PERMISSIVE`",
      ],
      [
        "a namespace both STRICT and an exception",
        {
          ...kind,
          mesh: {
            mtls: {
              strictNamespaces: ["shop", "legacy"],
              exceptions: [{ namespace: "legacy", reason: "old clients" }],
            },
          },
        },
        'Invalid stack config: mesh.mtls.exceptions[0].namespace: "legacy" is also in mesh.mtls.strictNamespaces, and a namespace cannot be both STRICT and an exception; remove it from one of the two lists',
      ],
      [
        "an exception without a reason",
        { ...kind, mesh: { mtls: { exceptions: [{ namespace: "legacy" }] } } },
        "Invalid stack config: mesh.mtls.exceptions[0].reason: is required but not set; set it, e.g. `pulumi config set --path 'mesh.mtls.exceptions[0].reason' \"legacy clients without sidecars\"`",
      ],
      [
        "canary weights that do not add up to 100",
        { ...kind, mesh: { canaries: [{ ...canary, weights: { stable: 90, canary: 20 } }] } },
        "Invalid stack config: mesh.canaries[0].weights: stable 90 and canary 20 add up to 110, not 100; set them to add up to 100, e.g. `pulumi config set --path 'mesh.canaries[0].weights.canary' 10`",
      ],
      [
        "a canary with neither a match nor a weight",
        { ...kind, mesh: { canaries: [canary] } },
        "Invalid stack config: mesh.canaries[0]: has neither a header match nor a canary weight, so no request would reach version \"v2\"; set a match (`pulumi config set --path 'mesh.canaries[0].match.headers.end-user' test-user`) or weights (`pulumi config set --path 'mesh.canaries[0].weights.stable' 90` and `pulumi config set --path 'mesh.canaries[0].weights.canary' 10`)",
      ],
      [
        "a canary whose only weight is zero",
        { ...kind, mesh: { canaries: [{ ...canary, weights: { stable: 100, canary: 0 } }] } },
        "Invalid stack config: mesh.canaries[0]: has neither a header match nor a canary weight, so no request would reach version \"v2\"; set a match (`pulumi config set --path 'mesh.canaries[0].match.headers.end-user' test-user`) or weights (`pulumi config set --path 'mesh.canaries[0].weights.stable' 90` and `pulumi config set --path 'mesh.canaries[0].weights.canary' 10`)",
      ],
      [
        "a canary with one weight",
        { ...kind, mesh: { canaries: [{ ...canary, weights: { canary: 10 } }] } },
        "Invalid stack config: mesh.canaries[0].weights.stable: is required when weights are set; set both weights so they add up to 100, e.g. `pulumi config set --path 'mesh.canaries[0].weights.stable' 90`",
      ],
      [
        "a canary weight above 100",
        { ...kind, mesh: { canaries: [{ ...canary, weights: { stable: -10, canary: 110 } }] } },
        "Invalid stack config (2 problems):\n" +
          "  - mesh.canaries[0].weights.stable: must be a whole number from 0 to 100, got -10; set e.g. `pulumi config set --path 'mesh.canaries[0].weights.stable' 90`\n" +
          "  - mesh.canaries[0].weights.canary: must be a whole number from 0 to 100, got 110; set e.g. `pulumi config set --path 'mesh.canaries[0].weights.canary' 10`",
      ],
      [
        "a canary on its own stable version",
        { ...kind, mesh: { canaries: [{ ...canary, stable: "v2", weights: { stable: 90, canary: 10 } }] } },
        "Invalid stack config: mesh.canaries[0].canary: is \"v2\", the same version as mesh.canaries[0].stable; set the new version's label value, e.g. `pulumi config set --path 'mesh.canaries[0].canary' v2`",
      ],
      [
        "a header name in capitals",
        { ...kind, mesh: { canaries: [{ ...canary, match: { headers: { "End-User": "test-user" } } }] } },
        "Invalid stack config: mesh.canaries[0].match.headers.End-User: is not a lowercase HTTP header name; write header names in lowercase, e.g. end-user",
      ],
      [
        "a match without headers",
        { ...kind, mesh: { canaries: [{ ...canary, match: {} }] } },
        "Invalid stack config: mesh.canaries[0].match.headers: names no header to match; set one, e.g. `pulumi config set --path 'mesh.canaries[0].match.headers.end-user' test-user`",
      ],
      [
        "two canaries of one name",
        {
          ...kind,
          mesh: {
            canaries: [
              { ...canary, weights: { stable: 90, canary: 10 } },
              { ...canary, weights: { stable: 80, canary: 20 } },
            ],
          },
        },
        'Invalid stack config: mesh.canaries[1].name: "reviews" in namespace "shop" repeats mesh.canaries[0]; give each canary route its own name',
      ],
      [
        "a canary without a namespace",
        { ...kind, mesh: { canaries: [{ name: "reviews", weights: { stable: 90, canary: 10 } }] } },
        "Invalid stack config: mesh.canaries[0].namespace: is required but not set; set it, e.g. `pulumi config set --path 'mesh.canaries[0].namespace' shop`",
      ],
      [
        "a sampling rate above 100%",
        { ...kind, mesh: { tracing: { samplingPercentage: 150 } } },
        "Invalid stack config: mesh.tracing.samplingPercentage: must be a percentage from 0 to 100, got 150; set e.g. `pulumi config set --path mesh.tracing.samplingPercentage 100`",
      ],
      [
        "a negative sampling rate",
        { ...cloud, mesh: { tracing: { samplingPercentage: "-1" } } },
        'Invalid stack config: mesh.tracing.samplingPercentage: must be a percentage from 0 to 100, got "-1"; set e.g. `pulumi config set --path mesh.tracing.samplingPercentage 1`',
      ],
      [
        "a tracing endpoint without a port",
        { ...kind, mesh: { tracing: { endpoint: "http://jaeger:4317" } } },
        'Invalid stack config: mesh.tracing.endpoint: must be an OTLP/gRPC endpoint as host:port, got "http://jaeger:4317"; set e.g. `pulumi config set --path mesh.tracing.endpoint otlp.tracing.svc.cluster.local:4317`',
      ],
      [
        "a LoadBalancer gateway on kind",
        { ...kind, mesh: { gateway: { serviceType: "LoadBalancer" } } },
        "Invalid stack config: mesh.gateway.serviceType: is LoadBalancer but cluster.type is kind, where nothing assigns an external IP and Helm would wait for one forever; set `pulumi config set --path mesh.gateway.serviceType NodePort` (or ClusterIP)",
      ],
      [
        "a stack namespace to inject",
        { ...kind, mesh: { injectNamespaces: ["shop", "monitoring"] } },
        'Invalid stack config: mesh.injectNamespaces[1]: is "monitoring", a namespace of Kubernetes, Istio or the stack itself, which is never labelled for injection (the stack\'s own workloads are meshed one by one); remove it',
      ],
      [
        "default deny in Istio's namespace",
        { ...kind, mesh: { authorization: { defaultDenyNamespaces: ["istio-ingress"] } } },
        'Invalid stack config: mesh.authorization.defaultDenyNamespaces[0]: is "istio-ingress", a namespace of Kubernetes or Istio itself, where this policy would change the mesh\'s own traffic; remove it',
      ],
      [
        "a namespace list that is not a list",
        { ...kind, mesh: { injectNamespaces: "shop" } },
        "Invalid stack config: mesh.injectNamespaces: must be a list, got \"shop\"; set its items one by one, e.g. `pulumi config set --path 'mesh.injectNamespaces[0]' <value>`",
      ],
      [
        "a repeated namespace",
        { ...kind, mesh: { mtls: { strictNamespaces: ["shop", "shop"] } } },
        'Invalid stack config: mesh.mtls.strictNamespaces[1]: repeats "shop"; list each value once',
      ],
      [
        "a namespace that is no name",
        { ...kind, mesh: { injectNamespaces: ["Shop"] } },
        "Invalid stack config: mesh.injectNamespaces[0]: must be a namespace name (at most 63 lowercase letters, digits and -, starting and ending with a letter or digit), got \"Shop\"; set e.g. `pulumi config set --path 'mesh.injectNamespaces[0]' shop`",
      ],
      [
        "Grafana through a gateway that is off",
        { ...kind, mesh: { gateway: { enabled: false }, grafanaGateway: { enabled: true } } },
        "Invalid stack config: mesh.grafanaGateway.enabled: is true but mesh.gateway.enabled is false, and Grafana is served through the gateway; set `pulumi config set --path mesh.gateway.enabled true`, or `pulumi config set --path mesh.grafanaGateway.enabled false`",
      ],
      [
        "a misspelt mesh field",
        { ...kind, mesh: { mtsl: { mode: "STRICT" } } },
        "Invalid stack config: mesh.mtsl: is not a known key; remove it or use one of: accessLogs, authorization, canaries, enabled, gateway, grafanaGateway, injectNamespaces, istiod, mtls, tracing",
      ],
    ];
    for (const [what, raw, message] of cases) {
      it(`for ${what}`, () => {
        expect(errorFor(raw)).to.equal(message);
      });
    }
  });
});

describe("mesh warnings", () => {
  const deny = (mtls: Record<string, unknown>, namespaces: string[]) =>
    parseStackConfig({ ...cloud, mesh: { mtls, authorization: { defaultDenyNamespaces: namespaces } } }).mesh;

  it("take a namespace's mode from its own policy, else the mesh's", () => {
    const mesh = deny(
      {
        mode: "STRICT",
        exceptions: [{ namespace: "legacy", mode: "DISABLE", reason: "x" }],
      },
      [],
    );
    expect(namespaceMtlsMode(mesh.mtls, "legacy")).to.equal("DISABLE");
    expect(namespaceMtlsMode(mesh.mtls, "shop")).to.equal("STRICT");
    const permissive = deny({ mode: "PERMISSIVE", strictNamespaces: ["payments"] }, []);
    expect(namespaceMtlsMode(permissive.mtls, "payments")).to.equal("STRICT");
    expect(namespaceMtlsMode(permissive.mtls, "shop")).to.equal("PERMISSIVE");
  });

  it("name a default-deny namespace where Prometheus cannot scrape, and how to make it STRICT", () => {
    const mesh = deny({ mode: "PERMISSIVE", strictNamespaces: ["payments"] }, ["payments", "shop", "cart"]);
    expect(meshWarnings(mesh, true)).to.deep.equal([
      "mesh.authorization.defaultDenyNamespaces[1]: \"shop\" is PERMISSIVE, where Prometheus cannot scrape its meshed pods (plaintext has no identity for allow-prometheus-scrape to admit, and a sidecar that is not STRICT passes Prometheus's Istio TLS through to the plain-HTTP port); make it STRICT with `pulumi config set --path 'mesh.mtls.strictNamespaces[1]' shop`",
      "mesh.authorization.defaultDenyNamespaces[2]: \"cart\" is PERMISSIVE, where Prometheus cannot scrape its meshed pods (plaintext has no identity for allow-prometheus-scrape to admit, and a sidecar that is not STRICT passes Prometheus's Istio TLS through to the plain-HTTP port); make it STRICT with `pulumi config set --path 'mesh.mtls.strictNamespaces[2]' cart`",
    ]);
    // No Prometheus, nothing to scrape.
    expect(meshWarnings(mesh, false)).to.deep.equal([]);
  });

  it("name an exception's mode and that the exception must go", () => {
    const mesh = deny({ mode: "STRICT", exceptions: [{ namespace: "legacy", reason: "x" }] }, ["legacy"]);
    const [warning] = meshWarnings(mesh, true);
    expect(warning).to.match(/^mesh\.authorization\.defaultDenyNamespaces\[0\]: "legacy" is PERMISSIVE, /);
    expect(warning).to.match(/ and remove its mesh\.mtls\.exceptions entry$/);
  });

  it("reach the preview through the mesh part's warnings, only while Prometheus runs", () => {
    const raw = {
      ...cloud,
      mesh: { mtls: { mode: "PERMISSIVE" }, authorization: { defaultDenyNamespaces: ["shop"] } },
    };
    const config = parseStackConfig(raw);
    expect(configWarnings(config, partsRunning(config))).to.deep.equal(meshWarnings(config.mesh, true));
    expect(configWarnings(config, partsRunning(config))).to.have.length(1);
    const noPrometheus = parseStackConfig({ ...raw, prometheus: { enabled: false } });
    expect(configWarnings(noPrometheus, partsRunning(noPrometheus))).to.deep.equal([]);
  });

  it("say nothing for STRICT namespaces, the stack's own, or the dev and prod stacks", () => {
    expect(meshWarnings(deny({ mode: "STRICT" }, ["shop"]), true)).to.deep.equal([]);
    expect(meshWarnings(deny({ mode: "PERMISSIVE" }, ["monitoring"]), true)).to.deep.equal([]);
    for (const stack of ["dev", "prod"]) {
      expect(meshWarnings(parseStackConfig(stackRawConfig(stack)).mesh, true), stack).to.deep.equal([]);
    }
  });
});
