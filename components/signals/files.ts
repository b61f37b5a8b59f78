import * as fs from "fs";
import * as path from "path";
import { FileProblem } from "./problems";

/** What a signals folder holds, read from disk; everything else works on this. */
export interface SignalFiles {
  /** `<directory>/dashboards/<folder>/<name>.json`, in path order. */
  dashboards: { file: string; folder: string; name: string; text: string }[];
  /** Every `*.rules.yaml` (or `.yml`) below the directory, in path order. */
  rules: { file: string; relative: string; text: string }[];
  /** Files the folder may not hold, as problems. */
  problems: FileProblem[];
}

/**
 * The project's directory: the nearest folder above this file that holds Pulumi.yaml, whether the
 * program runs from its sources (the Pulumi CLI), compiled into bin/ (tests, the offline plan) or
 * from another checkout (the e2e upgrade from an earlier revision). Defaults to the working directory.
 */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** Every file below `dir`, as paths relative to it with `/`, sorted. */
function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((p) => p.split(path.sep).join("/"))
    .filter((p) => fs.statSync(path.join(dir, p)).isFile())
    .sort();
}

/**
 * Reads the signals folder (`directory`, relative to `root`, the project): dashboards from
 * `dashboards/<Grafana folder>/<name>.json`, rule files from any `*.rules.yaml`. Promtool tests
 * (`*.test.yaml`) and Markdown stay in the repository. A missing folder holds nothing.
 */
export function readSignalFiles(root: string, directory: string): SignalFiles {
  const dir = path.resolve(root, directory);
  const out: SignalFiles = { dashboards: [], rules: [], problems: [] };
  if (!fs.existsSync(dir)) return out;
  for (const relative of walk(dir)) {
    const file = `${directory}/${relative}`;
    const text = (): string => fs.readFileSync(path.join(dir, relative), "utf8");
    if (/\.rules\.ya?ml$/.test(relative)) {
      out.rules.push({ file, relative, text: text() });
    } else if (relative.endsWith(".json")) {
      const parts = relative.split("/");
      if (parts.length === 3 && parts[0] === "dashboards") {
        out.dashboards.push({
          file,
          folder: parts[1] ?? "",
          name: (parts[2] ?? "").replace(/\.json$/, ""),
          text: text(),
        });
      } else {
        out.problems.push({
          file,
          problem: "is a JSON file outside dashboards/<Grafana folder>/, so it would not be shipped",
          fix: `move it to ${directory}/dashboards/<Grafana folder>/`,
        });
      }
    } else if (/\.ya?ml$/.test(relative) && !/\.test\.ya?ml$/.test(relative)) {
      out.problems.push({
        file,
        problem:
          "is neither a rule file (*.rules.yaml) nor a rule test (*.test.yaml), so it would not be shipped",
        fix: "rename it to <name>.rules.yaml (rules) or <name>.test.yaml (promtool tests)",
      });
    }
  }
  return out;
}
