import { ALLOY_CONTAINERS, LOKI_CONTAINERS, PROMTAIL_CONTAINERS } from "../../components/logging";
import { ISTIO_GATEWAY_CONTAINERS, ISTIOD_CONTAINERS } from "../../components/mesh";
import {
  METRICS_SERVER_CONTAINERS,
  PROMETHEUS_STACK_CONTAINERS,
  THANOS_CONTAINERS,
} from "../../components/monitoring";
import { JAEGER_CONTAINERS, OTEL_COLLECTOR_CONTAINERS } from "../../components/tracing";
import {
  ECK_OPERATOR_CONTAINERS,
  elasticsearchContainers,
  FILEBEAT_CONTAINERS,
  KIBANA_CONTAINERS,
} from "../../components/search";
import { CERT_MANAGER_CONTAINERS } from "../../components/front-door";
import { OAUTH2_PROXY_CONTAINERS } from "../../components/sign-on";
import { PlanDocument, PlanResource } from "./plan";
import { ContainerSlot, ContainerUsage, containerUsage, totalRequests } from "../../components/kit";

/** The containers each chart runs, by chart name; a chart that runs none says so with []. */
export const CONTAINERS_BY_CHART: Readonly<Record<string, readonly ContainerSlot[]>> = {
  "prometheus-operator-crds": [],
  "kube-prometheus-stack": PROMETHEUS_STACK_CONTAINERS,
  "metrics-server": METRICS_SERVER_CONTAINERS,
  thanos: THANOS_CONTAINERS,
  jaeger: JAEGER_CONTAINERS,
  "opentelemetry-collector": OTEL_COLLECTOR_CONTAINERS,
  loki: LOKI_CONTAINERS,
  alloy: ALLOY_CONTAINERS,
  promtail: PROMTAIL_CONTAINERS,
  "eck-operator": ECK_OPERATOR_CONTAINERS,
  // Istio's base chart holds only CRDs and the validating webhook's configuration.
  base: [],
  istiod: ISTIOD_CONTAINERS,
  gateway: ISTIO_GATEWAY_CONTAINERS,
  "cert-manager": CERT_MANAGER_CONTAINERS,
  "oauth2-proxy": OAUTH2_PROXY_CONTAINERS,
};

/**
 * The containers of custom resources whose pods an operator runs, by resource type: read from
 * the resource's inputs as a release's are from its values.
 */
export const CONTAINERS_BY_RESOURCE_TYPE: Readonly<
  Record<string, (inputs: Record<string, unknown>) => readonly ContainerSlot[]>
> = {
  "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch": elasticsearchContainers,
  "kubernetes:kibana.k8s.elastic.co/v1:Kibana": () => KIBANA_CONTAINERS,
  "kubernetes:beat.k8s.elastic.co/v1beta1:Beat": () => FILEBEAT_CONTAINERS,
};

/** The dev stack's ceiling: it must fit a kind node on an 8 GiB laptop. */
export const LAPTOP_BUDGET = { cpu: 1.0, memory: 2 * 2 ** 30 };

function chartName(chart: string): string {
  // An OCI mirror names the chart by its full reference.
  return chart.split("/").pop() ?? chart;
}

/** Every container of every Helm release and operator-run custom resource in a plan, with what it requests. */
export function planContainers(
  plan: Pick<PlanDocument, "stack" | "outputs"> & {
    resources: Pick<PlanResource, "type" | "name" | "inputs">[];
  },
): ContainerUsage[] {
  const usage: ContainerUsage[] = [];
  for (const r of plan.resources) {
    const custom = CONTAINERS_BY_RESOURCE_TYPE[r.type];
    if (custom !== undefined) {
      const kind = r.type.split(":").pop() ?? r.type;
      const metadata = (r.inputs["metadata"] ?? {}) as { name?: unknown };
      usage.push(
        ...containerUsage(`${String(metadata.name)} (${kind} resource)`, r.inputs, custom(r.inputs)),
      );
      continue;
    }
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
  cron: "scheduled job (not summed)",
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
    const runs = `${RUNS[u.runs]}${u.inBudget === false ? " (not in the total)" : ""}`;
    lines.push(
      `| ${u.release} | ${u.container} | ${runs} | ${u.count} | ${u.cpu ?? "unset"} | ${u.memory ?? "unset"} | ${u.memoryLimit ?? "unset"} |`,
    );
  }
  const total = totalRequests(usage);
  lines.push("", `Total requested (one node): ${cores(total.cpu)} CPU, ${mebibytes(total.memory)} memory.`);
  if (usage.some((u) => u.inBudget === false)) {
    const outside = totalRequests(usage, 1, true);
    lines.push(
      "",
      `Elasticsearch, sized for its data and not in that total: ${cores(outside.cpu)} CPU, ${mebibytes(outside.memory)} memory.`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

export function withinLaptopBudget(usage: readonly ContainerUsage[]): boolean {
  const total = totalRequests(usage);
  return total.cpu <= LAPTOP_BUDGET.cpu && total.memory <= LAPTOP_BUDGET.memory;
}
