import { patterns, Section } from "./reader";
import { CONTAINER_IDS, ContainerId, ContainerResources, DEFAULT_RESOURCES, Sizing } from "./sizing";

export const CLUSTER_TYPES = ["kind", "cloud"] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];

/** Where the stack runs. */
export interface ClusterConfig {
  /** `kind` (a laptop cluster: no LoadBalancer, self-signed kubelet certificates) or `cloud`. */
  type: ClusterType;
  /** The kubeconfig context the Kubernetes provider uses. */
  context: string;
  /** The StorageClass of every PersistentVolumeClaim. Defaults to the cluster's default class. */
  storageClass?: string;
}

/** Where charts come from: their public repositories, or one mirror for air-gapped clusters. */
export interface ChartsConfig {
  /**
   * An internal Helm repository (`https://...`, `http://...`) that serves every chart under its
   * own name, or an OCI registry prefix (`oci://registry/path`) under which each chart is
   * `<prefix>/<chart>`. Defaults to none: each chart's public repository.
   */
  mirror?: string;
  /** Seconds Helm waits for a release's resources to become ready. Defaults to 900. */
  timeoutSeconds: number;
}

/** The stack-wide settings every part may read: where it runs, its sizing, and where charts come from. */
export interface PlatformConfig {
  cluster: ClusterConfig;
  /** The resource preset: `laptop` or `production`. Defaults to `laptop`. */
  sizing: Sizing;
  /** Requests and memory limits of every container: the preset with `resources` overrides applied. */
  resources: Record<ContainerId, ContainerResources>;
  charts: ChartsConfig;
}

const HELM_REPO = /^https?:\/\/[^\s/]+(\/\S*)?$/;
const OCI_PREFIX = /^oci:\/\/[^\s/]+(\/\S*)?$/;

export function readCharts(s: Section): ChartsConfig {
  const mirror = s.optionalString("mirror");
  if (mirror !== undefined && !HELM_REPO.test(mirror) && !OCI_PREFIX.test(mirror)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(mirror)?.[1];
    s.problem(
      "mirror",
      scheme === undefined
        ? `must be a URL, got ${JSON.stringify(mirror)}`
        : `has unknown scheme "${scheme}" in ${JSON.stringify(mirror)}`,
      "use https:// or http:// for a Helm repository, or oci:// for an OCI registry prefix, e.g. `pulumi config set --path charts.mirror oci://registry.example.com/charts`",
    );
  }
  const charts: ChartsConfig = {
    timeoutSeconds: s.int("timeoutSeconds", 900, 30, 7200),
    ...(mirror !== undefined && (HELM_REPO.test(mirror) || OCI_PREFIX.test(mirror))
      ? { mirror: mirror.replace(/\/+$/, "") }
      : {}),
  };
  s.done();
  return charts;
}

export function readCluster(s: Section): ClusterConfig | undefined {
  const type = s.oneOf("type", CLUSTER_TYPES, undefined);
  const context = s.requiredString(
    "context",
    type === "kind" ? "kind-observability" : "<kubeconfig-context>",
  );
  const storageClass = s.optionalString("storageClass", {
    re: patterns.K8S_NAME,
    what: "a StorageClass name",
    example: "standard",
  });
  s.done();
  if (type === undefined || context === undefined) return undefined;
  return { type, context, ...(storageClass !== undefined ? { storageClass } : {}) };
}

export function readResources(s: Section, sizing: Sizing): Record<ContainerId, ContainerResources> {
  const resources = { ...DEFAULT_RESOURCES[sizing] };
  for (const key of s.keys()) {
    if (!(CONTAINER_IDS as readonly string[]).includes(key)) {
      s.raw(key);
      s.problem(key, "is not a known container", `use one of: ${CONTAINER_IDS.join(", ")}`);
      continue;
    }
    const id = key as ContainerId;
    const c = s.child(id);
    const base = resources[id];
    resources[id] = {
      cpu: c.quantity("cpu", base.cpu),
      memory: c.quantity("memory", base.memory),
      memoryLimit: c.quantity("memoryLimit", base.memoryLimit),
    };
    c.done();
  }
  return resources;
}
