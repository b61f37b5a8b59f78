/**
 * Downloads the pinned upstream files the schema and chart checks read, for a clone that does not
 * have `../shared/` beside it (GitHub Actions, a contributor's laptop): the CRDs of the operator
 * versions the stack pins and every chart archive of the catalogue, into
 * `~/.cache/observability-stack/upstream/` (or `$OBSERVABILITY_UPSTREAM_DIR`), in the layout of
 * `../shared/`, with `charts/index.yaml`, so the folder is the Helm repository that `npm run e2e`
 * serves as its chart mirror. Needs network; a second run downloads only what is missing.
 *
 *   npm run fetch:upstream
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CHARTS } from "../components/core";
import { chartIndex } from "./lib/chart-index";
import { upstreamDir } from "./lib/upstream";

const PROMETHEUS_OPERATOR = "v0.89.0";
const PROMETHEUS_KINDS = [
  "alertmanagerconfigs",
  "alertmanagers",
  "podmonitors",
  "probes",
  "prometheusagents",
  "prometheuses",
  "prometheusrules",
  "scrapeconfigs",
  "servicemonitors",
  "thanosrulers",
];
const ISTIO = "1.30.3";
const ECK = "3.5.0";

/** Each CRD file: where it goes under `crds/`, and the upstream tag's raw file. */
export const CRD_FILES: { file: string; url: string }[] = [
  ...PROMETHEUS_KINDS.map((kind) => ({
    file: `prometheus-operator-${PROMETHEUS_OPERATOR}/crd-${kind}.yaml`,
    url: `https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/${PROMETHEUS_OPERATOR}/example/prometheus-operator-crd/monitoring.coreos.com_${kind}.yaml`,
  })),
  {
    file: `istio-${ISTIO}/crd-all.gen.yaml`,
    url: `https://raw.githubusercontent.com/istio/istio/${ISTIO}/manifests/charts/base/files/crd-all.gen.yaml`,
  },
  {
    file: `eck-${ECK}/all-crds.yaml`,
    url: `https://raw.githubusercontent.com/elastic/cloud-on-k8s/v${ECK}/config/crds/v1/all-crds.yaml`,
  },
];

/**
 * One line for a failed download: the URL, then the cause Node's fetch keeps in `cause` (a DNS
 * failure, a refused connection, a TLS error), not only its "fetch failed".
 */
export function describeFetchError(url: string, err: unknown): string {
  const reasons: string[] = [];
  for (let e: unknown = err; e instanceof Error && reasons.length < 4; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    const text = typeof code === "string" && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
    if (!reasons.includes(text)) reasons.push(text);
  }
  if (reasons.length === 0) reasons.push(String(err));
  return `fetch-upstream: GET ${url} failed: ${reasons.join(": ")}`;
}

async function get(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(describeFetchError(url, err), { cause: err });
  }
  if (!response.ok) {
    throw new Error(
      `fetch-upstream: GET ${url} failed: HTTP ${response.status} ${response.statusText}`.trimEnd(),
    );
  }
  return response;
}

/** Downloads `url` to `to` unless the file is there; true when it downloaded. */
async function download(url: string, to: string): Promise<boolean> {
  if (fs.existsSync(to)) return false;
  const response = await get(url);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  // Written under a temporary name first, so an interrupted run never leaves half a file.
  fs.writeFileSync(`${to}.part`, Buffer.from(await response.arrayBuffer()));
  fs.renameSync(`${to}.part`, to);
  console.log(`fetched ${url}`);
  return true;
}

/** The archive URL a Helm repository's index gives for one chart version. */
async function chartUrl(repo: string, chart: string, version: string): Promise<string> {
  const base = repo.endsWith("/") ? repo : `${repo}/`;
  const response = await get(new URL("index.yaml", base).toString());
  const index = parse(await response.text()) as {
    entries: Record<string, { version: string; urls: string[] }[]>;
  };
  const entry = (index.entries[chart] ?? []).find((e) => e.version === version);
  const url = entry?.urls[0];
  if (url === undefined) throw new Error(`fetch-upstream: ${base} has no ${chart} ${version}`);
  return new URL(url, base).toString();
}

async function main(): Promise<void> {
  const dir = upstreamDir();
  for (const crd of CRD_FILES) await download(crd.url, path.join(dir, "crds", crd.file));
  const charts = path.join(dir, "charts");
  let fetched = false;
  for (const pin of Object.values(CHARTS)) {
    const to = path.join(charts, `${pin.chart}-${pin.version}.tgz`);
    if (!fs.existsSync(to))
      fetched = (await download(await chartUrl(pin.repo, pin.chart, pin.version), to)) || fetched;
  }
  // The folder is a Helm repository, which `npm run e2e` serves as the chart mirror. An index
  // that is there (../shared's own) is left alone unless an archive was added.
  const index = path.join(charts, "index.yaml");
  if (fetched || !fs.existsSync(index)) fs.writeFileSync(index, chartIndex(charts));
  console.log(
    `upstream CRDs and charts are in ${dir} (a Helm repository: ${path.join(charts, "index.yaml")})`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
