import { parse } from "yaml";
import { readFromArchive } from "../../tools/lib/chart-index";

/** The name and version an archive's own `Chart.yaml` declares. */
export function chartIdentity(archive: string, chart: string): { name: string; version: string } {
  const text = readFromArchive(archive, `${chart}/Chart.yaml`);
  if (text === undefined) throw new Error(`${archive} has no ${chart}/Chart.yaml`);
  const meta = parse(text) as { name: string; version: unknown };
  return { name: meta.name, version: String(meta.version) }; // YAML reads 1.0 as a number
}
