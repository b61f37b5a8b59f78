import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findProjectDir } from "./stack-file";

/**
 * Where the pinned upstream files (CRDs, chart archives) come from: `../shared/` beside the clone
 * when it is there, else what `npm run fetch:upstream` downloaded into the cache (the same
 * layout: `crds/…`, `charts/<chart>-<version>.tgz`). `OBSERVABILITY_UPSTREAM_DIR` overrides both.
 */
export function upstreamDir(): string {
  const override = process.env["OBSERVABILITY_UPSTREAM_DIR"];
  if (override !== undefined && override !== "") return override;
  const shared = path.resolve(findProjectDir(__dirname), "..", "shared");
  if (fs.existsSync(path.join(shared, "crds"))) return shared;
  const cache = process.env["XDG_CACHE_HOME"] ?? path.join(os.homedir(), ".cache");
  return path.join(cache, "observability-stack", "upstream");
}

export type UpstreamPart = "crds" | "charts";

export function upstreamPath(part: UpstreamPart): string {
  return path.join(upstreamDir(), part);
}
