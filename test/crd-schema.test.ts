import { expect } from "chai";
import { knownKinds, validateCustomResource } from "./lib/crd-schema";
import { requireUpstream } from "./lib/upstream";

const serviceMonitor = {
  apiVersion: "monitoring.coreos.com/v1",
  kind: "ServiceMonitor",
  metadata: { name: "example", namespace: "monitoring" },
  spec: { selector: { matchLabels: { app: "example" } }, endpoints: [{ port: "metrics", interval: "30s" }] },
};

describe("the CRD schema check", function () {
  before(function () {
    requireUpstream(this, "crds");
  });

  it("knows the prometheus-operator, Istio and ECK kinds", () => {
    const kinds = knownKinds();
    for (const k of [
      "monitoring.coreos.com/v1/ServiceMonitor",
      "monitoring.coreos.com/v1/PrometheusRule",
      "monitoring.coreos.com/v1alpha1/AlertmanagerConfig",
      "security.istio.io/v1/PeerAuthentication",
      "networking.istio.io/v1/VirtualService",
      "telemetry.istio.io/v1/Telemetry",
      "elasticsearch.k8s.elastic.co/v1/Elasticsearch",
      "kibana.k8s.elastic.co/v1/Kibana",
      "beat.k8s.elastic.co/v1beta1/Beat",
    ]) {
      expect(kinds).to.include(k);
    }
  });

  it("accepts a valid resource", () => {
    expect(validateCustomResource(serviceMonitor)).to.deep.equal([]);
  });

  it("rejects a misspelt field, a wrong type and a missing namespace", () => {
    const bad = {
      ...serviceMonitor,
      metadata: { name: "example" },
      spec: { selector: {}, endpoints: [{ port: 9090, intervall: "30s" }] },
    };
    expect(validateCustomResource(bad)).to.deep.equal([
      "metadata.namespace is not set on a namespaced resource",
      "/spec/endpoints/0 must NOT have additional properties (intervall)",
      "/spec/endpoints/0/port must be string",
    ]);
  });

  it("accepts Istio resources, whose CRDs declare no metadata, and still checks their spec", () => {
    const peer = {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace: "istio-system" },
      spec: { mtls: { mode: "STRICT" } },
    };
    expect(validateCustomResource(peer)).to.deep.equal([]);
    const wrong = validateCustomResource({ ...peer, spec: { mtls: { mode: "STRIKT" }, mtlsMode: "STRICT" } });
    expect(wrong[0]).to.equal("/spec must NOT have additional properties (mtlsMode)");
    expect(
      wrong.some((p) => p.startsWith("/spec/mtls/mode must be equal to one of the allowed values")),
    ).to.equal(true);
  });

  it("rejects a kind no CRD serves", () => {
    expect(
      validateCustomResource({ apiVersion: "example.com/v1", kind: "Nope", metadata: { name: "x" } })[0],
    ).to.match(/^no CRD in .* serves example.com\/v1 Nope$/);
  });
});
