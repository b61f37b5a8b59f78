import { parseQuantity } from "../config/quantity";

/**
 * Where one container of a chart takes its resources, and how many of it run. Read against the
 * values the program sends, so the budget and the README table are computed, not typed in.
 */
export interface ContainerSlot {
  /** The container as the chart names it. */
  container: string;
  /** Values path of its `resources` (or, with `sizedBy: "istio-annotations"`, of its pod's annotations). */
  resources: string;
  /**
   * `resources`: the path holds a Kubernetes `resources` object. `istio-annotations`: the container
   * is an Istio sidecar that the injector sizes from its pod's `sidecar.istio.io/proxyCPU`,
   * `proxyMemory` and `proxyMemoryLimit` annotations at that path; without them the program causes
   * no such sidecar. Defaults to `resources`.
   */
  sizedBy?: "resources" | "istio-annotations";
  /** Values path of its replica count, or a fixed count. Defaults to 1. */
  replicas?: string | number;
  /** How many such containers one replica runs (e.g. two Grafana sidecars). Defaults to 1. */
  perReplica?: number;
  /**
   * Values paths that must all be on for it to run: `true`, or a non-empty object (such as the
   * dashboards an init container downloads). Defaults to always.
   */
  enabledWhen?: string[];
  /**
   * `pod`: runs all the time; `node`: a DaemonSet, one per node; `init`: an init container (it
   * does not add to the pod's effective request); `hook`: a Helm hook Job that runs at install
   * and upgrade only; `cron`: a CronJob's container, which runs on a schedule. Defaults to `pod`.
   */
  runs?: "pod" | "node" | "init" | "hook" | "cron";
  /**
   * `false`: sized on its own and left out of the budget total (Elasticsearch, whose data nodes
   * are sized for the data, not the laptop). Defaults to counted.
   */
  inBudget?: false;
}

export interface ContainerUsage {
  release: string;
  container: string;
  runs: "pod" | "node" | "init" | "hook" | "cron";
  /** Copies that run at once (replicas times per-replica count); per node for `node`. */
  count: number;
  cpu?: string;
  memory?: string;
  memoryLimit?: string;
  /** `false`: listed, but not in the budget total. Defaults to counted. */
  inBudget?: false;
}

export function valueAt(values: unknown, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function isOn(v: unknown): boolean {
  return v === true || (v !== null && typeof v === "object" && Object.keys(v).length > 0);
}

/** The `resources` shape of an Istio sidecar sized by its pod's annotations, or undefined when they are absent. */
function istioSidecarResources(annotations: unknown): unknown {
  if (annotations === null || typeof annotations !== "object") return undefined;
  const a = annotations as Record<string, unknown>;
  const cpu = a["sidecar.istio.io/proxyCPU"];
  const memory = a["sidecar.istio.io/proxyMemory"];
  if (cpu === undefined && memory === undefined) return undefined;
  return { requests: { cpu, memory }, limits: { memory: a["sidecar.istio.io/proxyMemoryLimit"] } };
}

/** The containers a release runs with the given values, and what each requests. */
export function containerUsage(
  release: string,
  values: unknown,
  slots: readonly ContainerSlot[],
): ContainerUsage[] {
  const usage: ContainerUsage[] = [];
  for (const slot of slots) {
    if (!(slot.enabledWhen ?? []).every((p) => isOn(valueAt(values, p)))) continue;
    const replicas =
      typeof slot.replicas === "string" ? valueAt(values, slot.replicas) : (slot.replicas ?? 1);
    const count = (typeof replicas === "number" ? replicas : 1) * (slot.perReplica ?? 1);
    if (count === 0) continue;
    const res =
      slot.sizedBy === "istio-annotations"
        ? istioSidecarResources(valueAt(values, slot.resources))
        : valueAt(values, slot.resources);
    if (res === undefined && slot.sizedBy === "istio-annotations") continue;
    const str = (p: string) => {
      const v = valueAt(res, p);
      return typeof v === "string" ? v : undefined;
    };
    usage.push({
      release,
      container: slot.container,
      runs: slot.runs ?? "pod",
      count,
      ...(str("requests.cpu") !== undefined ? { cpu: str("requests.cpu") } : {}),
      ...(str("requests.memory") !== undefined ? { memory: str("requests.memory") } : {}),
      ...(str("limits.memory") !== undefined ? { memoryLimit: str("limits.memory") } : {}),
      ...(slot.inBudget === false ? { inBudget: false as const } : {}),
    });
  }
  return usage;
}

/**
 * Total steady-state requests (pods and one copy of each DaemonSet per node), in cores and bytes.
 * Containers outside the budget are left out, unless `outside` asks for exactly those.
 */
export function totalRequests(
  usage: readonly ContainerUsage[],
  nodes = 1,
  outside = false,
): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const u of usage) {
    if (u.runs === "init" || u.runs === "hook" || u.runs === "cron") continue;
    if ((u.inBudget === false) !== outside) continue;
    const n = u.count * (u.runs === "node" ? nodes : 1);
    cpu += n * parseQuantity(u.cpu ?? "0");
    memory += n * parseQuantity(u.memory ?? "0");
  }
  return { cpu, memory };
}
