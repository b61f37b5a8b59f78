import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmRelease } from "../charts";
import { LogCollectorKind, StackConfig } from "../config";
import { alloyValues, LogPushTarget } from "./alloy-values";
import { promtailValues } from "./promtail-values";

export const ALLOY_RELEASE = "alloy";
export const PROMTAIL_RELEASE = "promtail";

/** Each collector's chart, release name and values builder. */
const COLLECTORS = {
  alloy: { chart: "alloy", release: ALLOY_RELEASE, values: alloyValues },
  promtail: { chart: "promtail", release: PROMTAIL_RELEASE, values: promtailValues },
} as const;

export interface LogCollectorArgs {
  /**
   * `alloy` (Grafana Alloy, reading pod logs through the Kubernetes API) or `promtail`
   * (deprecated upstream; reads host paths, so its namespace must allow privileged pods).
   */
  kind: LogCollectorKind;
  /** The namespace of the release. */
  namespace: k8s.core.v1.Namespace;
  /** The stack config; this component reads charts and resources. */
  config: Pick<StackConfig, "charts" | "resources">;
  /** Where logs go: Loki's push URL and, with auth_enabled, the tenant. */
  target: LogPushTarget;
  /** The Loki release; the collector installs after it, so its first pushes find Loki ready. */
  loki: k8s.helm.v3.Release;
}

/** The log collector config chose, as a DaemonSet shipping every pod's logs to Loki's gateway. */
export class LogCollector extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly releaseName: string;

  constructor(name: string, args: LogCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:logging:LogCollector", name, {}, opts);
    const collector = COLLECTORS[args.kind];
    this.releaseName = collector.release;
    this.release = helmRelease(
      collector.release,
      {
        chart: collector.chart,
        releaseName: collector.release,
        namespace: args.namespace.metadata.name,
        values: collector.values({ target: args.target, resources: args.config.resources }),
        charts: args.config.charts,
      },
      { parent: this, dependsOn: [args.namespace, args.loki] },
    );
    this.registerOutputs({ release: this.release.name });
  }
}
