import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import {
  BADGER_CLAIM,
  ES_CA_KEY,
  ES_CA_SECRET,
  ES_SECRET,
  ES_SECRET_KEY,
  JAEGER_METRICS_PORT_NAME,
  JAEGER_RELEASE,
  JAEGER_SELECTOR,
  jaegerValues,
  StackElasticsearch,
} from "./jaeger-values";
import { STACK_LABELS, helmRelease, serviceMonitor } from "../kit";
import type { PlatformConfig } from "../kit";
import type { TracingConfig } from "./config";
import { TRACING_CHARTS } from "./charts";

export interface JaegerArgs {
  /** The namespace of the release and of everything it needs. */
  namespace: OwnedNamespace;
  /** The stack config; this component reads cluster, charts, resources, sizing and tracing. */
  config: Pick<PlatformConfig, "cluster" | "charts" | "images" | "resources" | "sizing"> & {
    tracing: TracingConfig;
  };
  /**
   * The release that installs the prometheus-operator CRDs. With it, a ServiceMonitor makes
   * Prometheus scrape Jaeger's own metrics. Defaults to none (no ServiceMonitor).
   */
  monitoringCrds?: k8s.helm.v3.Release;
  /** The Elasticsearch password, for `tracing.storage: elasticsearch`. Defaults to none. */
  elasticsearchPassword?: pulumi.Output<string>;
  /**
   * The stack's own Elasticsearch (with `tracing.elasticsearch.cluster: stack`), and what must
   * exist before Jaeger starts: the cluster, Jaeger's user and the CA copied into this namespace.
   * Defaults to none.
   */
  stackElasticsearch?: StackElasticsearch & { ready: readonly pulumi.Resource[] };
}

/**
 * Jaeger v2 (the jaeger chart 4.x): OTLP in on 4317/4318, the UI and query API on 16686, its
 * own metrics on 8888. Storage per stack: memory, Badger on a PersistentVolumeClaim the program
 * owns, or Elasticsearch with the password from a Secret the program owns.
 */
export class Jaeger extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  /** The chart's Service, in the release's namespace. */
  readonly service: string;

  constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:tracing:Jaeger", name, {}, opts);
    const { config } = args;
    const { tracing } = config;
    const namespace = args.namespace.resource.metadata.name;
    const needs: pulumi.Resource[] = [...args.namespace.ready];

    if (tracing.storage === "badger") {
      needs.push(
        new k8s.core.v1.PersistentVolumeClaim(
          `${name}-badger`,
          {
            metadata: {
              name: BADGER_CLAIM,
              namespace,
              labels: { ...STACK_LABELS },
              // With WaitForFirstConsumer classes (kind's among them) the claim binds only once
              // the Jaeger pod, installed after it, uses it.
              annotations: { "pulumi.com/skipAwait": "true" },
            },
            spec: {
              accessModes: ["ReadWriteOnce"],
              ...(config.cluster.storageClass !== undefined
                ? { storageClassName: config.cluster.storageClass }
                : {}),
              resources: { requests: { storage: tracing.badger.size } },
            },
          },
          // retainOnDelete: the claim's volume is the trace store; switching Badger or tracing off
          // leaves it to be reused or deleted by hand (protect would make that switch fail).
          { parent: this, dependsOn: [...args.namespace.ready], retainOnDelete: config.cluster.retainData },
        ),
      );
    }

    if (tracing.storage === "elasticsearch") {
      if (args.elasticsearchPassword === undefined) {
        throw new Error("Jaeger with Elasticsearch storage needs elasticsearchPassword");
      }
      needs.push(
        new k8s.core.v1.Secret(
          `${name}-elasticsearch`,
          {
            metadata: { name: ES_SECRET, namespace, labels: { ...STACK_LABELS } },
            type: "Opaque",
            stringData: pulumi.secret(args.elasticsearchPassword.apply((p) => ({ [ES_SECRET_KEY]: p }))),
          },
          { parent: this, dependsOn: [...args.namespace.ready] },
        ),
      );
      const caBundle = tracing.elasticsearch?.caBundle;
      if (caBundle !== undefined) {
        // An external cluster's private CA, where the stack's own cluster has ECK's CA copied in.
        needs.push(
          new k8s.core.v1.Secret(
            `${name}-elasticsearch-ca`,
            {
              metadata: { name: ES_CA_SECRET, namespace, labels: { ...STACK_LABELS } },
              type: "Opaque",
              stringData: { [ES_CA_KEY]: caBundle },
            },
            { parent: this, dependsOn: [...args.namespace.ready] },
          ),
        );
      }
    }

    this.release = helmRelease(
      JAEGER_RELEASE,
      {
        chart: TRACING_CHARTS.jaeger,
        releaseName: JAEGER_RELEASE,
        namespace,
        values: jaegerValues({
          tracing,
          sizing: config.sizing,
          resources: config.resources,
          ...(args.stackElasticsearch !== undefined
            ? {
                stackElasticsearch: {
                  url: args.stackElasticsearch.url,
                  replicas: args.stackElasticsearch.replicas,
                },
              }
            : {}),
        }),
        charts: config.charts,
        images: config.images,
      },
      { parent: this, dependsOn: [...needs, ...(args.stackElasticsearch?.ready ?? [])] },
    );
    this.service = JAEGER_RELEASE;

    if (args.monitoringCrds !== undefined) {
      new k8s.apiextensions.CustomResource(
        `${name}-servicemonitor`,
        serviceMonitor({
          name: "jaeger",
          namespace,
          selector: JAEGER_SELECTOR,
          port: JAEGER_METRICS_PORT_NAME,
        }),
        // No admission webhook serves ServiceMonitors; the CRD is all it needs.
        { parent: this, dependsOn: [...args.namespace.ready, args.monitoringCrds] },
      );
    }

    this.registerOutputs({ release: this.release.name, service: this.service });
  }
}
