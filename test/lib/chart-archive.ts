import * as fs from "fs";
import { parse } from "yaml";
import { gunzipSync } from "zlib";

/** A file's text inside a chart archive (`.tgz`), or undefined when the archive lacks it. */
export function readFromArchive(archive: string, member: string): string | undefined {
  const tar = gunzipSync(fs.readFileSync(archive));
  // A tar file is 512-byte headers, each followed by its data rounded up to 512 bytes.
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    if (name === "") return undefined;
    const size = parseInt(header.subarray(124, 136).toString("utf8").replace(/\0.*$/s, "").trim(), 8);
    if (name === member) return tar.subarray(at + 512, at + 512 + size).toString("utf8");
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

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
