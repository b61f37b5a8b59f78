import { parse } from "yaml";
import { readFromArchive } from "../../tools/lib/chart-index";

/** The fields of an archive's own `Chart.yaml` that say what it is and where it is published. */
export function chartMeta(archive: string, chart: string): { name: string; version: string; home?: string } {
  const text = readFromArchive(archive, `${chart}/Chart.yaml`);
  if (text === undefined) throw new Error(`${archive} has no ${chart}/Chart.yaml`);
  const meta = parse(text) as { name: string; version: unknown; home?: unknown };
  return {
    name: meta.name,
    version: String(meta.version), // YAML reads 1.0 as a number
    ...(typeof meta.home === "string" ? { home: meta.home } : {}),
  };
}

/**
 * What is wrong with a catalogue pin, read against the archive of that chart: its Chart.yaml must
 * name the same chart and version, and when its `home` is a chart repository's page (loki's moved
 * to grafana-community's), the pin must fetch the chart from that repository.
 */
export function pinProblems(
  pin: { chart: string; version: string; repo: string },
  archive: string,
): string[] {
  const meta = chartMeta(archive, pin.chart);
  const problems: string[] = [];
  if (meta.name !== pin.chart) problems.push(`${pin.chart}: the archive's Chart.yaml names ${meta.name}`);
  if (meta.version !== pin.version) {
    problems.push(`${pin.chart}: pinned ${pin.version}, the archive's Chart.yaml says ${meta.version}`);
  }
  const strip = (url: string) => url.replace(/\/$/, "");
  if (meta.home !== undefined && /^https:\/\/[^/]+\.github\.io\/helm-charts\/?$/.test(meta.home)) {
    if (strip(pin.repo) !== strip(meta.home)) {
      problems.push(
        `${pin.chart}: pinned from ${pin.repo}, the archive's Chart.yaml says it is published at ${meta.home}`,
      );
    }
  }
  return problems;
}
