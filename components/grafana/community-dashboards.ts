import * as pulumi from "@pulumi/pulumi";
import { PROMETHEUS_DATASOURCE_UID } from "./datasource";
import { CommunityDashboard, communityConfigMapName, DashboardsConfig } from "./config";

/** The annotation whose value names a dashboard ConfigMap's Grafana folder. */
export const FOLDER_ANNOTATION = "grafana_folder";
/**
 * Set to `1` by the offline plan and the test suite (tools/lib/run-program.ts): the program then
 * fetches nothing and each community dashboard is a placeholder that names what `pulumi preview`
 * fetches, so the plan stays offline and the same byte for byte.
 */
export const OFFLINE_DASHBOARDS_ENV = "OBSERVABILITY_OFFLINE_DASHBOARDS";
/** A ConfigMap holds at most 1 MiB. */
const CONFIGMAP_LIMIT = 1024 * 1024;

/**
 * Grafana's dashboard sidecar settings for folders: the sidecar writes a ConfigMap into the
 * sub-directory its `grafana_folder` annotation names, and Grafana turns directories into
 * folders. kube-prometheus-stack's own dashboards get the chart folder through the same annotation.
 */
export function sidecarDashboardValues(d: DashboardsConfig): Record<string, unknown> {
  return {
    folderAnnotation: FOLDER_ANNOTATION,
    annotations: { [FOLDER_ANNOTATION]: d.chartFolder },
    provider: { foldersFromFilesStructure: true },
  };
}

/** A community dashboard as a file for Grafana's sidecar, like the project's own. */
export interface CommunityDashboardFile {
  /** The ConfigMap's name; the file in it is `<name>.json`. */
  name: string;
  folder: string;
  /** The dashboard JSON, its datasource input replaced by the Prometheus datasource uid. */
  json: string;
}

/** Where the pinned revision is downloaded: grafana.com's API path, which a mirror serves too. */
export function communityDashboardUrl(source: string, c: CommunityDashboard): string {
  return `${source}/api/dashboards/${c.gnetId}/revisions/${c.revision}/download`;
}

/** One line that says which dashboard failed, from where, why, and what to do. */
export class DashboardFetchError extends pulumi.RunError {}

function fetchFailure(name: string, c: CommunityDashboard, url: string, why: string): DashboardFetchError {
  return new DashboardFetchError(
    `dashboards.community.${name}: cannot fetch grafana.com dashboard ${c.gnetId} revision ${c.revision} from ${url}: ${why}; ` +
      "mirror it and point `pulumi config set --path dashboards.source <url>` at the mirror, " +
      `or switch it off with \`pulumi config set --path dashboards.community.${name}.enabled false\``,
  );
}

/**
 * The dashboard file from the downloaded JSON: the `${<datasourceInput>}` placeholders replaced by
 * the Prometheus datasource uid (what the Grafana chart's download did with sed), parsed to make
 * sure it is a dashboard, and written back with sorted-stable formatting.
 */
export function communityDashboardFile(
  name: string,
  c: CommunityDashboard,
  folder: string,
  text: string,
  url: string,
): CommunityDashboardFile {
  const replaced = text.split(`\${${c.datasourceInput}}`).join(PROMETHEUS_DATASOURCE_UID);
  let parsed: unknown;
  try {
    parsed = JSON.parse(replaced);
  } catch {
    throw fetchFailure(name, c, url, "the answer is not JSON");
  }
  if (
    parsed === null ||
    typeof parsed !== "object" ||
    typeof (parsed as { title?: unknown }).title !== "string"
  ) {
    throw fetchFailure(name, c, url, "the answer is not a dashboard (it has no title)");
  }
  // Grafana assigns ids; a provisioned dashboard with the author's id could clash with another.
  const json = JSON.stringify({ ...(parsed as Record<string, unknown>), id: null }, null, 2);
  if (Buffer.byteLength(json) > CONFIGMAP_LIMIT) {
    throw fetchFailure(
      name,
      c,
      url,
      `it is ${Buffer.byteLength(json)} bytes, more than a ConfigMap holds (1 MiB)`,
    );
  }
  return { name: communityConfigMapName(name), folder, json };
}

/** What the offline plan shows in place of a community dashboard: what `pulumi preview` would fetch. */
export function offlineCommunityDashboardFile(
  name: string,
  c: CommunityDashboard,
  folder: string,
  url: string,
): CommunityDashboardFile {
  const placeholder = {
    title: `${name} (grafana.com dashboard ${c.gnetId}, revision ${c.revision})`,
    description: `Offline plan: not fetched. pulumi preview and up fetch ${url} and ship it here.`,
  };
  return { name: communityConfigMapName(name), folder, json: JSON.stringify(placeholder, null, 2) };
}

export type Fetcher = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

/** Why a fetch failed, without Node's nesting: `connect ECONNREFUSED 127.0.0.1:9`. */
function reason(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Every configured community dashboard at its pinned revision, fetched once per `pulumi preview`
 * or `up` from `dashboards.source` (grafana.com or a mirror that serves its API paths), so Grafana
 * never downloads anything when its pod starts and the preview shows what each dashboard holds.
 * The first that cannot be fetched stops the program with one line. Offline (see
 * OFFLINE_DASHBOARDS_ENV), nothing is fetched and placeholders stand in.
 */
export async function communityDashboards(
  d: DashboardsConfig,
  options: { offline: boolean; fetcher?: Fetcher; timeoutMs?: number },
): Promise<CommunityDashboardFile[]> {
  if (!d.enabled) return [];
  const files: CommunityDashboardFile[] = [];
  for (const [name, c] of Object.entries(d.community)) {
    const url = communityDashboardUrl(d.source, c);
    if (options.offline) {
      files.push(offlineCommunityDashboardFile(name, c, d.communityFolder, url));
      continue;
    }
    const fetcher: Fetcher = options.fetcher ?? fetch;
    let text: string;
    try {
      const res = await fetcher(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
      if (!res.ok) throw fetchFailure(name, c, url, `HTTP ${res.status}`);
      text = await res.text();
    } catch (err) {
      if (err instanceof DashboardFetchError) throw err;
      throw fetchFailure(name, c, url, reason(err));
    }
    files.push(communityDashboardFile(name, c, d.communityFolder, text, url));
  }
  return files;
}
