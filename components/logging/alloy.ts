import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmRelease } from "../charts";
import { StackConfig } from "../config";
import { alloyValues, LogPushTarget } from "./alloy-values";

export const ALLOY_RELEASE = "alloy";

export interface AlloyArgs {
  /** The namespace of the release. */
  namespace: k8s.core.v1.Namespace;
  /** The stack config; this component reads charts and resources. */
  config: Pick<StackConfig, "charts" | "resources">;
  /** Where logs go: Loki's push URL and, with auth_enabled, the tenant. */
  target: LogPushTarget;
  /** The Loki release; Alloy installs after it, so its first pushes find Loki ready. */
  loki: k8s.helm.v3.Release;
}

/** Grafana Alloy as a DaemonSet that ships every pod's logs to Loki through the Kubernetes API. */
export class Alloy extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: AlloyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:logging:Alloy", name, {}, opts);
    this.release = helmRelease(
      ALLOY_RELEASE,
      {
        chart: "alloy",
        releaseName: ALLOY_RELEASE,
        namespace: args.namespace.metadata.name,
        values: alloyValues({ target: args.target, resources: args.config.resources }),
        charts: args.config.charts,
      },
      { parent: this, dependsOn: [args.namespace, args.loki] },
    );
    this.registerOutputs({ release: this.release.name });
  }
}
