import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmRelease, serviceMonitor } from "../kit";
import type { OwnedNamespace, PlatformConfig } from "../kit";
import type { ThanosConfig } from "./thanos-config";
import {
  THANOS_METRICS_PORT,
  THANOS_RELEASE,
  THANOS_SELECTOR,
  THANOS_SERVICES,
  thanosQueryUrl,
  thanosValues,
} from "./thanos-values";
import { MONITORING_CHARTS } from "./charts";

export interface ThanosArgs {
  /** Prometheus's namespace, where the release goes (query finds the sidecars there). */
  namespace: OwnedNamespace;
  /** The stack config; this component reads cluster, charts, resources and thanos. */
  config: Pick<PlatformConfig, "cluster" | "charts" | "images" | "resources"> & { thanos: ThanosConfig };
  /** The Secrets with the bucket's objstore.yml and key pair (made by PrometheusStack, whose sidecars read them too). */
  secrets: readonly pulumi.Resource[];
  /** The kube-prometheus-stack release, whose Prometheus pods run the sidecars that query reads. */
  prometheus: k8s.helm.v3.Release;
  /** The prometheus-operator CRDs release: the ServiceMonitor needs it. */
  monitoringCrds: k8s.helm.v3.Release;
}

/**
 * Long-term metrics: the thanos chart's query (deduplicating the Prometheus replicas),
 * query-frontend, store gateway and compactor on the bucket the sidecars upload to, and a
 * ServiceMonitor, so the stack's component-down alert covers them.
 */
export class Thanos extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  /** Where Grafana and other readers query: the query-frontend. */
  readonly queryUrl: string;
  /** The query-frontend's Service. */
  readonly service: string;

  constructor(name: string, args: ThanosArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:monitoring:Thanos", name, {}, opts);
    const { config } = args;
    const namespace = args.namespace.resource.metadata.name;

    this.release = helmRelease(
      THANOS_RELEASE,
      {
        chart: MONITORING_CHARTS.thanos,
        releaseName: THANOS_RELEASE,
        namespace,
        values: thanosValues({
          thanos: config.thanos,
          cluster: config.cluster,
          resources: config.resources,
          namespace: args.namespace.name,
        }),
        charts: config.charts,
        images: config.images,
      },
      { parent: this, dependsOn: [...args.namespace.ready, ...args.secrets, args.prometheus] },
    );

    new k8s.apiextensions.CustomResource(
      `${name}-servicemonitor`,
      serviceMonitor({
        name: THANOS_RELEASE,
        namespace,
        selector: THANOS_SELECTOR,
        port: THANOS_METRICS_PORT,
      }),
      // No admission webhook serves ServiceMonitors; the CRD is all it needs.
      { parent: this, dependsOn: [...args.namespace.ready, args.monitoringCrds] },
    );

    this.queryUrl = thanosQueryUrl(args.namespace.name);
    this.service = THANOS_SERVICES.queryFrontend.name;
    this.registerOutputs({ release: this.release.name, queryUrl: this.queryUrl, service: this.service });
  }
}
