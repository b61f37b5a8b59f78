import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { chartIndex } from "../../tools/lib/chart-index";
import { describeFetchError } from "../../tools/fetch-upstream";
import { PROJECT_DIR } from "../lib/helpers";
import { requireHelm } from "../lib/helm";
import { requireUpstream, upstreamPath } from "../lib/upstream";

const MOCHA = path.join(PROJECT_DIR, "node_modules", "mocha", "bin", "mocha.js");
/** Two unit files alone, with the unit suite's reporter (not .mocharc.json, which names them all). */
const UNIT_REPORTER = [
  "--no-config",
  "--reporter",
  "bin/test/lib/summary-reporter.js",
  "--reporter-option",
  "suite=unit",
];

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs a command with a hard time limit; resolves with its exit code and output. */
function runFor(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ms: number,
): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: PROJECT_DIR, env, detached: true });
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, ms);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

describe("first steps on a fresh clone", function () {
  this.timeout(120000);

  it("without the upstream files, the unit suite passes and says in one line how many checks it skipped and what gets them", () => {
    const empty = tmp("no-upstream-");
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, OBSERVABILITY_UPSTREAM_DIR: empty };
      delete env["CI"];
      const r = spawnSync(
        process.execPath,
        [MOCHA, ...UNIT_REPORTER, "bin/test/crd-schema.test.js", "bin/test/catalogue.test.js"],
        { cwd: PROJECT_DIR, env, encoding: "utf8" },
      );
      expect(r.status, r.stdout + r.stderr).to.equal(0);
      const lines = r.stdout.trimEnd().split("\n");
      const last = lines[lines.length - 1] ?? "";
      const skipped = Number(/(\d+) skipped$/.exec(last)?.[1]);
      expect(skipped, last).to.be.greaterThan(0);
      // One line before the count names them all, where they were looked for and the command.
      expect(lines[lines.length - 2]).to.match(
        new RegExp(
          `^${skipped} checks skipped: the upstream (charts|crds) are not at ${empty}/(charts|crds).*; run \`npm run fetch:upstream\` \\(needs network\\) or put \\.\\./shared beside the clone$`,
        ),
      );
      expect(r.stdout.match(/checks? skipped:/g)).to.have.length(1);
      // Under CI=true the same checks fail instead, naming the command.
      const ci = spawnSync(process.execPath, [MOCHA, ...UNIT_REPORTER, "bin/test/crd-schema.test.js"], {
        cwd: PROJECT_DIR,
        env: { ...env, CI: "true" },
        encoding: "utf8",
      });
      expect(ci.status).to.not.equal(0);
      expect(ci.stdout).to.include("run `npm run fetch:upstream` (CI=true: CI must provide them)");
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("fetch:upstream names the URL and the cause when a download fails", async () => {
    // A loopback port with nothing listening: the real error Node's fetch gives, with its cause.
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    const url = `http://127.0.0.1:${port}/index.yaml`;
    const err = await fetch(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeFetchError(url, err)).to.match(
      new RegExp(
        `^fetch-upstream: GET ${url} failed: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`,
      ),
    );
  });

  it("fetch:upstream's index makes the charts a Helm repository: the entries of ../shared/charts' own index, and helm installs from it", async function () {
    requireUpstream(this, "charts");
    const helm = requireHelm(this);
    const charts = upstreamPath("charts");
    const ours = parse(chartIndex(charts)) as { entries: Record<string, Record<string, unknown>[]> };
    const theirs = parse(fs.readFileSync(path.join(charts, "index.yaml"), "utf8")) as typeof ours;
    const key = (e: Record<string, unknown>) =>
      JSON.stringify([e["name"], e["version"], e["digest"], e["urls"], e["appVersion"], e["apiVersion"]]);
    const all = (i: typeof ours) => Object.values(i.entries).flat().map(key).sort();
    expect(all(ours)).to.deep.equal(all(theirs));

    // Served on loopback with only our index, helm finds and renders a chart from it.
    const dir = tmp("chart-repo-");
    fs.symlinkSync(
      path.join(charts, "metrics-server-3.13.0.tgz"),
      path.join(dir, "metrics-server-3.13.0.tgz"),
    );
    fs.writeFileSync(path.join(dir, "index.yaml"), chartIndex(dir));
    const server = http.createServer((req, res) => {
      const file = path.join(dir, path.basename(req.url ?? ""));
      if (!fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200);
      fs.createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const home = tmp("helm-home-");
      const r = await runFor(
        helm,
        ["template", "ms", "metrics-server", "--repo", `http://127.0.0.1:${port}`, "--version", "3.13.0"],
        { ...process.env, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home },
        60000,
      );
      fs.rmSync(home, { recursive: true, force: true });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include("kind: Deployment");
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("npm run e2e stops on a missing chart source before it builds anything", async () => {
    const cache = tmp("e2e-cache-");
    const runs = tmp("e2e-runs-");
    try {
      const r = await runFor(
        "bash",
        ["tools/e2e/run.sh", "suite"],
        { ...process.env, E2E_CHARTS_DIR: path.join(cache, "no-charts"), E2E_CACHE: cache, TMPDIR: runs },
        30000,
      );
      expect(r.killed, "run.sh went on past the chart check").to.equal(false);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(
        `[e2e] no Helm repository at ${path.join(cache, "no-charts")} (no index.yaml): run \`npm run fetch:upstream\``,
      );
      expect(fs.readdirSync(cache), "nothing built into the binaries' cache").to.deep.equal([]);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
      fs.rmSync(runs, { recursive: true, force: true });
    }
  });
});
