import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmRelease } from "../charts";
import { StackConfig } from "../config";
import { LogPushTarget } from "./alloy-values";
import { promtailValues } from "./promtail-values";

export const PROMTAIL_RELEASE = "promtail";

export interface PromtailArgs {
  /** The namespace of the release; Promtail reads host paths, so it must allow privileged pods. */
  namespace: k8s.core.v1.Namespace;
  /** The stack config; this component reads charts and resources. */
  config: Pick<StackConfig, "charts" | "resources">;
  /** Where logs go: Loki's push URL and, with auth_enabled, the tenant. */
  target: LogPushTarget;
  /** The Loki release; Promtail installs after it. */
  loki: k8s.helm.v3.Release;
}

/** Promtail as a DaemonSet (deprecated upstream; Alloy replaces it), pushing to the same gateway. */
export class Promtail extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: PromtailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:logging:Promtail", name, {}, opts);
    this.release = helmRelease(
      PROMTAIL_RELEASE,
      {
        chart: "promtail",
        releaseName: PROMTAIL_RELEASE,
        namespace: args.namespace.metadata.name,
        values: promtailValues({ target: args.target, resources: args.config.resources }),
        charts: args.config.charts,
      },
      { parent: this, dependsOn: [args.namespace, args.loki] },
    );
    this.registerOutputs({ release: this.release.name });
  }
}
