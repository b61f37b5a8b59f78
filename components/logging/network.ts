/**
 * The logging part's pods that receive traffic, and the flows into them: Loki's gateway and
 * targets, its caches, and the log collectors Prometheus scrapes.
 */
import {
  COMPONENT_LABEL,
  Flow,
  flowList,
  INSTANCE_LABEL,
  NAME_LABEL,
  NamespaceNames,
  PodGroup,
  PodGroupsView,
  tcp,
} from "../kit";
import { LokiConfig } from "./config";
import { ALLOY_RELEASE, PROMTAIL_RELEASE } from "./log-collector";
import { LOKI_RELEASE } from "./loki";
import { lokiTargetComponents } from "./loki-values";

/** Loki's HTTP, gRPC and memberlist ports, memcached's and its exporter's. */
export const LOKI_HTTP_PORT = 3100;
const LOKI_GRPC_PORT = 9095;
const MEMBERLIST_PORT = 7946;
const MEMCACHED_PORT = 11211;
const MEMCACHED_EXPORTER_PORT = 9150;
/** The gateway's (nginx) port, and the collectors' metrics ports. */
const GATEWAY_PORT = 8080;
const ALLOY_METRICS_PORT = 12345;
const PROMTAIL_METRICS_PORT = 3101;

/** The pods of the logging part that receive traffic. */
export function loggingPodGroups(ns: NamespaceNames, config: { loki: LokiConfig }) {
  const logging = ns.logging;
  const loki = { [NAME_LABEL]: "loki", [INSTANCE_LABEL]: LOKI_RELEASE };
  return {
    lokiGateway: {
      name: "loki-gateway",
      namespace: logging,
      labels: { ...loki, [COMPONENT_LABEL]: "gateway" },
    },
    // Loki's targets, whichever the mode runs: the single binary, read, write and backend, or the
    // distributed components; all of them serve on the same ports and join one ring.
    loki: {
      name: "loki",
      namespace: logging,
      labels: loki,
      oneOf: { key: COMPONENT_LABEL, values: [...lokiTargetComponents(config.loki)] },
    },
    lokiCaches: {
      name: "loki-caches",
      namespace: logging,
      labels: loki,
      oneOf: { key: COMPONENT_LABEL, values: ["memcached-chunks-cache", "memcached-results-cache"] },
    },
    alloy: {
      name: "alloy",
      namespace: logging,
      labels: { [NAME_LABEL]: "alloy", [INSTANCE_LABEL]: ALLOY_RELEASE },
    },
    promtail: {
      name: "promtail",
      namespace: logging,
      labels: { [NAME_LABEL]: "promtail", [INSTANCE_LABEL]: PROMTAIL_RELEASE },
    },
  } satisfies Record<string, PodGroup>;
}

/** The flows into the logging part's pods. */
export function loggingFlows(
  config: { loki: { caches: boolean } },
  runs: { loki: boolean; logCollector?: "alloy" | "promtail"; prometheus: boolean; grafana: boolean },
  groups: PodGroupsView,
): Flow[] {
  const { flows, add } = flowList();
  if (!runs.loki) return flows;
  const g = (key: string) => groups.group(key);
  const fromProm = { pods: g("prometheus") };
  const prom = runs.prometheus;
  add(
    { pods: g("lokiGateway") },
    g("loki"),
    tcp(LOKI_HTTP_PORT),
    "the Loki gateway forwards pushes and queries",
  );
  add(
    { pods: g("loki") },
    g("loki"),
    tcp(LOKI_HTTP_PORT, LOKI_GRPC_PORT, MEMBERLIST_PORT),
    "Loki's targets talk HTTP, gRPC and memberlist to each other",
  );
  if (config.loki.caches) {
    add(
      { pods: g("loki") },
      g("lokiCaches"),
      tcp(MEMCACHED_PORT),
      "Loki reads and writes its chunks and results caches",
    );
    if (prom)
      add(
        fromProm,
        g("lokiCaches"),
        tcp(MEMCACHED_EXPORTER_PORT),
        "Prometheus scrapes the memcached exporters",
      );
  }
  if (prom) add(fromProm, g("loki"), tcp(LOKI_HTTP_PORT), "Prometheus scrapes Loki");
  if (runs.grafana)
    add({ pods: g("grafana") }, g("lokiGateway"), tcp(GATEWAY_PORT), "Grafana queries its Loki datasource");
  if (runs.logCollector !== undefined) {
    const kind = runs.logCollector;
    const collector = kind === "alloy" ? g("alloy") : g("promtail");
    add(
      { pods: collector },
      g("lokiGateway"),
      tcp(GATEWAY_PORT),
      "the log collector pushes to Loki's gateway",
    );
    if (prom) {
      add(
        fromProm,
        collector,
        tcp(kind === "alloy" ? ALLOY_METRICS_PORT : PROMTAIL_METRICS_PORT),
        "Prometheus scrapes the log collector",
      );
    }
  }
  return flows;
}
