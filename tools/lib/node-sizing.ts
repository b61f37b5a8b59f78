import { parseQuantity } from "../../components/kit";
import type { ContainerUsage } from "../../components/kit";

/**
 * How many nodes a stack needs: its pods (built from the plan's containers), packed onto nodes of
 * one size under the scheduling rules the charts render. Pure: the plan's container rows in, the
 * count and what binds it out.
 */

/** One node's allocatable resources, as `kubectl get node -o jsonpath='{.status.allocatable}'` shows them. */
export interface NodeShape {
  /** Cores. */
  cpu: number;
  /** Bytes. */
  memory: number;
  /** Pods the kubelet admits (110 by default; fewer with the EKS VPC CNI on small instances). */
  pods: number;
}

/**
 * `8/32Gi`, or `8/32Gi/58` with the node's pod limit: CPU as cores or millicores, memory as a
 * Kubernetes quantity. Throws a message naming what is wrong.
 */
export function parseNodeShape(text: string): NodeShape {
  const parts = text.split("/");
  const usage = `--node takes <cpu>/<memory>[/<pods>], e.g. 8/32Gi or 8/32Gi/58; got "${text}"`;
  if (parts.length < 2 || parts.length > 3) throw new Error(usage);
  const [cpuText = "", memoryText = "", podsText = "110"] = parts;
  const valid = (q: string) => /^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.test(q);
  if (!valid(cpuText) || !valid(memoryText) || !/^\d+$/.test(podsText)) throw new Error(usage);
  const shape = { cpu: parseQuantity(cpuText), memory: parseQuantity(memoryText), pods: Number(podsText) };
  if (shape.cpu <= 0 || shape.memory < 2 ** 30 || shape.pods < 1) {
    throw new Error(`${usage}: a node needs some CPU, at least 1Gi of memory and room for a pod`);
  }
  return shape;
}

/**
 * A hard scheduling rule between the replicas of one pod: `node`, no two on one node (the charts'
 * required anti-affinity on `kubernetes.io/hostname`); `zones`, replicas split evenly over
 * `zones` groups, no node holding two groups (Loki's zone-aware ingesters).
 */
export type Spread = { kind: "node" } | { kind: "zones"; zones: number };

/**
 * The pod each container runs in, by release and container as the resource tables name them; a
 * container not listed is its own pod's main container.
 */
export const POD_OF: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "kube-prometheus-stack": {
    "prometheus config-reloader": "prometheus",
    "prometheus thanos-sidecar": "prometheus",
    "prometheus istio-proxy (certificate only)": "prometheus",
    "alertmanager config-reloader": "alertmanager",
    "grafana sidecars (dashboards, datasources)": "grafana",
    "grafana istio-proxy": "grafana",
  },
  loki: {
    "chunks-cache exporter": "chunks-cache (memcached)",
    "results-cache exporter": "results-cache (memcached)",
  },
  alloy: { "config-reloader": "alloy" },
};

/**
 * The hard rules the charts render with the program's values (test/tools checks this against
 * `helm template` of the real charts). Everything else, including the Prometheus operator's and
 * ECK's pods, has at most a preferred anti-affinity, which never leaves a pod Pending.
 */
export const HARD_SPREAD: Readonly<Record<string, Readonly<Record<string, Spread>>>> = {
  loki: {
    "single-binary": { kind: "node" },
    write: { kind: "node" },
    read: { kind: "node" },
    backend: { kind: "node" },
    "gateway (nginx)": { kind: "node" },
    distributor: { kind: "node" },
    querier: { kind: "node" },
    "query-frontend": { kind: "node" },
    "query-scheduler": { kind: "node" },
    "index-gateway": { kind: "node" },
    compactor: { kind: "node" },
    ingester: { kind: "zones", zones: 3 },
  },
};

/** A pod of the stack: what one replica requests and how many run. */
export interface PodGroup {
  release: string;
  pod: string;
  replicas: number;
  /** Cores and bytes one replica requests (its containers summed; init containers are smaller). */
  cpu: number;
  memory: number;
  spread?: Spread;
}

export interface StackPods {
  pods: PodGroup[];
  /** What the DaemonSets take on every node. */
  perNode: { cpu: number; memory: number; pods: number; names: string[] };
}

/** Groups a plan's container rows into pods and per-node DaemonSets (hooks, init and cron left out). */
export function stackPods(usage: readonly ContainerUsage[]): StackPods {
  const pods = new Map<string, PodGroup>();
  const daemonSets = new Set<string>();
  let dsCpu = 0;
  let dsMemory = 0;
  const key = (release: string, pod: string) => `${release}\u0000${pod}`;
  const steady = usage.filter((u) => u.runs === "pod" || u.runs === "node");
  const podOf = (u: ContainerUsage) => POD_OF[u.release]?.[u.container] ?? u.container;
  // Main containers first: a sidecar's count is per replica of the pod it joins.
  for (const u of steady.filter((x) => podOf(x) === x.container)) {
    if (u.runs === "node") continue;
    const spread = HARD_SPREAD[u.release]?.[u.container];
    pods.set(key(u.release, u.container), {
      release: u.release,
      pod: u.container,
      replicas: u.count,
      cpu: parseQuantity(u.cpu ?? "0"),
      memory: parseQuantity(u.memory ?? "0"),
      ...(spread !== undefined ? { spread } : {}),
    });
  }
  for (const u of steady) {
    const cpu = parseQuantity(u.cpu ?? "0");
    const memory = parseQuantity(u.memory ?? "0");
    if (u.runs === "node") {
      dsCpu += u.count * cpu;
      dsMemory += u.count * memory;
      daemonSets.add(`${u.release} ${podOf(u)}`);
      continue;
    }
    if (podOf(u) === u.container) continue;
    const pod = pods.get(key(u.release, podOf(u)));
    if (pod === undefined) {
      throw new Error(
        `${u.release}: ${u.container} joins pod ${podOf(u)}, which does not run (tools/lib/node-sizing.ts POD_OF)`,
      );
    }
    const perReplica = u.count / pod.replicas;
    pod.cpu += perReplica * cpu;
    pod.memory += perReplica * memory;
  }
  const names = [...daemonSets].sort();
  return {
    pods: [...pods.values()],
    perNode: { cpu: dsCpu, memory: dsMemory, pods: names.length, names },
  };
}

export type Constraint = "cpu" | "memory" | "pods" | "anti-affinity" | "zones" | "packing";

export interface NodeCount {
  /** The smallest node count that fits every pod, or undefined when some pod fits no node. */
  nodes?: number;
  /** Each constraint's own lower bound on the node count. */
  bounds: Record<Exclude<Constraint, "packing">, number>;
  /** The constraints whose bound equals the answer; `packing` when the answer exceeds every bound. */
  binding: Constraint[];
  /** What each binding constraint is, in words. */
  why: string[];
  /** Requests summed over the stack's pods, and the DaemonSets' per node. */
  totals: { cpu: number; memory: number; pods: number };
  perNode: StackPods["perNode"];
  /** A pod that fits no node of this shape (with the DaemonSets beside it). */
  tooBig?: PodGroup;
}

interface Placed {
  cpu: number;
  memory: number;
  pods: number;
  /** Per spread group (release + pod): the zone index held on this node, or true for `node`. */
  groups: Map<string, number>;
}

/** One replica to place: its pod, and its zone when the pod is zone-aware. */
interface Item {
  pod: PodGroup;
  group: string;
  zone: number;
}

/** Whether a replica may join a node, by resources and hard rules. */
function fits(x: Placed, item: Item, room: { cpu: number; memory: number; pods: number }): boolean {
  const { pod } = item;
  if (x.cpu + pod.cpu > room.cpu + 1e-9 || x.memory + pod.memory > room.memory || x.pods + 1 > room.pods) {
    return false;
  }
  const held = x.groups.get(item.group);
  if (pod.spread?.kind === "node") return held === undefined;
  if (pod.spread?.kind === "zones") return held === undefined || held === item.zone;
  return true;
}

/** Step budget of the exact search for one node count; past it the count is taken as too small. */
const SEARCH_STEPS = 200_000;

/**
 * Whether every replica fits on `n` nodes under every hard rule: first-fit decreasing in a few
 * orders, then an exact depth-first search (identical replicas kept in node order, empty nodes
 * tried once), which proves a count too small rather than guessing.
 */
function packs(stack: StackPods, node: NodeShape, n: number): boolean {
  const room = {
    cpu: node.cpu - stack.perNode.cpu,
    memory: node.memory - stack.perNode.memory,
    pods: node.pods - stack.perNode.pods,
  };
  const items: Item[] = [];
  for (const pod of stack.pods) {
    for (let i = 0; i < pod.replicas; i++) {
      // Zone-aware replicas are dealt out evenly: replica i is in zone i mod zones.
      const zone = pod.spread?.kind === "zones" ? i % pod.spread.zones : 0;
      items.push({ pod, group: `${pod.release}\u0000${pod.pod}`, zone });
    }
  }
  const byName = (a: Item, b: Item) => a.group.localeCompare(b.group) || a.zone - b.zone;
  const share = (p: PodGroup) => Math.max(p.cpu / room.cpu, p.memory / room.memory);
  const orders: ((p: PodGroup) => number)[] = [
    share,
    (p) => p.cpu / room.cpu + p.memory / room.memory,
    (p) => p.memory,
    (p) => p.cpu,
  ];
  const empty = (): Placed[] =>
    Array.from({ length: n }, () => ({ cpu: 0, memory: 0, pods: 0, groups: new Map<string, number>() }));
  const place = (x: Placed, item: Item) => {
    x.cpu += item.pod.cpu;
    x.memory += item.pod.memory;
    x.pods += 1;
    if (item.pod.spread !== undefined) x.groups.set(item.group, item.zone);
  };
  for (const size of orders) {
    const sorted = [...items].sort((a, b) => size(b.pod) - size(a.pod) || byName(a, b));
    const nodes = empty();
    if (
      sorted.every((item) => {
        const target = nodes.find((x) => fits(x, item, room));
        if (target !== undefined) place(target, item);
        return target !== undefined;
      })
    ) {
      return true;
    }
  }
  const sorted = [...items].sort((a, b) => share(b.pod) - share(a.pod) || byName(a, b));
  const nodes = empty();
  const at: number[] = [];
  let steps = 0;
  const search = (i: number): boolean => {
    if (i === sorted.length) return true;
    if (++steps > SEARCH_STEPS) return false;
    const item = sorted[i];
    if (item === undefined) return true;
    const prev = sorted[i - 1];
    // A replica identical to the one before goes to the same node or a later one.
    const from =
      prev !== undefined && prev.group === item.group && prev.zone === item.zone ? (at[i - 1] ?? 0) : 0;
    let triedEmpty = false;
    for (let j = from; j < n; j++) {
      const x = nodes[j];
      if (x === undefined) break;
      const isEmpty = x.pods === 0;
      if (isEmpty && triedEmpty) continue;
      if (!fits(x, item, room)) continue;
      if (isEmpty) triedEmpty = true;
      const saved = { cpu: x.cpu, memory: x.memory, pods: x.pods, held: x.groups.get(item.group) };
      place(x, item);
      at[i] = j;
      if (search(i + 1)) return true;
      x.cpu = saved.cpu;
      x.memory = saved.memory;
      x.pods = saved.pods;
      if (saved.held === undefined) x.groups.delete(item.group);
      else x.groups.set(item.group, saved.held);
    }
    return false;
  };
  return search(0);
}

function cores(n: number): string {
  return n >= 1 ? `${Number(n.toFixed(2))}` : `${Math.round(n * 1000)}m`;
}

function gibibytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${Number((bytes / 2 ** 30).toFixed(2))}Gi` : `${Math.round(bytes / 2 ** 20)}Mi`;
}

/** The smallest number of nodes of this shape that runs every pod of the stack, and why not fewer. */
export function nodesNeeded(stack: StackPods, node: NodeShape): NodeCount {
  const totals = { cpu: 0, memory: 0, pods: 0 };
  for (const p of stack.pods) {
    totals.cpu += p.replicas * p.cpu;
    totals.memory += p.replicas * p.memory;
    totals.pods += p.replicas;
  }
  const room = {
    cpu: node.cpu - stack.perNode.cpu,
    memory: node.memory - stack.perNode.memory,
    pods: node.pods - stack.perNode.pods,
  };
  const spread = stack.pods.filter((p) => p.spread !== undefined);
  const nodeSpread = spread.filter((p) => p.spread?.kind === "node");
  const zoneSpread = spread.filter((p) => p.spread?.kind === "zones");
  const most = Math.max(0, ...nodeSpread.map((p) => p.replicas));
  const widest = nodeSpread.filter((p) => p.replicas === most);
  const zones = Math.max(
    0,
    ...zoneSpread.map((p) => (p.spread?.kind === "zones" ? Math.min(p.spread.zones, p.replicas) : 0)),
  );
  const bounds = {
    cpu: room.cpu > 0 ? Math.ceil(totals.cpu / room.cpu - 1e-9) : Infinity,
    memory: room.memory > 0 ? Math.ceil(totals.memory / room.memory - 1e-9) : Infinity,
    pods: room.pods > 0 ? Math.ceil(totals.pods / room.pods) : Infinity,
    "anti-affinity": Math.max(1, most),
    zones: Math.max(1, zones),
  };
  const result: NodeCount = { bounds, binding: [], why: [], totals, perNode: stack.perNode };
  const tooBig = stack.pods.find((p) => p.cpu > room.cpu + 1e-9 || p.memory > room.memory || room.pods < 1);
  if (tooBig !== undefined) return { ...result, tooBig };
  const lower = Math.max(1, ...Object.values(bounds));
  let n = lower;
  while (!packs(stack, node, n)) n += 1;
  if (n === 1) return { ...result, nodes: 1, why: ["nothing: everything fits on one node"] };
  const binding: Constraint[] = (Object.keys(bounds) as (keyof typeof bounds)[]).filter(
    (k) => bounds[k] === n,
  );
  if (binding.length === 0) binding.push("packing");
  const why = binding.map((c): string => {
    switch (c) {
      case "cpu":
        return `CPU: the pods request ${cores(totals.cpu)} CPU, and each node has ${cores(room.cpu)} left after the DaemonSets`;
      case "memory":
        return `memory: the pods request ${gibibytes(totals.memory)}, and each node has ${gibibytes(room.memory)} left after the DaemonSets`;
      case "pods":
        return `pods per node: ${totals.pods} pods, and each node admits ${room.pods} beside the DaemonSets`;
      case "anti-affinity":
        return `hard anti-affinity: no two replicas of ${widest.map((p) => `${p.release} ${p.pod}`).join(", ")} (${most} each) may share a node`;
      case "zones":
        return `zone spread: Loki's zone-aware ingesters are in ${zones} zones, and two zones never share a node`;
      case "packing":
        return `packing: the pods' sizes and the anti-affinity together leave no way to fit them on ${n - 1} nodes`;
    }
  });
  return { ...result, nodes: n, binding, why };
}

/** The command's report: the count, what binds it, each bound, and what the DaemonSets take. */
export function describeNodeCount(stack: string, shape: NodeShape, count: NodeCount): string {
  const node = `${cores(shape.cpu)} CPU / ${gibibytes(shape.memory)} / ${shape.pods} pods`;
  const lines: string[] = [];
  if (count.tooBig !== undefined) {
    const p = count.tooBig;
    lines.push(
      `${stack}: no node of ${node} fits ${p.release} ${p.pod} (${cores(p.cpu)} CPU, ${gibibytes(p.memory)}) beside the DaemonSets (${cores(count.perNode.cpu)} CPU, ${gibibytes(count.perNode.memory)}); choose a larger node, or lower its requests with the \`resources\` config key (docs/config.md)`,
    );
    return `${lines.join("\n")}\n`;
  }
  const b = count.bounds;
  lines.push(
    `${stack}: ${String(count.nodes)} ${count.nodes === 1 ? "node" : "nodes"} of ${node} (allocatable)`,
    `  binds: ${count.why.join("; ")}`,
    `  lower bounds: CPU ${b.cpu}, memory ${b.memory}, pods ${b.pods}, hard anti-affinity ${b["anti-affinity"]}, zone spread ${b.zones}`,
    `  pods: ${count.totals.pods}, requesting ${cores(count.totals.cpu)} CPU and ${gibibytes(count.totals.memory)}; on every node the DaemonSets (${count.perNode.names.join(", ")}) take ${cores(count.perNode.cpu)} CPU and ${gibibytes(count.perNode.memory)}`,
  );
  return `${lines.join("\n")}\n`;
}
