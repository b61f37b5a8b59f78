import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { bumpCatalogue, catalogueFiles } from "../tools/lib/bump";
import { crdChanges } from "../tools/lib/crd-diff";
import { PROJECT_DIR } from "./lib/helpers";
import { CHARTS } from "../components/core";

const catalogue = () =>
  Object.fromEntries(
    catalogueFiles(PROJECT_DIR).map((f) => [f, fs.readFileSync(path.join(PROJECT_DIR, f), "utf8")]),
  );

/** The lines of one file that a bump changed. */
function changedLines(before: Record<string, string>, file: string, after: string): string[] {
  const old = (before[file] ?? "").split("\n");
  return after.split("\n").filter((l, i) => l !== old[i]);
}

describe("npm run bump", () => {
  it("finds every part's charts file", () => {
    expect(catalogueFiles(PROJECT_DIR)).to.include.members([
      "components/logging/charts.ts",
      "components/mesh/charts.ts",
      "components/monitoring/charts.ts",
    ]);
  });

  it("changes exactly the chart's version line, in the file of the part that pins it, by chart name or catalogue key", () => {
    const before = catalogue();
    const b = bumpCatalogue(before, "metrics-server", "3.14.0");
    expect([b.file, b.key, b.chart, b.from, b.to]).to.deep.equal([
      "components/monitoring/charts.ts",
      "metricsServer",
      "metrics-server",
      CHARTS.metricsServer.version,
      "3.14.0",
    ]);
    expect(changedLines(before, b.file, b.text)).to.deep.equal(['    version: "3.14.0",']);
    const istiod = bumpCatalogue(before, "istiod", "1.31.0");
    expect(istiod.file).to.equal("components/mesh/charts.ts");
    expect(changedLines(before, istiod.file, istiod.text)).to.deep.equal(['    version: "1.31.0",']);
    // istioBase and istioGateway sit beside it at the same version: only istiod's entry moves.
    expect(istiod.text.split(`version: "${CHARTS.istiod.version}"`).length - 1).to.equal(2);
    expect(bumpCatalogue(before, "istioBase", "1.31.0").chart).to.equal("base");
  });

  it("moves the repository too when --repo names another", () => {
    const b = bumpCatalogue(
      catalogue(),
      "promtail",
      "6.18.0",
      "https://grafana-community.github.io/helm-charts",
    );
    expect(b.repo).to.deep.equal({
      from: "https://grafana.github.io/helm-charts",
      to: "https://grafana-community.github.io/helm-charts",
    });
    expect(b.file).to.equal("components/logging/charts.ts");
    expect(changedLines(catalogue(), b.file, b.text)).to.deep.equal([
      '    repo: "https://grafana-community.github.io/helm-charts",',
      '    version: "6.18.0",',
    ]);
  });

  it("names what to do for an unknown chart, a chart in two entries, a bad version or no change", () => {
    expect(() => bumpCatalogue(catalogue(), "lokii", "1.0.0")).to.throw(
      /^bump: no chart lokii in components\/<part>\/charts\.ts; one of (.+, )?loki, promtail, alloy, .*kube-prometheus-stack/,
    );
    const logging = catalogue()["components/logging/charts.ts"] ?? "";
    expect(() =>
      bumpCatalogue(
        { "components/a/charts.ts": logging, "components/b/charts.ts": logging },
        "loki",
        "18.12.0",
      ),
    ).to.throw(
      "bump: loki names 2 entries (loki in components/a/charts.ts, loki in components/b/charts.ts); give the catalogue key",
    );
    expect(() => bumpCatalogue(catalogue(), "loki", "latest")).to.throw(
      "bump: latest is not a chart version (SemVer, such as 88.5.3)",
    );
    expect(() => bumpCatalogue(catalogue(), "loki", CHARTS.loki.version)).to.throw(
      `bump: loki is already at ${CHARTS.loki.version}`,
    );
    expect(() => bumpCatalogue(catalogue(), "loki", "18.12.0", "grafana-community")).to.throw(
      "bump: --repo grafana-community is not an https:// or oci:// repository",
    );
  });
});

describe("CRD changes in plan:diff --render", () => {
  const crd = (versions: { name: string; served: boolean; props: Record<string, unknown> }[]) => ({
    id: "apiextensions.k8s.io/v1 CustomResourceDefinition /widgets.example.com",
    kind: "CustomResourceDefinition",
    body: {
      metadata: { name: "widgets.example.com" },
      spec: {
        versions: versions.map((v) => ({
          name: v.name,
          served: v.served,
          schema: { openAPIV3Schema: { properties: { spec: { properties: v.props } } } },
        })),
      },
    },
  });

  it("lists newly served versions and the fields each served version adds or removes", () => {
    const before = [crd([{ name: "v1", served: true, props: { size: {}, old: {} } }])];
    const after = [
      crd([
        { name: "v1", served: true, props: { size: {}, ports: { items: { properties: { port: {} } } } } },
        { name: "v2", served: true, props: {} },
        { name: "v3", served: false, props: {} },
      ]),
    ];
    expect(crdChanges("widgets", before, after)).to.deep.equal([
      {
        release: "widgets",
        name: "widgets.example.com",
        change: "changed",
        servedAdded: ["v2"],
        servedRemoved: [],
        fieldsAdded: ["v1 spec.ports", "v1 spec.ports[].port"],
        fieldsRemoved: ["v1 spec.old"],
      },
    ]);
    expect(crdChanges("widgets", before, before)).to.deep.equal([]);
  });
});
