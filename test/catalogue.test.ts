import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { SHARED_DIR, sharedAvailable } from "./lib/helpers";
import { CHARTS, chartSource } from "../components/kit";

describe("the chart catalogue", () => {
  it("gives each chart's public repository when there is no mirror", () => {
    expect(chartSource("loki")).to.deep.equal({
      chart: "loki",
      version: "6.55.0",
      repositoryOpts: { repo: "https://grafana.github.io/helm-charts" },
    });
  });

  it("points every chart at a Helm repository mirror under its own name", () => {
    expect(chartSource("istioBase", "https://charts.internal/helm")).to.deep.equal({
      chart: "base",
      version: "1.30.3",
      repositoryOpts: { repo: "https://charts.internal/helm" },
    });
  });

  it("points every chart at <prefix>/<chart> under an OCI mirror", () => {
    expect(chartSource("kubePrometheusStack", "oci://registry.internal/charts")).to.deep.equal({
      chart: "oci://registry.internal/charts/kube-prometheus-stack",
      version: "82.14.1",
    });
  });

  it("pins exactly the versions of ../shared/docs/charts.md", function () {
    if (!sharedAvailable()) this.skip(); // the shared docs sit beside the clone in CI and on dev machines
    const doc = fs.readFileSync(path.join(SHARED_DIR, "docs", "charts.md"), "utf8");
    const rows = new Map<string, { repo: string; version: string }>();
    let lastRepo = "";
    for (const line of doc.split("\n")) {
      const m = /^\| [^|]+ \| `([^`]+)`[^|]*\| ([^|]+) \| ([0-9][^ |]*) \|/.exec(line);
      if (!m) continue;
      const repoCell = (m[2] ?? "").trim();
      const repo = repoCell === "same" ? lastRepo : repoCell.replace(/`/g, "");
      lastRepo = repo;
      rows.set(m[1] ?? "", { repo, version: m[3] ?? "" });
    }
    expect(rows.size).to.be.greaterThan(10);
    for (const pin of Object.values(CHARTS)) {
      const row = rows.get(pin.chart);
      expect(row, pin.chart).to.not.equal(undefined);
      expect(pin.version, pin.chart).to.equal(row?.version);
      expect(pin.repo, pin.chart).to.equal(row?.repo);
    }
  });
});
