import { ContainerSlot, ContainerUsage, containerUsage, totalRequests } from "../../components/charts";
import { ISTIO_GATEWAY_CONTAINERS, ISTIOD_CONTAINERS } from "../../components/mesh";
import { METRICS_SERVER_CONTAINERS, PROMETHEUS_STACK_CONTAINERS } from "../../components/monitoring";
import { PlanDocument } from "./plan";

/** The containers each chart runs, by chart name; a chart that runs none says so with []. */
export const CONTAINERS_BY_CHART: Readonly<Record<string, readonly ContainerSlot[]>> = {
  "prometheus-operator-crds": [],
  "kube-prometheus-stack": PROMETHEUS_STACK_CONTAINERS,
  "metrics-server": METRICS_SERVER_CONTAINERS,
  base: [],
  istiod: ISTIOD_CONTAINERS,
  gateway: ISTIO_GATEWAY_CONTAINERS,
};

/** The dev stack's ceiling: it must fit a kind node on an 8 GiB laptop. */
export const LAPTOP_BUDGET = { cpu: 1.5, memory: 3 * 2 ** 30 };

function chartName(chart: string): string {
  // An OCI mirror names the chart by its full reference.
  return chart.split("/").pop() ?? chart;
}

/** Every container of every Helm release in a plan, with what it requests. */
export function planContainers(plan: PlanDocument): ContainerUsage[] {
  const usage: ContainerUsage[] = [];
  for (const r of plan.resources) {
    if (r.type !== "kubernetes:helm.sh/v3:Release") continue;
    const chart = chartName(String(r.inputs["chart"]));
    const slots = CONTAINERS_BY_CHART[chart];
    if (slots === undefined)
      throw new Error(`no container inventory for chart ${chart} (tools/lib/budget.ts)`);
    usage.push(...containerUsage(String(r.inputs["name"]), r.inputs["values"], slots));
  }
  return usage;
}

function cores(n: number): string {
  return n >= 1 ? n.toFixed(2).replace(/\.?0+$/, "") : `${Math.round(n * 1000)}m`;
}

function mebibytes(bytes: number): string {
  return bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(2).replace(/\.?0+$/, "")}Gi`
    : `${Math.round(bytes / 2 ** 20)}Mi`;
}

const RUNS: Record<ContainerUsage["runs"], string> = {
  pod: "pod",
  node: "per node",
  init: "init (not summed)",
  hook: "install/upgrade hook (not summed)",
};

/** A Markdown table of what each release requests in a stack, with the steady-state total. */
export function resourceTable(stack: string, usage: readonly ContainerUsage[]): string {
  const lines = [
    `**${stack}**`,
    "",
    "| release | container | runs | copies | CPU request | memory request | memory limit |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const u of usage) {
    lines.push(
      `| ${u.release} | ${u.container} | ${RUNS[u.runs]} | ${u.count} | ${u.cpu ?? "unset"} | ${u.memory ?? "unset"} | ${u.memoryLimit ?? "unset"} |`,
    );
  }
  const total = totalRequests(usage);
  lines.push(
    "",
    `Total requested (one node): ${cores(total.cpu)} CPU, ${mebibytes(total.memory)} memory.`,
    "",
  );
  return lines.join("\n");
}

export function withinLaptopBudget(usage: readonly ContainerUsage[]): boolean {
  const total = totalRequests(usage);
  return total.cpu <= LAPTOP_BUDGET.cpu && total.memory <= LAPTOP_BUDGET.memory;
}
