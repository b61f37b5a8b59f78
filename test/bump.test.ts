import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { bumpCatalogue, CATALOGUE_FILE } from "../tools/lib/bump";
import { crdChanges } from "../tools/lib/crd-diff";
import { PROJECT_DIR } from "./lib/helpers";

const catalogue = () => fs.readFileSync(path.join(PROJECT_DIR, CATALOGUE_FILE), "utf8");

describe("npm run bump", () => {
  it("changes exactly the chart's version line, by chart name or catalogue key", () => {
    const before = catalogue();
    const b = bumpCatalogue(before, "metrics-server", "3.14.0");
    expect([b.key, b.chart, b.from, b.to]).to.deep.equal([
      "metricsServer",
      "metrics-server",
      "3.13.1",
      "3.14.0",
    ]);
    const changed = b.text.split("\n").filter((l, i) => l !== before.split("\n")[i]);
    expect(changed).to.deep.equal(['    version: "3.14.0",']);
    expect(bumpCatalogue(before, "istiod", "1.31.0").text).to.include(
      'istiod: { repo: "https://istio-release.storage.googleapis.com/charts", chart: "istiod", version: "1.31.0" }',
    );
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
    expect(b.text).to.include(
      'promtail: { repo: "https://grafana-community.github.io/helm-charts", chart: "promtail", version: "6.18.0" }',
    );
  });

  it("names what to do for an unknown chart, a chart in two entries, a bad version or no change", () => {
    expect(() => bumpCatalogue(catalogue(), "lokii", "1.0.0")).to.throw(
      /^bump: no chart lokii in components\/kit\/charts\/catalogue\.ts; one of prometheus-operator-crds, kube-prometheus-stack, /,
    );
    expect(() => bumpCatalogue(catalogue(), "loki", "latest")).to.throw(
      "bump: latest is not a chart version (SemVer, such as 88.5.3)",
    );
    expect(() => bumpCatalogue(catalogue(), "loki", "18.11.0")).to.throw("bump: loki is already at 18.11.0");
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
