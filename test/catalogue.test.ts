import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { chartIdentity } from "./lib/chart-archive";
import { SHARED_DIR, sharedAvailable } from "./lib/helpers";
import { requireUpstream, upstreamPath } from "./lib/upstream";
import { CHARTS } from "../components/core";
import { chartSource } from "../components/kit";

describe("the chart catalogue", () => {
  it("gives each chart's public repository when there is no mirror", () => {
    expect(chartSource(CHARTS.loki)).to.deep.equal({
      chart: "loki",
      version: "6.55.0",
      repositoryOpts: { repo: "https://grafana.github.io/helm-charts" },
    });
  });

  it("points every chart at a Helm repository mirror under its own name", () => {
    expect(chartSource(CHARTS.istioBase, "https://charts.internal/helm")).to.deep.equal({
      chart: "base",
      version: "1.30.3",
      repositoryOpts: { repo: "https://charts.internal/helm" },
    });
  });

  it("pins thanos 0.38.0 from thanos-community's Helm repository", () => {
    expect(chartSource(CHARTS.thanos)).to.deep.equal({
      chart: "thanos",
      version: "0.38.0",
      repositoryOpts: { repo: "https://thanos-community.github.io/helm-charts" },
    });
  });

  it("points every chart at <prefix>/<chart> under an OCI mirror", () => {
    expect(chartSource(CHARTS.kubePrometheusStack, "oci://registry.internal/charts")).to.deep.equal({
      chart: "oci://registry.internal/charts/kube-prometheus-stack",
      version: "82.14.1",
    });
  });

  it("pins charts that exist upstream at exactly those versions", function () {
    requireUpstream(this, "charts");
    for (const pin of Object.values(CHARTS)) {
      const archive = path.join(upstreamPath("charts"), `${pin.chart}-${pin.version}.tgz`);
      expect(fs.existsSync(archive), `${archive} (run \`npm run fetch:upstream\`)`).to.equal(true);
      expect(chartIdentity(archive, pin.chart)).to.deep.equal({ name: pin.chart, version: pin.version });
    }
  });

  it("pins exactly the versions of ../shared/docs/charts.md", function () {
    if (!sharedAvailable()) {
      // The project's chart notes sit beside the clone on its own machines only; the check above
      // reads the archives themselves wherever `npm run fetch:upstream` has run.
      console.warn(`      skipped: ${SHARED_DIR}/docs/charts.md is not beside the clone`);
      this.skip();
    }
    const doc = fs.readFileSync(path.join(SHARED_DIR, "docs", "charts.md"), "utf8");
    // A row's repository cell names one repository, `same` (the row above's), or several in
    // backticks (thanos: its OCI registry and its chart-releaser Helm repository).
    const rows = new Map<string, { repos: string[]; version: string }>();
    let lastRepos: string[] = [];
    for (const line of doc.split("\n")) {
      const m = /^\| [^|]+ \| `([^`]+)`[^|]*\| ([^|]+) \| ([0-9][^ |]*) \|/.exec(line);
      if (!m) continue;
      const repoCell = (m[2] ?? "").trim();
      const quoted = [...repoCell.matchAll(/`([^`]+)`/g)].map((q) => q[1] ?? "");
      const repos = repoCell === "same" ? lastRepos : quoted.length > 0 ? quoted : [repoCell];
      lastRepos = repos;
      rows.set(m[1] ?? "", { repos, version: m[3] ?? "" });
    }
    expect(rows.size).to.be.greaterThan(10);
    // The front door's charts are listed, with the tag each was packaged from, in the chart
    // repository's own README (../shared/charts/README.md), not yet in charts.md.
    const readme = fs.readFileSync(path.join(SHARED_DIR, "charts", "README.md"), "utf8");
    const frontDoor = readme.slice(readme.indexOf("## Charts for the front door"));
    for (const line of frontDoor.split("\n")) {
      const m = /^\| ([a-z][-a-z]*) \| (v?[0-9][^ |]*) \| ([^|]+) \|/.exec(line);
      if (m && !rows.has(m[1] ?? "")) rows.set(m[1] ?? "", { repos: [], version: m[2] ?? "" });
    }
    for (const pin of Object.values(CHARTS)) {
      const row = rows.get(pin.chart);
      expect(row, pin.chart).to.not.equal(undefined);
      expect(pin.version, pin.chart).to.equal(row?.version);
      if (row !== undefined && row.repos.length > 0) expect(row.repos, pin.chart).to.include(pin.repo);
    }
  });
});
