import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import { Jaeger } from "./jaeger";
import { JAEGER_PORTS, JAEGER_SELECTOR, JAEGER_SERVICE, StackElasticsearch } from "./jaeger-values";
import { OpenTelemetryCollector } from "./otel-collector";
import { COLLECTOR_SELECTOR, COLLECTOR_SERVICE } from "./otel-collector-values";
import { otlpEndpoints, otlpServiceSpec, OTLP_SERVICE } from "./otlp-service";
import { TraceStorageKind } from "./config";
import type { PlatformConfig } from "../kit";
import type { TracingConfig } from "./config";

export interface TracingArgs {
  /** The tracing namespace , where the OTLP Service and the endpoints are. */
  namespace: OwnedNamespace;
  /** The stack config; this part reads cluster, charts, resources, sizing and tracing. */
  config: Pick<PlatformConfig, "cluster" | "charts" | "images" | "resources" | "sizing"> & {
    tracing: TracingConfig;
  };
  /** The prometheus-operator CRDs release; with it, ServiceMonitors scrape Jaeger and the gateway. Defaults to none. */
  monitoringCrds?: k8s.helm.v3.Release;
  /** The Elasticsearch password, for `tracing.storage: elasticsearch`. Defaults to none. */
  elasticsearchPassword?: pulumi.Output<string>;
  /** The stack's own Elasticsearch and what Jaeger waits for (see JaegerArgs). Defaults to none. */
  stackElasticsearch?: StackElasticsearch & { ready: readonly pulumi.Resource[] };
}

/** Where application teams send spans and where operators look at traces. Never a secret. */
export interface TracingEndpoints {
  namespace: string;
  /** The one OTLP endpoint applications use, whichever component receives behind it. */
  otlp: {
    service: string;
    grpc: string;
    http: string;
    env: Record<string, string>;
    receivedBy: string;
  };
  jaeger?: { service: string; storage: TraceStorageKind; ui: string; portForward: string };
  collector?: { service: string; samplingPercent: number; exportsTo: string };
}

/**
 * Traces: Jaeger v2 as store and UI, the optional OpenTelemetry Collector gateway in front of
 * it, the `otlp` Service applications send to, and monitors for both components' own metrics.
 * (Its Grafana datasource is provisioned with the others, as the stack model lists them: components/core/model.ts.)
 */
export class Tracing extends pulumi.ComponentResource {
  readonly endpoints: TracingEndpoints;
  readonly jaeger?: Jaeger;
  readonly collector?: OpenTelemetryCollector;

  constructor(name: string, args: TracingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:tracing:Tracing", name, {}, opts);
    const { config } = args;
    const { tracing } = config;
    const ns = args.namespace.name;
    const jaegerOtlp = `${JAEGER_SERVICE}.${ns}.svc:${JAEGER_PORTS.otlpGrpc}`;

    if (tracing.jaeger.enabled) {
      this.jaeger = new Jaeger(
        `${name}-jaeger`,
        {
          namespace: args.namespace,
          config,
          ...(args.monitoringCrds !== undefined ? { monitoringCrds: args.monitoringCrds } : {}),
          ...(args.elasticsearchPassword !== undefined
            ? { elasticsearchPassword: args.elasticsearchPassword }
            : {}),
          ...(args.stackElasticsearch !== undefined ? { stackElasticsearch: args.stackElasticsearch } : {}),
        },
        { parent: this },
      );
    }

    if (tracing.collector.enabled) {
      this.collector = new OpenTelemetryCollector(
        `${name}-collector`,
        {
          namespace: args.namespace,
          config,
          ...(this.jaeger !== undefined ? { backendEndpoint: jaegerOtlp, backend: this.jaeger.release } : {}),
          ...(args.monitoringCrds !== undefined ? { monitoringCrds: args.monitoringCrds } : {}),
        },
        { parent: this },
      );
    }

    // The gateway receives when it runs; otherwise Jaeger does, on the same ports.
    const receiver = this.collector !== undefined ? this.collector.release : this.jaeger?.release;
    if (receiver === undefined) throw new Error("tracing needs Jaeger or the collector gateway");
    new k8s.core.v1.Service(
      `${name}-otlp`,
      otlpServiceSpec({
        namespace: args.namespace.resource.metadata.name,
        selector: this.collector !== undefined ? COLLECTOR_SELECTOR : JAEGER_SELECTOR,
      }),
      { parent: this, dependsOn: [...args.namespace.ready, receiver] },
    );

    const endpoints: TracingEndpoints = {
      namespace: ns,
      otlp: {
        service: OTLP_SERVICE,
        ...otlpEndpoints(ns),
        receivedBy: this.collector !== undefined ? COLLECTOR_SERVICE : JAEGER_SERVICE,
      },
    };
    if (this.jaeger !== undefined) {
      endpoints.jaeger = {
        service: JAEGER_SERVICE,
        storage: tracing.storage,
        ui: `http://localhost:${JAEGER_PORTS.query}`,
        portForward: `kubectl -n ${ns} port-forward svc/${JAEGER_SERVICE} ${JAEGER_PORTS.query}:${JAEGER_PORTS.query}`,
      };
    }
    if (this.collector !== undefined) {
      endpoints.collector = {
        service: COLLECTOR_SERVICE,
        samplingPercent: tracing.collector.samplingPercent,
        exportsTo: tracing.collector.exporter?.endpoint ?? jaegerOtlp,
      };
    }
    this.endpoints = endpoints;
    this.registerOutputs({ endpoints });
  }
}
