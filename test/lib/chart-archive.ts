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

/** The name and version an archive's own `Chart.yaml` declares. */
export function chartIdentity(archive: string, chart: string): { name: string; version: string } {
  const text = readFromArchive(archive, `${chart}/Chart.yaml`);
  if (text === undefined) throw new Error(`${archive} has no ${chart}/Chart.yaml`);
  const meta = parse(text) as { name: string; version: unknown };
  return { name: meta.name, version: String(meta.version) }; // YAML reads 1.0 as a number
}
