import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { metricsServerValues } from "./metrics-server-values";
import { helmRelease, imagePullSecret } from "../kit";
import type { PlatformConfig, StackPullSecret } from "../kit";
import type { MetricsServerConfig } from "./config";
import { MONITORING_CHARTS } from "./charts";

export interface MetricsServerArgs {
  /** The stack config; this component reads charts, resources and metricsServer. */
  config: Pick<PlatformConfig, "charts" | "images" | "resources"> & { metricsServer: MetricsServerConfig };
  /** The namespace to install into. Defaults to `kube-system`, where the metrics APIService expects it. */
  namespace?: string;
  /**
   * The stack's pull Secret (from imagePullSecret), created in that namespace before the release,
   * since the stack does not own the namespace. Defaults to none.
   */
  pullSecret?: StackPullSecret;
}

export const METRICS_SERVER_RELEASE = "metrics-server";

/** metrics-server: the resource metrics API behind `kubectl top` and HorizontalPodAutoscalers. */
export class MetricsServer extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:monitoring:MetricsServer", name, {}, opts);
    const namespace = args.namespace ?? "kube-system";
    const pullSecret =
      args.pullSecret !== undefined
        ? imagePullSecret(`${name}-image-pull`, { ...args.pullSecret, namespace }, { parent: this })
        : undefined;
    this.release = helmRelease(
      METRICS_SERVER_RELEASE,
      {
        chart: MONITORING_CHARTS.metricsServer,
        releaseName: METRICS_SERVER_RELEASE,
        namespace,
        values: metricsServerValues({
          metricsServer: args.config.metricsServer,
          resources: args.config.resources,
        }),
        charts: args.config.charts,
        images: args.config.images,
      },
      { parent: this, ...(pullSecret !== undefined ? { dependsOn: [pullSecret] } : {}) },
    );
    this.registerOutputs({ release: this.release.name });
  }
}
