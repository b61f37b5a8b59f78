import * as pulumi from "@pulumi/pulumi";
import { StackConfig, StackSecrets } from "../config";
import { MetricsServer, PrometheusStack } from "../monitoring";
import { Tracing, TracingEndpoints, TRACING_NAMESPACE } from "../tracing";
import { Namespaces, NamespaceSpec } from "./namespaces";

export interface ObservabilityStackArgs {
  /** The validated stack config (see components/config). */
  config: StackConfig;
  /** Secret config as secret Outputs. Defaults to none: missing secrets are generated. */
  secrets?: StackSecrets;
}

/** The namespaces of the stack's parts, and the Pod Security level each needs. */
export const NAMESPACES = {
  // node-exporter reads the host's /proc, /sys and network namespace.
  monitoring: { name: "monitoring", domain: "monitoring", podSecurity: "privileged" },
  // Jaeger and the collector gateway run as non-root with no capabilities.
  tracing: { name: TRACING_NAMESPACE, domain: "tracing", podSecurity: "restricted" },
} as const satisfies Record<string, NamespaceSpec>;

/** What an operator needs next: where things are and how to reach them. Never a secret. */
export interface StackEndpoints {
  namespaces: string[];
  prometheus?: { namespace: pulumi.Output<string>; service: string; portForward: string };
  alertmanager?: { namespace: pulumi.Output<string>; service: string; portForward: string };
  grafana?: {
    namespace: pulumi.Output<string>;
    service: string;
    portForward: string;
    url: string;
    adminSecret: { name: string; userKey: string; passwordKey: string };
  };
  tracing?: TracingEndpoints;
}

/** The whole stack, its parts wired in order. Every part can be switched off in config. */
export class ObservabilityStack extends pulumi.ComponentResource {
  readonly endpoints: StackEndpoints;
  readonly namespaces: Namespaces;
  readonly prometheusStack?: PrometheusStack;
  readonly metricsServer?: MetricsServer;
  readonly tracing?: Tracing;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:core:ObservabilityStack", name, {}, opts);
    const { config } = args;
    const secrets = args.secrets ?? {};

    const wanted: NamespaceSpec[] = [];
    if (config.prometheus.enabled) wanted.push(NAMESPACES.monitoring);
    if (config.tracing.enabled) wanted.push(NAMESPACES.tracing);
    this.namespaces = new Namespaces(`${name}-namespaces`, { namespaces: wanted }, { parent: this });

    const endpoints: StackEndpoints = { namespaces: wanted.map((n) => n.name) };
    if (config.prometheus.enabled) {
      const stack = new PrometheusStack(
        `${name}-prometheus`,
        {
          namespace: this.namespaces.get(NAMESPACES.monitoring.name),
          config,
          ...(secrets.grafanaAdminPassword !== undefined
            ? { grafanaAdminPassword: secrets.grafanaAdminPassword }
            : {}),
        },
        { parent: this },
      );
      this.prometheusStack = stack;
      const ns = NAMESPACES.monitoring.name;
      endpoints.prometheus = {
        namespace: stack.namespace,
        service: stack.services.prometheus,
        portForward: `kubectl -n ${ns} port-forward svc/${stack.services.prometheus} 9090:9090`,
      };
      if (stack.services.alertmanager !== undefined) {
        endpoints.alertmanager = {
          namespace: stack.namespace,
          service: stack.services.alertmanager,
          portForward: `kubectl -n ${ns} port-forward svc/${stack.services.alertmanager} 9093:9093`,
        };
      }
      if (stack.services.grafana !== undefined) {
        endpoints.grafana = {
          namespace: stack.namespace,
          service: stack.services.grafana,
          portForward: `kubectl -n ${ns} port-forward svc/${stack.services.grafana} 3000:80`,
          url: "http://localhost:3000",
          adminSecret: {
            name: stack.grafanaAdminSecret.name,
            userKey: stack.grafanaAdminSecret.userKey,
            passwordKey: stack.grafanaAdminSecret.passwordKey,
          },
        };
      }
    }

    if (config.metricsServer.enabled) {
      this.metricsServer = new MetricsServer(`${name}-metrics-server`, { config }, { parent: this });
    }

    if (config.tracing.enabled) {
      this.tracing = new Tracing(
        `${name}-tracing`,
        {
          namespace: this.namespaces.get(NAMESPACES.tracing.name),
          config,
          ...(this.prometheusStack !== undefined ? { monitoringCrds: this.prometheusStack.crds } : {}),
          ...(this.prometheusStack !== undefined && config.grafana.enabled
            ? { grafanaNamespace: this.namespaces.get(NAMESPACES.monitoring.name) }
            : {}),
          // The Loki datasource arrives with the logging part; until then spans link to metrics only.
          lokiEnabled: false,
          ...(secrets.tracingElasticsearchPassword !== undefined
            ? { elasticsearchPassword: secrets.tracingElasticsearchPassword }
            : {}),
        },
        { parent: this },
      );
      endpoints.tracing = this.tracing.endpoints;
    }

    this.endpoints = endpoints;
    this.registerOutputs({ endpoints });
  }
}
