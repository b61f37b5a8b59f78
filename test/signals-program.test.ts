import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { find, programError, PROJECT_DIR, run, stackInput } from "./lib/helpers";

const SIGNALS = "observability:signals:Signals";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

describe("signals in the program", () => {
  it("the dev plan ships the example shop: its dashboard, rules, scrape target and SLOs, after the operator", async () => {
    const { resources } = await run(stackInput("dev"));
    find(resources, SIGNALS, "observability-signals");
    const mine = resources.filter((r) => r.parent === "observability-signals");
    expect(mine.map((r) => `${r.type.split(":").pop() ?? ""} ${r.name}`).sort()).to.deep.equal([
      "ConfigMap grafana-dashboard-signals-error-budgets",
      "ConfigMap grafana-dashboard-signals-shop-shop-overview",
      "PrometheusRule signals-dashboards-shop-shop",
      "PrometheusRule signals-slo-shop-availability",
      "PrometheusRule signals-slo-shop-latency",
      "ServiceMonitor signals-shop-shop",
    ]);
    const cm = find(
      resources,
      "kubernetes:core/v1:ConfigMap",
      "grafana-dashboard-signals-shop-shop-overview",
    );
    expect(cm.inputs["metadata"]).to.deep.include({
      namespace: "monitoring",
      annotations: { grafana_folder: "Shop" },
    });
    const json =
      (cm.inputs["data"] as Record<string, string>)["grafana-dashboard-signals-shop-shop-overview.json"] ??
      "";
    // The exported dashboard's input became the stack's Prometheus uid.
    expect(json).to.contain('"uid": "prometheus"');
    expect(json).to.not.contain("DS_PROMETHEUS");
    const rule = find(resources, RULE, "signals-slo-shop-availability");
    expect(rule.dependsOn).to.include.members(["prometheus-operator-crds", "kube-prometheus-stack"]);
  });

  it("the prod stack has no signals folder, so it ships no files", async () => {
    const { resources } = await run(stackInput("prod"));
    expect(resources.filter((r) => r.parent === "observability-signals")).to.deep.equal([]);
  });

  it("a bad file stops the program before anything is declared, one line per problem naming the file", async () => {
    const dir = path.join(PROJECT_DIR, "bin", "signals-fixture");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "dashboards", "Shop"), { recursive: true });
    fs.writeFileSync(path.join(dir, "dashboards", "Shop", "broken.json"), '{\n  "uid": "shop-broken",\n');
    fs.writeFileSync(
      path.join(dir, "shop.rules.yaml"),
      "groups:\n  - name: shop\n    rules:\n      - alert: ShopDown\n        expr: up == 0\n        for: 5 minutes\n",
    );
    const msg = await programError(stackInput("dev", { signals: { directory: "bin/signals-fixture" } }));
    const lines = msg.split("\n");
    expect(lines[0]).to.contain("Invalid signal files (2 problems):");
    expect(lines[1]).to.match(
      /^ {2}- bin\/signals-fixture\/dashboards\/Shop\/broken\.json: is not valid JSON \(/,
    );
    expect(lines[2]).to.equal(
      '  - bin/signals-fixture/shop.rules.yaml: groups[0].rules[0].for: "5 minutes" is not a Prometheus duration; write 5m (a number and one of the units ms, s, m, h, d, w, y, no space)',
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
