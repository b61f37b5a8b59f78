import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import { alloyValues, LogPushTarget } from "./alloy-values";
import { promtailValues } from "./promtail-values";
import { helmRelease, serviceMonitor } from "../kit";
import { LogCollectorKind } from "./config";
import type { PlatformConfig } from "../kit";
import { LOGGING_CHARTS } from "./charts";

export const ALLOY_RELEASE = "alloy";
export const PROMTAIL_RELEASE = "promtail";

/** Each collector's chart, release name and values builder. */
const COLLECTORS = {
  alloy: {
    chart: LOGGING_CHARTS.alloy,
    release: ALLOY_RELEASE,
    values: alloyValues,
    formerType: "observability:logging:Alloy",
  },
  promtail: {
    chart: LOGGING_CHARTS.promtail,
    release: PROMTAIL_RELEASE,
    values: promtailValues,
    formerType: "observability:logging:Promtail",
  },
} as const;

export interface LogCollectorArgs {
  /**
   * `alloy` (Grafana Alloy, reading pod logs through the Kubernetes API) or `promtail`
   * (deprecated upstream; reads host paths, so its namespace must allow privileged pods).
   */
  kind: LogCollectorKind;
  /** The namespace of the release. */
  namespace: OwnedNamespace;
  /** The stack config; this component reads charts and resources. */
  config: Pick<PlatformConfig, "charts" | "images" | "resources">;
  /** Where logs go: Loki's push URL and, with auth_enabled, the tenant. */
  target: LogPushTarget;
  /** The Loki release; the collector installs after it, so its first pushes find Loki ready. */
  loki: k8s.helm.v3.Release;
  /**
   * The prometheus-operator CRDs release; with it, a ServiceMonitor scrapes Alloy (the Promtail
   * chart serves its metrics only through its own monitor option). Defaults to none.
   */
  monitoringCrds?: k8s.helm.v3.Release;
}

/** Alloy's Service: `http-metrics` on the listen port (not the headless clustering Service). */
export function alloyServiceMonitor<N>(namespace: N): ReturnType<typeof serviceMonitor<N>> {
  return serviceMonitor({
    name: ALLOY_RELEASE,
    namespace,
    selector: {
      "app.kubernetes.io/name": "alloy",
      "app.kubernetes.io/instance": ALLOY_RELEASE,
      "app.kubernetes.io/component": "networking",
    },
    port: "http-metrics",
  });
}

/** The log collector config chose, as a DaemonSet shipping every pod's logs to Loki's gateway. */
export class LogCollector extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly releaseName: string;

  constructor(name: string, args: LogCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
    const collector = COLLECTORS[args.kind];
    // Until ae3f030 each collector had its own component type; the alias keeps the URNs of stacks
    // deployed before then, so their release upgrades in place instead of being created twice.
    super(
      "observability:logging:LogCollector",
      name,
      {},
      pulumi.mergeOptions(opts, { aliases: [{ type: collector.formerType }] }),
    );
    this.releaseName = collector.release;
    this.release = helmRelease(
      collector.release,
      {
        chart: collector.chart,
        releaseName: collector.release,
        namespace: args.namespace.resource.metadata.name,
        values: collector.values({ target: args.target, resources: args.config.resources }),
        charts: args.config.charts,
        images: args.config.images,
      },
      { parent: this, dependsOn: [...args.namespace.ready, args.loki] },
    );
    if (args.kind === "alloy" && args.monitoringCrds !== undefined) {
      new k8s.apiextensions.CustomResource(
        `${name}-servicemonitor`,
        alloyServiceMonitor(args.namespace.resource.metadata.name),
        { parent: this, dependsOn: [...args.namespace.ready, args.monitoringCrds] },
      );
    }
    this.registerOutputs({ release: this.release.name });
  }
}
