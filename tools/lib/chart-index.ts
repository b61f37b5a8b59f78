import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { gunzipSync } from "zlib";

/** The text of the first file inside a chart archive (`.tgz`) whose path matches, or undefined. */
function readMatching(archive: string, member: (name: string) => boolean): string | undefined {
  const tar = gunzipSync(fs.readFileSync(archive));
  // A tar file is 512-byte headers, each followed by its data rounded up to 512 bytes.
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    if (name === "") return undefined;
    const size = parseInt(header.subarray(124, 136).toString("utf8").replace(/\0.*$/s, "").trim(), 8);
    if (member(name)) return tar.subarray(at + 512, at + 512 + size).toString("utf8");
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

/** A file's text inside a chart archive (`.tgz`), or undefined when the archive lacks it. */
export function readFromArchive(archive: string, member: string): string | undefined {
  return readMatching(archive, (name) => name === member);
}

/** One chart version in a Helm repository's `index.yaml`: its `Chart.yaml`, digest and file. */
export interface ChartIndexEntry {
  name: string;
  version: string;
  digest: string;
  urls: string[];
  [field: string]: unknown;
}

/**
 * The index entry of one archive named `<chart>-<version>.tgz`, as `helm repo index` writes it:
 * the chart's own `Chart.yaml` fields, the archive's sha256 and its file name as a relative URL.
 */
export function chartIndexEntry(archive: string): ChartIndexEntry {
  const file = path.basename(archive);
  // The chart's own Chart.yaml sits one folder down; its dependencies' are deeper (charts/<dep>/).
  const text = readMatching(archive, (name) => /^[^/]+\/Chart\.yaml$/.test(name));
  if (text === undefined) throw new Error(`${archive}: no <chart>/Chart.yaml inside`);
  const meta = parse(text) as Record<string, unknown>;
  const digest = createHash("sha256").update(fs.readFileSync(archive)).digest("hex");
  // YAML reads a version such as 1.0 as a number; Helm's index holds strings.
  return { ...meta, name: String(meta["name"]), version: String(meta["version"]), digest, urls: [file] };
}

/**
 * A Helm repository index for every `.tgz` in `dir`, entries sorted by chart then version, with no
 * timestamps, so the same archives always give the same file.
 */
export function chartIndex(dir: string): string {
  const entries: Record<string, ChartIndexEntry[]> = {};
  const archives = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".tgz"))
    .sort();
  for (const file of archives) {
    const entry = chartIndexEntry(path.join(dir, file));
    (entries[entry.name] ??= []).push(entry);
  }
  const sorted = Object.fromEntries(
    Object.keys(entries)
      .sort()
      .map((k) => [k, entries[k]]),
  );
  return stringify({ apiVersion: "v1", entries: sorted }, { sortMapEntries: true });
}
