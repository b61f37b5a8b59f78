import * as fs from "fs";
import * as http from "http";

/**
 * The e2e run's `dashboards.source`: a loopback server with grafana.com's dashboard download path,
 * `/api/dashboards/<id>/revisions/<rev>/download`, so the real engine's previews and ups fetch the
 * community dashboards as users' do (from grafana.com or their mirror) without leaving the machine.
 * Each answer is a small grafana.com-shaped dashboard (a datasource input, one panel) that names
 * the id and revision asked for, so the suite can tell a fetched dashboard from the offline plan's
 * placeholder. Every request is logged, one line each.
 *
 * Run: node bin/tools/e2e/dashboard-source.js <port> <request-log>
 */

const DOWNLOAD = /^\/api\/dashboards\/(\d+)\/revisions\/(\d+)\/download$/;

/** The dashboard served for one id and revision: the same bytes every time. */
export function fixtureDashboard(id: string, revision: string): string {
  return JSON.stringify({
    __inputs: [{ name: "DS_PROMETHEUS", label: "Prometheus", type: "datasource", pluginId: "prometheus" }],
    id: Number(id),
    uid: `e2e-fixture-${id}`,
    title: `e2e fixture ${id} revision ${revision}`,
    schemaVersion: 39,
    panels: [
      {
        id: 1,
        type: "timeseries",
        title: "up",
        datasource: { type: "prometheus", uid: "${DS_PROMETHEUS}" },
        targets: [{ expr: "up", refId: "A" }],
      },
    ],
  });
}

function main(): void {
  const [port, log] = process.argv.slice(2);
  if (port === undefined || log === undefined) {
    process.stderr.write("usage: dashboard-source <port> <request-log>\n");
    process.exit(2);
  }
  const server = http.createServer((req, res) => {
    const m = DOWNLOAD.exec(req.url ?? "");
    fs.appendFileSync(log, `${req.method ?? "?"} ${req.url ?? ""} ${m ? 200 : 404}\n`);
    if (req.method !== "GET" || m?.[1] === undefined || m[2] === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(fixtureDashboard(m[1], m[2]));
  });
  server.listen(Number(port), "127.0.0.1");
}

if (require.main === module) main();
