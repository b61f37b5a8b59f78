/**
 * Moves one chart of the catalogue to a new version and prints what that changes, for review:
 *
 *   npm run bump -- <chart> <version> [--repo <url>] [--stacks dev,prod,large] [--no-diff]
 *
 * It rewrites the chart's version line in the charts file of the part that installs it
 * (components/<part>/charts.ts), checks the chart archive's
 * own Chart.yaml when the archive is at hand (../shared/charts, or `npm run fetch:upstream`'s
 * cache), then prints `npm run plan:diff -- --render` of every stack against HEAD: CRD changes
 * first, then what the engine would replace or delete, then every rendered object that changes.
 * The archives are served to helm on 127.0.0.1 for that, so nothing is fetched from the internet
 * when they are at hand. docs/upgrades.md, "Upgrading a chart", is the procedure around it.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { parse } from "yaml";
import { bumpCatalogue, catalogueFiles } from "./lib/bump";
import { runMain } from "./lib/cli";
import { findProjectDir } from "./lib/stack-file";
import { upstreamPath } from "./lib/upstream";

const USAGE = "usage: npm run bump -- <chart> <version> [--repo <url>] [--stacks dev,prod,large] [--no-diff]";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => {
        if (typeof addr === "object" && addr !== null) resolve(addr.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** The version in an archive's Chart.yaml, read with tar (every chart archive holds `<chart>/Chart.yaml`). */
function archiveVersion(archive: string, chart: string): string | undefined {
  const r = spawnSync("tar", ["-xzOf", archive, `${chart}/Chart.yaml`], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  return String((parse(r.stdout) as { version?: unknown }).version);
}

async function main(argv: string[]): Promise<number> {
  const positional: string[] = [];
  let repo: string | undefined;
  let stacks = ["dev", "prod", "large"];
  let diff = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else if (a === "--repo") repo = argv[++i];
    else if (a === "--stacks") stacks = (argv[++i] ?? "").split(",").filter((s) => s !== "");
    else if (a === "--no-diff") diff = false;
    else if (a.startsWith("-")) {
      process.stderr.write(`unknown argument ${a}\n${USAGE}\n`);
      return 2;
    } else positional.push(a);
  }
  const [chart, version] = positional;
  if (chart === undefined || version === undefined || positional.length > 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const dir = findProjectDir(__dirname);
  const files = Object.fromEntries(
    catalogueFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
  );
  let bump;
  try {
    bump = bumpCatalogue(files, chart, version, repo);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const charts = upstreamPath("charts");
  const archive = path.join(charts, `${bump.chart}-${bump.to}.tgz`);
  if (fs.existsSync(archive)) {
    const declared = archiveVersion(archive, bump.chart);
    if (declared !== bump.to) {
      process.stderr.write(`bump: ${archive} declares version ${String(declared)}, not ${bump.to}\n`);
      return 1;
    }
  } else {
    process.stderr.write(
      `bump: no archive ${archive}: the plan diff renders from ${repo ?? "the chart's repository"}; run \`npm run fetch:upstream\` for the tests' copy\n`,
    );
  }
  fs.writeFileSync(path.join(dir, bump.file), bump.text);
  const moved = bump.repo !== undefined ? `, from ${bump.repo.to} (was ${bump.repo.from})` : "";
  process.stdout.write(`${bump.file}: ${bump.chart} ${bump.from} → ${bump.to}${moved}\n`);
  process.stdout.write(
    `The images listed beside the pin in ${bump.file} are the chart's at ${bump.from}: set each to the tag the new chart pulls (\`npm run test:tools\` names any that differ).\n\n`,
  );
  if (!diff || stacks.length === 0) return 0;

  // The archives at hand, served on loopback as the Helm repository plan:diff --render reads.
  let server: ReturnType<typeof spawn> | undefined;
  const env = { ...process.env };
  if (fs.existsSync(path.join(charts, "index.yaml"))) {
    const port = await freePort();
    server = spawn(
      "python3",
      ["-m", "http.server", "--bind", "127.0.0.1", String(port), "--directory", charts],
      {
        stdio: "ignore",
      },
    );
    env["PLAN_DIFF_CHARTS"] = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const c = net.connect(port, "127.0.0.1", () => {
          c.end();
          resolve(true);
        });
        c.on("error", () => {
          resolve(false);
        });
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    const tsx = require.resolve("tsx/cli", { paths: [dir] });
    let code = 0;
    for (const stack of stacks) {
      const r = spawnSync(
        process.execPath,
        [tsx, path.join("tools", "plan-diff.ts"), "--stack", stack, "--base", "HEAD", "--render"],
        { cwd: dir, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
      );
      process.stdout.write(r.stdout);
      if (r.status !== 0) {
        process.stderr.write(r.stderr);
        code = r.status ?? 1;
      }
      process.stdout.write("\n");
    }
    return code;
  } finally {
    server?.kill();
  }
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
