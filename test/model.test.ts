import { expect } from "chai";
import { parseStackConfig, stackModel, StackModel } from "../components/core";
import { STACK_NAMESPACE_NAMES } from "../components/kit";
import { CERT_MANAGER_NAMESPACE } from "../components/front-door";
import { grafanaGatewayUrl } from "../components/mesh";
import { run, stackInput, stackRawConfig } from "./lib/helpers";

const KUBERNETES_NAMESPACE = "Namespace";

function modelOf(stack: string, overrides: Record<string, unknown> = {}): StackModel {
  return stackModel(parseStackConfig({ ...stackRawConfig(stack), ...overrides }));
}

/** Every in-cluster host a datasource or service address names must be a namespace the stack owns. */
function namespacesNamed(model: StackModel): string[] {
  const fromServices = Object.values(model.services).map((s) => s.namespace);
  const fromDatasources = model.datasources.all.map((d) => {
    const host = new URL(d.url).hostname.split(".");
    return host[1] ?? "";
  });
  return [...fromServices, ...fromDatasources];
}

describe("the stack model", () => {
  it("runs every part on dev but Elasticsearch and the collector gateway", () => {
    const model = modelOf("dev");
    expect(model.runs).to.deep.equal({
      prometheus: true,
      alertmanager: true,
      grafana: true,
      dashboards: true,
      signals: true,
      signOn: false,
      oauth2Proxy: false,
      alerting: true,
      alertRouting: true,
      metricsServer: true,
      thanos: false,
      loki: true,
      logCollector: "alloy",
      tracing: true,
      jaeger: true,
      collector: false,
      jaegerOnStackElasticsearch: false,
      elastic: false,
      mesh: true,
      gateway: true,
      // The front door serves Grafana over HTTPS; dev turns the mesh's plain-HTTP route off.
      grafanaBehindGateway: false,
      frontDoor: true,
    });
    expect(model.namespaces.map((n) => [n.name, n.podSecurity])).to.deep.equal([
      ["monitoring", "privileged"],
      ["logging", "baseline"],
      ["tracing", "restricted"],
      ["istio-system", "baseline"],
      ["istio-ingress", "baseline"],
      ["cert-manager", "restricted"],
    ]);
    expect(model.datasourceUids).to.deep.equal(["prometheus", "alertmanager", "loki", "jaeger"]);
    expect(model.services.meshGateway?.serviceType).to.equal("ClusterIP");
  });

  it("adds the collector gateway, Elasticsearch and its datasource on prod, and a LoadBalancer", () => {
    const config = parseStackConfig(stackRawConfig("prod"));
    const model = stackModel(config);
    expect(model.runs.elastic && model.runs.collector).to.equal(true);
    expect(model.namespaces.map((n) => n.name)).to.deep.equal([
      "monitoring",
      "logging",
      "tracing",
      "istio-system",
      "istio-ingress",
      "elastic-system",
      "search",
      "cert-manager",
    ]);
    // The search part provisions its datasource itself (it holds a password); Grafana still lists it.
    expect(model.datasourceUids).to.deep.equal([
      "prometheus",
      "alertmanager",
      "loki",
      "jaeger",
      "elasticsearch",
    ]);
    expect(model.services.loki?.tenant).to.equal("platform");
    expect(model.services.meshGateway?.serviceType).to.equal("LoadBalancer");
    // The front door serves Grafana over HTTPS; the mesh publishes nothing in the clear.
    expect(grafanaGatewayUrl(config, model.runs)).to.equal(undefined);
  });

  for (const stack of ["dev", "prod"]) {
    it(`names on ${stack} only namespaces it owns, each once, from the one list of names`, () => {
      const model = modelOf(stack);
      const owned = model.namespaces.map((n) => n.name);
      expect(new Set(owned).size).to.equal(owned.length);
      // The kit's list, and the front door's own namespace.
      const known: string[] = [...Object.values(STACK_NAMESPACE_NAMES), CERT_MANAGER_NAMESPACE];
      for (const ns of owned) expect(known).to.include(ns);
      for (const ns of namespacesNamed(model)) expect(owned, ns).to.include(ns);
    });

    it(`is what the program declares and outputs on ${stack}`, async () => {
      const model = modelOf(stack);
      const r = await run(stackInput(stack));
      const declared = r.resources
        .filter((x) => x.type === `kubernetes:core/v1:${KUBERNETES_NAMESPACE}`)
        .map((x) => (x.inputs["metadata"] as { name: string }).name);
      expect(declared).to.deep.equal(model.namespaces.map((n) => n.name));
      expect(r.outputs["namespaces"]).to.deep.equal(declared);
      const grafana = r.outputs["grafana"] as { datasources: string[]; portForward: string };
      expect(grafana.datasources).to.deep.equal(model.datasourceUids);
      expect(grafana.portForward).to.equal(model.services.grafana?.portForward);
    });
  }

  it("decides once that Grafana does not run without kube-prometheus-stack, and lists no datasource", () => {
    const model = modelOf("dev", { prometheus: { enabled: false }, alerting: { enabled: false } });
    expect(model.runs.grafana).to.equal(false);
    expect(model.runs.dashboards).to.equal(false);
    expect(model.datasourceUids).to.deep.equal([]);
    expect(model.services.grafana).to.equal(undefined);
  });

  it("raises logging to privileged for Promtail, which mounts the node's log directories", () => {
    const model = modelOf("dev", { logCollector: { kind: "promtail" } });
    expect(model.namespaces.find((n) => n.name === "logging")?.podSecurity).to.equal("privileged");
  });

  it("is a pure function: the same config gives the same model and is left unchanged", () => {
    const config = parseStackConfig(stackRawConfig("prod"));
    const before = JSON.stringify(config);
    expect(stackModel(config)).to.deep.equal(stackModel(config));
    expect(JSON.stringify(config)).to.equal(before);
  });
});
