import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { metricsServerValues } from "./metrics-server-values";
import { helmRelease } from "../kit";
import type { PlatformConfig } from "../kit";
import type { MetricsServerConfig } from "./config";

export interface MetricsServerArgs {
  /** The stack config; this component reads charts, resources and metricsServer. */
  config: Pick<PlatformConfig, "charts" | "images" | "resources"> & { metricsServer: MetricsServerConfig };
  /** The namespace to install into. Defaults to `kube-system`, where the metrics APIService expects it. */
  namespace?: string;
}

export const METRICS_SERVER_RELEASE = "metrics-server";

/** metrics-server: the resource metrics API behind `kubectl top` and HorizontalPodAutoscalers. */
export class MetricsServer extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:monitoring:MetricsServer", name, {}, opts);
    this.release = helmRelease(
      METRICS_SERVER_RELEASE,
      {
        chart: "metricsServer",
        releaseName: METRICS_SERVER_RELEASE,
        namespace: args.namespace ?? "kube-system",
        values: metricsServerValues({
          metricsServer: args.config.metricsServer,
          resources: args.config.resources,
        }),
        charts: args.config.charts,
        images: args.config.images,
      },
      { parent: this },
    );
    this.registerOutputs({ release: this.release.name });
  }
}
