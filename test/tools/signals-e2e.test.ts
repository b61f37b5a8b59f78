import { expect } from "chai";
import { signalsExpected, SignalsStackConfig } from "../../tools/e2e/checks";
import { SignalsLive, SignalsOutput, signalsProblems } from "../../tools/e2e/verdicts";
import { PROJECT_DIR, run, stackInput } from "../lib/helpers";
import { exampleSignalsRaw } from "../lib/signals";

type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
} & Record<string, unknown>;

/** The dev stack's objects in the monitoring namespace, as the API would list them after up. */
async function devCluster(): Promise<{ output: SignalsOutput; live: SignalsLive }> {
  const { resources, outputs } = await run(stackInput("dev"));
  const objects = (type: string) =>
    resources
      .filter((r) => r.type === type && (r.inputs["metadata"] as Obj["metadata"]).namespace === "monitoring")
      .map((r) => structuredClone(r.inputs) as Obj);
  const monitoring = "kubernetes:monitoring.coreos.com/v1";
  return {
    output: structuredClone(outputs["signals"]) as SignalsOutput,
    live: {
      prometheusRules: { items: objects(`${monitoring}:PrometheusRule`) },
      serviceMonitors: { items: objects(`${monitoring}:ServiceMonitor`) },
      podMonitors: { items: objects(`${monitoring}:PodMonitor`) },
      dashboardConfigMaps: {
        items: objects("kubernetes:core/v1:ConfigMap").filter(
          (o) => o.metadata.labels?.["grafana_dashboard"] === "1",
        ),
      },
    },
  };
}

function items(list: unknown): Obj[] {
  return (list as { items: Obj[] }).items;
}

describe("the e2e check of your own signals in the cluster", () => {
  const expected = signalsExpected(PROJECT_DIR, exampleSignalsRaw() as SignalsStackConfig);

  it("reads what to look for from the stack's config and the files, not from the program", () => {
    expect(expected.ruleFiles).to.deep.equal([
      {
        file: "examples/shop/dashboards/Shop/shop.rules.yaml",
        names: ["shop:http_requests:rate5m", "ShopDown"],
      },
    ]);
    expect(expected.dashboardFiles).to.deep.equal([
      { file: "examples/shop/dashboards/Shop/shop-overview.json", uid: "shop-overview", folder: "Shop" },
    ]);
    expect(expected.slos).to.deep.equal(["shop-availability", "shop-latency"]);
    expect(expected.scrapeTargets).to.deep.equal([
      { name: "shop", namespace: "shop", kind: "ServiceMonitor" },
    ]);
  });

  it("passes on the objects the dev stack declares", async () => {
    const { output, live } = await devCluster();
    expect(signalsProblems(expected, output, live)).to.deep.equal([]);
  });

  it("fails when a rule file's PrometheusRule is missing", async () => {
    const { output, live } = await devCluster();
    const rules = items(live.prometheusRules);
    live.prometheusRules = { items: rules.filter((r) => r.metadata.name !== "signals-dashboards-shop-shop") };
    expect(signalsProblems(expected, output, live)).to.deep.equal([
      "PrometheusRule signals-dashboards-shop-shop is not in the cluster",
      "examples/shop/dashboards/Shop/shop.rules.yaml: no PrometheusRule in the cluster holds its rules (shop:http_requests:rate5m, ShopDown)",
    ]);
  });

  it("fails when a PrometheusRule lacks an alert of its file, or an SLO's alerts", async () => {
    const { output, live } = await devCluster();
    for (const r of items(live.prometheusRules)) {
      const spec = r["spec"] as {
        groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[];
      };
      for (const g of spec.groups)
        g.rules = g.rules.filter(
          (x) => x.alert !== "ShopDown" && !(x.alert && x.labels?.["slo"] === "shop-latency"),
        );
    }
    expect(signalsProblems(expected, output, live)).to.deep.equal([
      "examples/shop/dashboards/Shop/shop.rules.yaml: no PrometheusRule in the cluster holds its rules (shop:http_requests:rate5m, ShopDown)",
      "SLO shop-latency: 11 recording rules and 0 alerts labelled slo=shop-latency in the cluster",
    ]);
  });

  it("fails when the monitor selects another namespace, or the program reports fewer rules", async () => {
    const { output, live } = await devCluster();
    for (const m of items(live.serviceMonitors))
      if (m.metadata.name === "signals-shop-shop")
        m["spec"] = { ...(m["spec"] as object), namespaceSelector: { matchNames: ["shop-old"] } };
    output.rules = output.rules.slice(1);
    const problems = signalsProblems(expected, output, live);
    expect(problems[0]).to.equal("the program reports 2 PrometheusRules; 2 SLOs and 1 rule files make 3");
    expect(problems).to.include(
      "scrape target shop: no ServiceMonitor in the cluster selects namespace shop",
    );
  });

  it("fails when a dashboard's ConfigMap is missing or in another folder", async () => {
    const { output, live } = await devCluster();
    const maps = items(live.dashboardConfigMaps);
    const overview = maps.find((m) => m.metadata.name === "grafana-dashboard-signals-shop-shop-overview");
    expect(overview).to.not.equal(undefined);
    if (overview !== undefined) overview.metadata.annotations = { grafana_folder: "General" };
    live.dashboardConfigMaps = {
      items: maps.filter((m) => m.metadata.name !== "grafana-dashboard-signals-error-budgets"),
    };
    expect(signalsProblems(expected, output, live)).to.deep.equal([
      "dashboard signals-error-budgets: no labelled ConfigMap in the cluster holds it",
      "dashboard shop-overview: ConfigMap grafana-dashboard-signals-shop-shop-overview is in folder General, not Shop",
    ]);
  });
});
