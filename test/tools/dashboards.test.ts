/**
 * Community dashboards fetched as `pulumi preview` fetches them, from a fixture server on
 * 127.0.0.1 set as `dashboards.source`: the program ships each as a ConfigMap, and an
 * unreachable source stops it with one line. Nothing here leaves the loopback interface.
 */
import { expect } from "chai";
import * as http from "http";
import { AddressInfo } from "net";
import { runProgram } from "../../tools/lib/run-program";
import { stackInput } from "../lib/helpers";

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

/** A grafana.com-shaped dashboard with the datasource input the seed dashboards use. */
function fixture(id: string, revision: string): string {
  return JSON.stringify({
    __inputs: [{ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" }],
    id: 42,
    uid: `fixture-${id}`,
    title: `Fixture ${id} r${revision}`,
    panels: [{ type: "timeseries", datasource: { type: "prometheus", uid: "${DS_PROMETHEUS}" } }],
  });
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("community dashboards from dashboards.source", function () {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const m = /^\/gcom\/api\/dashboards\/(\d+)\/revisions\/(\d+)\/download$/.exec(req.url ?? "");
    if (m?.[1] === undefined || m[2] === undefined || m[1] === "404") {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(fixture(m[1], m[2]));
  });
  let base = "";

  before(async () => {
    base = await listen(server);
  });
  after(() => {
    server.close();
  });

  it("are fetched at preview at their pinned revisions and shipped as ConfigMaps in Grafana's folder", async () => {
    requests.length = 0;
    const { resources } = await runProgram({
      ...stackInput("dev", { dashboards: { source: `${base}/gcom/` } }),
      fetchDashboards: true,
    });
    expect([...requests].sort()).to.deep.equal([
      "/gcom/api/dashboards/1860/revisions/37/download",
      "/gcom/api/dashboards/6417/revisions/1/download",
      "/gcom/api/dashboards/7362/revisions/5/download",
      "/gcom/api/dashboards/9628/revisions/7/download",
    ]);
    const maps = resources.filter(
      (r) => r.type === CONFIGMAP && r.name.startsWith("grafana-dashboard-community-"),
    );
    expect(maps.map((m) => m.name).sort()).to.deep.equal([
      "grafana-dashboard-community-kubernetes-cluster",
      "grafana-dashboard-community-mysql",
      "grafana-dashboard-community-node-exporter-full",
      "grafana-dashboard-community-postgres",
    ]);
    const node = maps.find((m) => m.name === "grafana-dashboard-community-node-exporter-full");
    const meta = node?.inputs["metadata"] as {
      namespace: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    };
    expect(meta.namespace).to.equal("monitoring");
    expect(meta.labels["grafana_dashboard"]).to.equal("1");
    expect(meta.annotations).to.deep.equal({ grafana_folder: "Community" });
    const data = node?.inputs["data"] as Record<string, string>;
    const json = JSON.parse(data["grafana-dashboard-community-node-exporter-full.json"] ?? "") as {
      id: unknown;
      title: string;
      panels: { datasource: { uid: string } }[];
    };
    expect(json.title).to.equal("Fixture 1860 r37");
    expect(json.id).to.equal(null);
    expect(json.panels[0]?.datasource.uid).to.equal("prometheus");
  });

  it("stop the preview with one line when the source is unreachable", async () => {
    const closed = http.createServer();
    const gone = await listen(closed);
    await new Promise<void>((resolve) =>
      closed.close(() => {
        resolve();
      }),
    );
    const port = gone.split(":").pop() ?? "";
    let message = "";
    try {
      await runProgram({ ...stackInput("dev", { dashboards: { source: gone } }), fetchDashboards: true });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.equal(
      `dashboards.community.kubernetesCluster: cannot fetch grafana.com dashboard 6417 revision 1 from ${gone}/api/dashboards/6417/revisions/1/download: connect ECONNREFUSED 127.0.0.1:${port}; mirror it and point \`pulumi config set --path dashboards.source <url>\` at the mirror, or switch it off with \`pulumi config set --path dashboards.community.kubernetesCluster.enabled false\``,
    );
    expect(message.split("\n")).to.have.length(1);
  });

  it("stop the preview with one line when the source lacks a dashboard", async () => {
    let message = "";
    try {
      await runProgram({
        ...stackInput("dev", {
          dashboards: { source: `${base}/gcom`, community: { missing: { gnetId: 404, revision: 1 } } },
        }),
        fetchDashboards: true,
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(
      /^dashboards\.community\.missing: cannot fetch grafana\.com dashboard 404 revision 1 from http:\/\/127\.0\.0\.1:\d+\/gcom\/api\/dashboards\/404\/revisions\/1\/download: HTTP 404; /,
    );
  });

  it("are never fetched by the offline plan, which shows placeholders", async () => {
    requests.length = 0;
    const { resources } = await runProgram(stackInput("dev", { dashboards: { source: `${base}/gcom` } }));
    expect(requests).to.deep.equal([]);
    const node = resources.find((r) => r.name === "grafana-dashboard-community-node-exporter-full");
    const data = node?.inputs["data"] as Record<string, string>;
    expect(JSON.parse(data["grafana-dashboard-community-node-exporter-full.json"] ?? "")).to.deep.equal({
      title: "nodeExporterFull (grafana.com dashboard 1860, revision 37)",
      description: `Offline plan: not fetched. pulumi preview and up fetch ${base}/gcom/api/dashboards/1860/revisions/37/download and ship it here.`,
    });
  });
});
