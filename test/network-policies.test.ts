/**
 * The NetworkPolicies the program declares, checked against the table of the flows each stack
 * needs (test/lib/flow-table.ts): each required flow is allowed, and nothing else between the
 * stack's pods, an application pod and the outside is.
 */
import { expect } from "chai";
import { parseStackConfig } from "../components/core";
import { networkPolicyManifests } from "../components/core";
import { stackModel } from "../components/core";
import { APP, DEV_FLOWS, DEV_PODS, STACKS } from "./lib/flow-table";
import { discrepancies, selects } from "./lib/network-policy";
import { run, stackInput, stackRawConfig } from "./lib/helpers";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

type Obj = Record<string, unknown>;

async function declaredPolicies(stack: string, overrides: Record<string, unknown> = {}): Promise<Obj[]> {
  const { resources } = await run(stackInput(stack, overrides));
  return resources.filter((r) => r.type === NETWORK_POLICY).map((r) => r.inputs);
}

const named = (policies: readonly Obj[], name: string): Obj => {
  const found = policies.find((p) => (p["metadata"] as Obj)["name"] === name);
  if (found === undefined) throw new Error(`no policy ${name}`);
  return found;
};

/** The policies with the ingress rules of one policy that match `drop` removed. */
function withoutRules(policies: readonly Obj[], name: string, drop: (rule: Obj) => boolean): Obj[] {
  return policies.map((p) => {
    if ((p["metadata"] as Obj)["name"] !== name) return p;
    const spec = p["spec"] as Obj;
    return { ...p, spec: { ...spec, ingress: (spec["ingress"] as Obj[]).filter((r) => !drop(r)) } };
  });
}

describe("network policies", () => {
  for (const [stack, s] of Object.entries(STACKS)) {
    it(`of ${stack} deny all ingress in every namespace the stack owns`, async () => {
      const policies = await declaredPolicies(stack);
      const denies = policies.filter((p) => (p["metadata"] as Obj)["name"] === "default-deny-ingress");
      expect(denies.map((p) => (p["metadata"] as Obj)["namespace"]).sort()).to.deep.equal(s.namespaces);
      for (const d of denies) expect(d["spec"]).to.deep.equal({ podSelector: {}, policyTypes: ["Ingress"] });
    });

    it(`of ${stack} allow each required flow and open nothing else`, async () => {
      const policies = await declaredPolicies(stack);
      expect(discrepancies(policies, s.pods, s.flows, APP)).to.deep.equal([]);
      // Every allow policy selects some pod of the table: none opens pods the table does not know.
      for (const p of policies) {
        const spec = p["spec"] as Obj;
        if ((spec["ingress"] as unknown[] | undefined) === undefined) continue;
        const name = String((p["metadata"] as Obj)["name"]);
        expect(
          s.pods.some((q) => selects(p, q)),
          name,
        ).to.equal(true);
      }
    });
  }

  it("fail the check when a flow is planted or one is missing", async () => {
    const policies = await declaredPolicies("dev");
    const planted = structuredClone(policies);
    const loki = named(planted, "allow-loki");
    ((loki["spec"] as Obj)["ingress"] as Obj[]).push({
      from: [{ namespaceSelector: {} }],
      ports: [{ port: 3100, protocol: "TCP" }],
    });
    expect(discrepancies(planted, DEV_PODS, DEV_FLOWS, APP)).to.include(
      "extra: shop/shop -> logging/loki-0 3100/TCP",
    );

    const withoutCollector = withoutRules(policies, "allow-loki-gateway", (r) =>
      JSON.stringify(r).includes('"alloy"'),
    );
    expect(discrepancies(withoutCollector, DEV_PODS, DEV_FLOWS, APP)).to.deep.equal([
      "missing: logging/alloy -> logging/loki-gateway 8080/TCP",
    ]);
  });

  it("fail the check on large when a Thanos or Loki flow is planted or one is missing", async () => {
    const { pods, flows } = STACKS["large"] ?? { pods: [], flows: [] };
    const policies = await declaredPolicies("large");
    const planted = structuredClone(policies);
    // Grafana straight to the store gateway's StoreAPI, and an application to the ingesters' gRPC.
    ((named(planted, "allow-thanos-storegateway")["spec"] as Obj)["ingress"] as Obj[]).push({
      from: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
        },
      ],
      ports: [{ port: 10901, protocol: "TCP" }],
    });
    ((named(planted, "allow-loki")["spec"] as Obj)["ingress"] as Obj[]).push({
      from: [{ namespaceSelector: {} }],
      ports: [{ port: 9095, protocol: "TCP" }],
    });
    const extra = discrepancies(planted, pods, flows, APP);
    expect(extra).to.include("extra: monitoring/grafana -> monitoring/thanos-storegateway 10901/TCP");
    expect(extra).to.include("extra: shop/shop -> logging/loki-ingester-zone-b 9095/TCP");

    // Thanos query no longer reaches the sidecars in the Prometheus pods.
    const withoutSidecars = withoutRules(policies, "allow-prometheus", (r) =>
      JSON.stringify(r).includes('"query"'),
    );
    expect(discrepancies(withoutSidecars, pods, flows, APP)).to.deep.equal([
      "missing: monitoring/thanos-query -> monitoring/prometheus 10901/TCP",
    ]);
  });

  it("are left out with networkPolicies.enabled false", async () => {
    expect(await declaredPolicies("dev", { networkPolicies: { enabled: false } })).to.deep.equal([]);
  });

  it("refuse a flow into a namespace the stack does not own", () => {
    const model = stackModel(parseStackConfig(stackRawConfig("dev")));
    expect(model.flows.length).to.be.greaterThan(0);
    expect(() => networkPolicyManifests(["monitoring"], model.flows)).to.throw(
      "flow to loki in namespace logging, which the stack does not own",
    );
  });
});
