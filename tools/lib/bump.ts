/**
 * `npm run bump`: the one edit a chart upgrade makes to the catalogue, on its text, so the file
 * keeps its comments and layout and the diff is one line (two when the repository moves too).
 * The catalogue is folded from the parts: each part's `components/<part>/charts.ts` pins the
 * charts it installs, so the edit lands in the file of the part that owns the chart.
 */
import * as fs from "fs";
import * as path from "path";

/** Where the parts pin their charts, relative to the project. */
export const CATALOGUE_GLOB = "components/<part>/charts.ts";

/** Every part's charts file, relative to the project, in a stable order. */
export function catalogueFiles(projectDir: string): string[] {
  const components = path.join(projectDir, "components");
  return fs
    .readdirSync(components, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(components, d.name, "charts.ts")))
    .map((d) => `components/${d.name}/charts.ts`)
    .sort();
}

/** A Helm chart version: SemVer 2, as Helm requires (a leading `v` is allowed, as Helm allows). */
const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export interface Bump {
  /** The catalogue key (`kubePrometheusStack`). */
  key: string;
  chart: string;
  from: string;
  to: string;
  /** The repository after the bump, when it changes. */
  repo?: { from: string; to: string };
  /** The file that pins the chart (relative to the project). */
  file: string;
  /** That file's text after the bump. */
  text: string;
}

/** One entry of the catalogue's text: its key, chart, version, repository and where it sits. */
interface Entry {
  key: string;
  chart: string;
  version: string;
  repo: string;
  start: number;
  end: number;
}

function entries(text: string): Entry[] {
  const out: Entry[] = [];
  // `key: { repo: "...", chart: "...", version: "..." }`, on one line or several.
  // The pin's fields come before its images, so the text up to the first `}` holds them.
  const re = /^ {2}(\w+): \{([^}]*)\}/gm;
  for (const m of text.matchAll(re)) {
    const body = m[2] ?? "";
    const field = (name: string) => new RegExp(`${name}: "([^"]*)"`).exec(body)?.[1];
    const chart = field("chart");
    const version = field("version");
    const repo = field("repo");
    if (chart === undefined || version === undefined || repo === undefined) continue;
    out.push({ key: m[1] ?? "", chart, version, repo, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/**
 * The catalogue with one chart at a new version (and repository, when given). `files` maps each
 * part's charts file to its text; `chart` is the chart's name or its catalogue key. Throws,
 * naming what to do, for an unknown chart, a version that is no SemVer, or a bump that changes
 * nothing.
 */
export function bumpCatalogue(
  files: Readonly<Record<string, string>>,
  chart: string,
  version: string,
  repo?: string,
): Bump {
  const all = Object.entries(files).flatMap(([file, text]) => entries(text).map((e) => ({ ...e, file })));
  const matches = all.filter((e) => e.chart === chart || e.key === chart);
  if (matches.length === 0) {
    throw new Error(
      `bump: no chart ${chart} in ${CATALOGUE_GLOB}; one of ${[...new Set(all.map((e) => e.chart))].join(", ")}`,
    );
  }
  if (matches.length > 1) {
    throw new Error(
      `bump: ${chart} names ${matches.length} entries (${matches.map((e) => `${e.key} in ${e.file}`).join(", ")}); give the catalogue key`,
    );
  }
  if (!SEMVER.test(version)) {
    throw new Error(`bump: ${version} is not a chart version (SemVer, such as 88.5.3)`);
  }
  if (repo !== undefined && !/^(https:\/\/|oci:\/\/)\S+$/.test(repo)) {
    throw new Error(`bump: --repo ${repo} is not an https:// or oci:// repository`);
  }
  const e = matches[0] as Entry & { file: string };
  const text = files[e.file] ?? "";
  const repoChanges = repo !== undefined && repo !== e.repo;
  if (e.version === version && !repoChanges) {
    throw new Error(`bump: ${e.chart} is already at ${version}`);
  }
  let block = text.slice(e.start, e.end).replace(`version: "${e.version}"`, `version: "${version}"`);
  if (repoChanges) block = block.replace(`repo: "${e.repo}"`, `repo: "${repo}"`);
  return {
    key: e.key,
    chart: e.chart,
    from: e.version,
    to: version,
    ...(repoChanges ? { repo: { from: e.repo, to: repo } } : {}),
    file: e.file,
    text: text.slice(0, e.start) + block + text.slice(e.end),
  };
}
