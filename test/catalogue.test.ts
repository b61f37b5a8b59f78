import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { pinProblems } from "./lib/chart-archive";
import { requireUpstream, upstreamPath } from "./lib/upstream";
import { CHARTS } from "../components/core";
import { chartSource } from "../components/kit";

describe("the chart catalogue", () => {
  it("gives each chart's public repository when there is no mirror", () => {
    expect(chartSource(CHARTS.loki)).to.deep.equal({
      chart: "loki",
      version: CHARTS.loki.version,
      repositoryOpts: { repo: "https://grafana-community.github.io/helm-charts" },
    });
  });

  it("points every chart at a Helm repository mirror under its own name", () => {
    expect(chartSource(CHARTS.istioBase, "https://charts.internal/helm")).to.deep.equal({
      chart: "base",
      version: CHARTS.istioBase.version,
      repositoryOpts: { repo: "https://charts.internal/helm" },
    });
  });

  it("pins thanos from thanos-community's Helm repository", () => {
    expect(chartSource(CHARTS.thanos)).to.deep.equal({
      chart: "thanos",
      version: CHARTS.thanos.version,
      repositoryOpts: { repo: "https://thanos-community.github.io/helm-charts" },
    });
  });

  it("points every chart at <prefix>/<chart> under an OCI mirror", () => {
    expect(chartSource(CHARTS.kubePrometheusStack, "oci://registry.internal/charts")).to.deep.equal({
      chart: "oci://registry.internal/charts/kube-prometheus-stack",
      version: CHARTS.kubePrometheusStack.version,
    });
  });

  it("pins charts whose own Chart.yaml names exactly that chart and version, from the repository it names", function () {
    requireUpstream(this, "charts");
    const problems: string[] = [];
    for (const pin of Object.values(CHARTS)) {
      const archive = path.join(upstreamPath("charts"), `${pin.chart}-${pin.version}.tgz`);
      expect(fs.existsSync(archive), `${archive} (run \`npm run fetch:upstream\`)`).to.equal(true);
      problems.push(...pinProblems(pin, archive));
    }
    expect(problems).to.deep.equal([]);
  });

  it("names a pin whose archive declares another version, or is published elsewhere", function () {
    requireUpstream(this, "charts");
    const archive = path.join(upstreamPath("charts"), `loki-${CHARTS.loki.version}.tgz`);
    expect(pinProblems({ ...CHARTS.loki, version: "6.55.0" }, archive)).to.deep.equal([
      `loki: pinned 6.55.0, the archive's Chart.yaml says ${CHARTS.loki.version}`,
    ]);
    expect(
      pinProblems({ ...CHARTS.loki, repo: "https://grafana.github.io/helm-charts" }, archive),
    ).to.deep.equal([
      "loki: pinned from https://grafana.github.io/helm-charts, the archive's Chart.yaml says it is published at https://grafana-community.github.io/helm-charts",
    ]);
  });
});
