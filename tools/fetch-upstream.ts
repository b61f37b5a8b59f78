/**
 * Downloads the pinned upstream files the schema and chart checks read, for a clone that does not
 * have `../shared/` beside it (GitHub Actions, a contributor's laptop): the CRDs of the operator
 * versions the stack pins and every chart archive of the catalogue, into
 * `~/.cache/observability-stack/upstream/` (or `$OBSERVABILITY_UPSTREAM_DIR`), in the layout of
 * `../shared/`. Needs network; a second run downloads only what is missing.
 *
 *   npm run fetch:upstream
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CHARTS } from "../components/core";
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

async function download(url: string, to: string): Promise<void> {
  if (fs.existsSync(to)) return;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetch-upstream: ${url}: HTTP ${response.status}`);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  // Written under a temporary name first, so an interrupted run never leaves half a file.
  fs.writeFileSync(`${to}.part`, Buffer.from(await response.arrayBuffer()));
  fs.renameSync(`${to}.part`, to);
  console.log(`fetched ${url}`);
}

/** The archive URL a Helm repository's index gives for one chart version. */
async function chartUrl(repo: string, chart: string, version: string): Promise<string> {
  const base = repo.endsWith("/") ? repo : `${repo}/`;
  const response = await fetch(new URL("index.yaml", base));
  if (!response.ok) throw new Error(`fetch-upstream: ${base}index.yaml: HTTP ${response.status}`);
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
  for (const pin of Object.values(CHARTS)) {
    const to = path.join(dir, "charts", `${pin.chart}-${pin.version}.tgz`);
    if (!fs.existsSync(to)) await download(await chartUrl(pin.repo, pin.chart, pin.version), to);
  }
  console.log(`upstream CRDs and charts are in ${dir}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
