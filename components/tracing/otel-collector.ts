import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import {
  COLLECTOR_METRICS_PORT_NAME,
  COLLECTOR_RELEASE,
  COLLECTOR_SELECTOR,
  COLLECTOR_SERVICE,
  collectorValues,
} from "./otel-collector-values";
import { helmRelease, serviceMonitor } from "../kit";
import type { PlatformConfig } from "../kit";
import type { TracingConfig } from "./config";
import { TRACING_CHARTS } from "./charts";

export interface OpenTelemetryCollectorArgs {
  /** The namespace of the release. */
  namespace: OwnedNamespace;
  /** The stack config; this component reads charts, resources and tracing.collector. */
  config: Pick<PlatformConfig, "charts" | "images" | "resources"> & { tracing: TracingConfig };
  /**
   * The OTLP gRPC `host:port` of the in-cluster backend, used when tracing.collector.exporter
   * is unset. Defaults to none (the exporter must then be configured).
   */
  backendEndpoint?: string;
  /** The backend's release: the gateway starts after what it exports to. Defaults to none. */
  backend?: pulumi.Resource;
  /** The prometheus-operator CRDs release; with it, a ServiceMonitor scrapes the gateway. Defaults to none. */
  monitoringCrds?: k8s.helm.v3.Release;
}

/**
 * The OpenTelemetry Collector gateway (opentelemetry-collector chart, deployment mode):
 * applications' spans get Kubernetes attributes, are sampled and batched, and leave by OTLP.
 */
export class OpenTelemetryCollector extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly service: string;

  constructor(name: string, args: OpenTelemetryCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:tracing:OpenTelemetryCollector", name, {}, opts);
    const { config } = args;
    const namespace = args.namespace.resource.metadata.name;

    this.release = helmRelease(
      COLLECTOR_RELEASE,
      {
        chart: TRACING_CHARTS.opentelemetryCollector,
        releaseName: COLLECTOR_RELEASE,
        namespace,
        values: collectorValues({
          collector: config.tracing.collector,
          resources: config.resources,
          ...(args.backendEndpoint !== undefined ? { defaultEndpoint: args.backendEndpoint } : {}),
        }),
        charts: config.charts,
        images: config.images,
      },
      {
        parent: this,
        dependsOn: [...args.namespace.ready, ...(args.backend !== undefined ? [args.backend] : [])],
      },
    );
    this.service = COLLECTOR_SERVICE;

    if (args.monitoringCrds !== undefined) {
      new k8s.apiextensions.CustomResource(
        `${name}-servicemonitor`,
        serviceMonitor({
          name: COLLECTOR_SERVICE,
          namespace,
          selector: COLLECTOR_SELECTOR,
          port: COLLECTOR_METRICS_PORT_NAME,
        }),
        { parent: this, dependsOn: [...args.namespace.ready, args.monitoringCrds] },
      );
    }

    this.registerOutputs({ release: this.release.name, service: this.service });
  }
}
