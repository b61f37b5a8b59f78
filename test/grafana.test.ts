import { expect } from "chai";
import { parse } from "yaml";
import { stackModel } from "../components/core";
import {
  communityDashboardFile,
  communityDashboards,
  communityDashboardUrl,
  DashboardFile,
  datasourceProvisioning,
  GrafanaDatasource,
  JAEGER_DATASOURCE_UID,
  LOKI_DATASOURCE_UID,
  projectDashboards,
  pruneLinks,
  sidecarDashboardValues,
  stackDatasources,
} from "../components/grafana";
import {
  prometheusDatasource,
  prometheusStackValues,
  prometheusStackValuesArgs,
} from "../components/monitoring";
import { stackRawConfig } from "./lib/helpers";
import { labelValues, logqlErrors, promqlErrors, variablesUsed } from "./lib/query-lang";
import { StackConfig, parseStackConfig } from "../components/core";

const dev = parseStackConfig(stackRawConfig("dev"));
const prod = parseStackConfig(stackRawConfig("prod"));

/** What the Loki part contributes once it is merged; here it only turns the flag on. */
const lokiOn: GrafanaDatasource[] = [
  {
    name: "Loki",
    type: "loki",
    uid: LOKI_DATASOURCE_UID,
    url: "http://loki-gateway.logging.svc",
    jsonData: {
      maxLines: 1000,
      derivedFields: [
        {
          name: "TraceID",
          matcherRegex: "trace_id=(\\w+)",
          datasourceUid: JAEGER_DATASOURCE_UID,
          url: "${__value.raw}",
        },
      ],
    },
  },
];

function datasources(config: StackConfig, extra: GrafanaDatasource[][] = []) {
  const alertmanager: GrafanaDatasource[] = config.alertmanager.enabled
    ? [{ name: "Alertmanager", type: "alertmanager", uid: "alertmanager", url: "http://am:9093/" }]
    : [];
  return stackDatasources([prometheusDatasource("monitoring")], [...alertmanager, ...extra.flat()]);
}

function dashboardsFor(config: StackConfig, extra: GrafanaDatasource[][] = []): DashboardFile[] {
  return projectDashboards({
    dashboards: config.dashboards,
    datasources: datasources(config, extra).all,
    stackNamespaces: ["monitoring", "logging"],
    alertmanagerEnabled: config.alertmanager.enabled,
    thresholds: { errorRatio: 0.05, latencyMs: 1000 },
  });
}

interface PanelJson {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; datasource: { type: string; uid: string } }[];
}
interface VariableJson {
  name: string;
  type: string;
  query: string;
  datasource?: { type: string; uid: string };
}
interface DashboardJson {
  uid: string;
  title: string;
  schemaVersion: number;
  links: { type: string; tags: string[]; placement?: string }[];
  panels: PanelJson[];
  templating: { list: VariableJson[] };
}

function parsed(file: DashboardFile): DashboardJson {
  return JSON.parse(file.json) as DashboardJson;
}

/** Every `{type, uid}` datasource reference anywhere in a dashboard. */
function datasourceRefs(value: unknown): { type: string; uid: string }[] {
  if (Array.isArray(value)) return value.flatMap(datasourceRefs);
  if (value === null || typeof value !== "object") return [];
  const obj = value as Record<string, unknown>;
  const own =
    obj["datasource"] !== undefined && typeof obj["datasource"] === "object"
      ? [obj["datasource"] as { type: string; uid: string }]
      : [];
  return [...own, ...Object.entries(obj).flatMap(([k, v]) => (k === "datasource" ? [] : datasourceRefs(v)))];
}

describe("Grafana datasources", () => {
  it("are Prometheus (from the chart, the default), Alertmanager, Loki and Jaeger on dev, with fixed uids", () => {
    const all = stackModel(dev).datasources;
    expect(all.all.map((d) => [d.uid, d.type, d.url, d.isDefault ?? false])).to.deep.equal([
      ["prometheus", "prometheus", "http://kube-prometheus-stack-prometheus.monitoring:9090/", true],
      ["alertmanager", "alertmanager", "http://kube-prometheus-stack-alertmanager.monitoring:9093/", false],
      ["loki", "loki", "http://loki-gateway.logging.svc", false],
      ["jaeger", "jaeger", "http://jaeger.tracing.svc:16686", false],
    ]);
    // The chart provisions Prometheus itself; the program's ConfigMap holds only the rest.
    expect(all.provisioned.map((d) => d.uid)).to.deep.equal(["alertmanager", "loki", "jaeger"]);
    expect(all.provisioned[0]?.jsonData).to.deep.equal({
      implementation: "prometheus",
      handleGrafanaManagedAlerts: false,
    });
  });

  it("lose Alertmanager when it is off, and everything without Grafana", () => {
    const noAm = parseStackConfig({ ...stackRawConfig("dev"), alertmanager: { enabled: false } });
    expect(stackModel(noAm).datasources.all.map((d) => d.uid)).to.deep.equal([
      "prometheus",
      "loki",
      "jaeger",
    ]);
    const noGrafana = parseStackConfig({ ...stackRawConfig("dev"), grafana: { enabled: false } });
    expect(stackModel(noGrafana).datasources).to.deep.equal({
      all: [],
      provisioned: [],
    });
  });

  it("take each enabled part's contribution, and drop links to datasources that do not exist", () => {
    const withLoki = datasources(dev, [lokiOn]);
    expect(withLoki.all.map((d) => d.uid)).to.deep.equal(["prometheus", "alertmanager", "loki"]);
    // Jaeger is off, so Loki's trace link to it goes with it.
    // A list left holding only links to absent datasources goes entirely.
    expect(withLoki.provisioned[1]?.jsonData).to.deep.equal({ maxLines: 1000 });
    const jaegerOn: GrafanaDatasource[] = [
      { name: "Jaeger", type: "jaeger", uid: JAEGER_DATASOURCE_UID, url: "http://jaeger:16686" },
    ];
    const both = datasources(dev, [lokiOn, jaegerOn]);
    expect((both.provisioned[1]?.jsonData?.["derivedFields"] as unknown[]).length).to.equal(1);
  });

  it("refuse two datasources with one uid", () => {
    expect(() => datasources(dev, [lokiOn, lokiOn])).to.throw("two datasources claim uid loki");
  });

  it("prune links in arrays and in single objects", () => {
    const known = new Set(["prometheus"]);
    expect(
      pruneLinks(
        {
          tracesToLogsV2: { datasourceUid: "loki", tags: ["pod"] },
          exemplarTraceIdDestinations: [
            { datasourceUid: "jaeger", name: "trace_id" },
            { datasourceUid: "prometheus", name: "x" },
          ],
          timeInterval: "30s",
        },
        known,
      ),
    ).to.deep.equal({
      exemplarTraceIdDestinations: [{ datasourceUid: "prometheus", name: "x" }],
      timeInterval: "30s",
    });
  });

  it("render as one provisioning file whose uids are those dashboards name", () => {
    const file = parse(datasourceProvisioning(datasources(dev, [lokiOn]).provisioned)) as {
      datasources: GrafanaDatasource[];
    };
    expect(file.datasources.map((d) => d.uid)).to.deep.equal(["alertmanager", "loki"]);
  });
});

describe("the project's dashboards", () => {
  const withoutLoki = dashboardsFor(dev);
  const withLoki = dashboardsFor(dev, [lokiOn]);

  it("are the service overview and the stack's health view, and the logs view only when Loki is a datasource", () => {
    expect(withoutLoki.map((f) => f.name)).to.deep.equal([
      "grafana-dashboard-service-overview",
      "grafana-dashboard-stack-health",
    ]);
    expect(withLoki.map((f) => f.name)).to.deep.equal([
      "grafana-dashboard-service-overview",
      "grafana-dashboard-stack-health",
      "grafana-dashboard-logs",
    ]);
    expect(withLoki.map((f) => f.folder)).to.deep.equal(["Observability", "Observability", "Observability"]);
  });

  it("are none when dashboards are switched off", () => {
    const off = parseStackConfig({ ...stackRawConfig("dev"), dashboards: { enabled: false } });
    expect(dashboardsFor(off)).to.deep.equal([]);
  });

  for (const file of dashboardsFor(dev, [lokiOn])) {
    describe(file.name, () => {
      const json = parsed(file);
      const known = new Map(datasources(dev, [lokiOn]).all.map((d) => [d.uid, d.type]));

      it("is valid JSON with a fixed uid, a title and unique panel ids", () => {
        expect(json.uid).to.match(/^[a-z0-9-]{1,40}$/);
        expect(json.title).to.be.a("string").and.not.equal("");
        const ids = json.panels.map((p) => p.id);
        expect(new Set(ids).size, "duplicate panel ids").to.equal(ids.length);
        expect(ids.every((id) => Number.isInteger(id) && id > 0)).to.equal(true);
        expect(json.panels.filter((p) => p.type !== "row").length).to.be.greaterThan(2);
      });

      it("lays panels out inside the 24-column grid without overlaps", () => {
        const cells = new Set<string>();
        for (const p of json.panels) {
          expect(p.gridPos.x + p.gridPos.w, p.title).to.be.at.most(24);
          for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
            for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
              const cell = `${x},${y}`;
              expect(cells.has(cell), `${p.title} overlaps at ${cell}`).to.equal(false);
              cells.add(cell);
            }
          }
        }
      });

      it("names the datasource of every panel and query by its fixed uid", () => {
        for (const p of json.panels.filter((x) => x.type !== "row")) {
          expect(known.get(p.datasource?.uid ?? ""), `${p.title}'s datasource`).to.equal(p.datasource?.type);
          for (const t of p.targets ?? []) expect(t.datasource, p.title).to.deep.equal(p.datasource);
        }
      });

      it("is in the classic JSON model Grafana 12.4's file provisioning loads", () => {
        // 42 is the newest schema version Grafana 12.4 migrates to; a newer one from an SDK bump
        // would mean the SDK has moved past the Grafana the stack runs.
        expect(json.schemaVersion).to.be.within(39, 42);
        expect(json).to.not.have.any.keys("elements", "layout", "spec");
      });

      it("links to the other project dashboards from its top bar", () => {
        expect(json.links).to.have.length(1);
        expect(json.links[0]).to.deep.include({ type: "dashboards", tags: ["observability"] });
        // `inControlsMenu` would move the link into the controls menu, which drops drop-downs.
        expect(json.links[0]).to.not.have.property("placement");
      });

      it("names only datasources that exist, by uid and matching type", () => {
        const refs = datasourceRefs(json);
        expect(refs.length).to.be.greaterThan(3);
        for (const ref of refs) {
          expect(known.get(ref.uid), `datasource uid ${ref.uid}`).to.equal(ref.type);
        }
      });

      it("fills its variables from label values, and uses only variables it defines", () => {
        const defined = new Set(json.templating.list.map((v) => v.name));
        expect(defined.has("namespace")).to.equal(true);
        for (const v of json.templating.list.filter((x) => x.type === "query")) {
          const lv = labelValues(v.query);
          expect(lv, v.query).to.not.equal(undefined);
          if (lv?.selector !== undefined) {
            const errors =
              v.datasource?.type === "loki" ? logqlErrors(lv.selector) : promqlErrors(lv.selector);
            expect(errors, v.query).to.deep.equal([]);
          }
        }
        const exprs = json.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
        for (const e of [...exprs, ...json.templating.list.map((v) => v.query)]) {
          for (const name of variablesUsed(e)) expect(defined.has(name), `$${name} in ${e}`).to.equal(true);
        }
      });

      it("has only queries that parse (PromQL with Prometheus's grammar, LogQL with Grafana's)", () => {
        const targets = json.panels.flatMap((p) => p.targets ?? []);
        expect(targets.length).to.be.greaterThan(2);
        for (const t of targets) {
          const errors = t.datasource.type === "loki" ? logqlErrors(t.expr) : promqlErrors(t.expr);
          expect(errors, t.expr).to.deep.equal([]);
        }
      });
    });
  }

  it("keep their uids, so provisioned dashboards update in place", () => {
    expect(withLoki.map((f) => [f.name, parsed(f).uid, f.dashboard.uid])).to.deep.equal([
      [
        "grafana-dashboard-service-overview",
        "observability-service-overview",
        "observability-service-overview",
      ],
      ["grafana-dashboard-stack-health", "observability-stack-health", "observability-stack-health"],
      ["grafana-dashboard-logs", "observability-logs", "observability-logs"],
    ]);
  });

  it("renders the same bytes every time, keys sorted", () => {
    expect(dashboardsFor(dev, [lokiOn]).map((f) => f.json)).to.deep.equal(withLoki.map((f) => f.json));
    const sorted = (_k: string, v: unknown): unknown =>
      v === null || typeof v !== "object" || Array.isArray(v)
        ? v
        : Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
          );
    for (const f of withLoki) {
      expect(f.json, f.name).to.equal(`${JSON.stringify(JSON.parse(f.json), sorted, 2)}\n`);
    }
  });

  it("colour the error and latency panels where the alerts fire", () => {
    const overview = parsed(withoutLoki[0] as DashboardFile);
    const p99 = overview.panels.find((p) => p.title === "p99 latency" && p.type === "stat") as unknown as {
      fieldConfig: { defaults: { thresholds: { steps: { value: number | null; color: string }[] } } };
    };
    expect(p99.fieldConfig.defaults.thresholds.steps).to.deep.equal([
      { color: "green", value: null },
      { color: "orange", value: 500 },
      { color: "red", value: 1000 },
    ]);
  });

  it("leave Alertmanager's panels out when it does not run", () => {
    const noAm = parseStackConfig({ ...stackRawConfig("dev"), alertmanager: { enabled: false } });
    const health = parsed(
      dashboardsFor(noAm).find((f) => f.name === "grafana-dashboard-stack-health") as DashboardFile,
    );
    expect(health.panels.filter((p) => p.type === "row").map((p) => p.title)).to.deep.equal([
      "Scrape targets",
      "Prometheus",
    ]);
    const withAm = parsed(withoutLoki[1] as DashboardFile);
    expect(withAm.panels.filter((p) => p.type === "row").map((p) => p.title)).to.deep.equal([
      "Scrape targets",
      "Prometheus",
      "Alertmanager",
    ]);
  });

  it("limit the health view to the stack's own namespaces", () => {
    const health = parsed(withoutLoki[1] as DashboardFile);
    const ns = health.templating.list.find((v) => v.name === "namespace") as unknown as {
      regex: string;
      allValue: string;
    };
    expect(ns.regex).to.equal("/^(monitoring|logging)$/");
    expect(ns.allValue).to.equal("monitoring|logging");
  });
});

describe("community dashboards, fetched at preview time and shipped as ConfigMaps", () => {
  const seed = dev.dashboards.community;

  it("are fetched from grafana.com's download path of each pinned revision, or the same path on a mirror", () => {
    expect(dev.dashboards.source).to.equal("https://grafana.com");
    expect(communityDashboardUrl(dev.dashboards.source, seed["nodeExporterFull"] as never)).to.equal(
      "https://grafana.com/api/dashboards/1860/revisions/37/download",
    );
    const mirrored = parseStackConfig({
      ...stackRawConfig("dev"),
      dashboards: { source: "http://127.0.0.1:8080/gcom/" },
    });
    expect(mirrored.dashboards.source).to.equal("http://127.0.0.1:8080/gcom");
  });

  it("replace the datasource input by the Prometheus uid and drop the author's id", () => {
    const text = JSON.stringify({ id: 7, title: "Node", panels: [{ datasource: "${DS_PROMETHEUS}" }] });
    const file = communityDashboardFile(
      "nodeExporterFull",
      seed["nodeExporterFull"] as never,
      "Community",
      text,
      "u",
    );
    expect(file.name).to.equal("grafana-dashboard-community-node-exporter-full");
    expect(file.folder).to.equal("Community");
    expect(JSON.parse(file.json)).to.deep.equal({
      id: null,
      title: "Node",
      panels: [{ datasource: "prometheus" }],
    });
  });

  it("refuse an answer that is not a dashboard, in one line naming the dashboard and the source", () => {
    expect(() =>
      communityDashboardFile("mysql", seed["mysql"] as never, "Community", "<html>", "http://x/y"),
    ).to.throw(
      "dashboards.community.mysql: cannot fetch grafana.com dashboard 7362 revision 5 from http://x/y: the answer is not JSON; mirror it and point `pulumi config set --path dashboards.source <url>` at the mirror, or switch it off with `pulumi config set --path dashboards.community.mysql.enabled false`",
    );
  });

  it("are placeholders offline, which name what preview fetches, and nothing without dashboards", async () => {
    const files = await communityDashboards(dev.dashboards, { offline: true });
    expect(files.map((f) => f.name)).to.deep.equal([
      "grafana-dashboard-community-kubernetes-cluster",
      "grafana-dashboard-community-mysql",
      "grafana-dashboard-community-node-exporter-full",
      "grafana-dashboard-community-postgres",
    ]);
    expect(JSON.parse(files[2]?.json ?? "")).to.deep.equal({
      title: "nodeExporterFull (grafana.com dashboard 1860, revision 37)",
      description:
        "Offline plan: not fetched. pulumi preview and up fetch https://grafana.com/api/dashboards/1860/revisions/37/download and ship it here.",
    });
    const off = parseStackConfig({ ...stackRawConfig("dev"), dashboards: { enabled: false } });
    expect(await communityDashboards(off.dashboards, { offline: true })).to.deep.equal([]);
  });

  it("refuse a source that is not an http(s) URL", () => {
    expect(() =>
      parseStackConfig({ ...stackRawConfig("dev"), dashboards: { source: "grafana.com" } }),
    ).to.throw(
      'Invalid stack config: dashboards.source: must be an http:// or https:// URL that serves grafana.com\'s dashboard API paths, got "grafana.com"; set e.g. `pulumi config set --path dashboards.source https://dashboards.example.com`',
    );
  });

  it("put dashboards into folders by annotation, the chart's own into the chart folder", () => {
    expect(sidecarDashboardValues(dev.dashboards)).to.deep.equal({
      folderAnnotation: "grafana_folder",
      annotations: { grafana_folder: "Kubernetes" },
      provider: { foldersFromFilesStructure: true },
    });
  });

  for (const [stack, config] of [
    ["dev", dev],
    ["prod", prod],
  ] as const) {
    it(`reach the chart's grafana values in ${stack}, with the chart's own Alertmanager datasource off`, () => {
      const values = prometheusStackValues(prometheusStackValuesArgs(config, "grafana-admin")) as {
        grafana: Record<string, unknown>;
      };
      const g = values.grafana;
      // Nothing for the chart to download: no download-dashboards init container, no grafana.com at pod start.
      expect(g["dashboards"]).to.equal(undefined);
      expect(g["dashboardProviders"]).to.equal(undefined);
      expect((g["sidecar"] as Record<string, unknown>)["dashboards"]).to.deep.equal(
        sidecarDashboardValues(config.dashboards),
      );
      expect((g["sidecar"] as Record<string, unknown>)["datasources"]).to.deep.equal({
        uid: "prometheus",
        alertmanager: { enabled: false },
      });
      expect(g["downloadDashboards"]).to.equal(undefined);
    });
  }
});
