import * as pulumi from "@pulumi/pulumi";
import { StackConfig, StackSecrets } from "../config";
import { MetricsServer, PrometheusStack } from "../monitoring";
import { ElasticEndpoints, ElasticStack } from "../search";
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
  // The ECK operator's pod meets the restricted level.
  elasticSystem: { name: "elastic-system", domain: "search", podSecurity: "restricted" },
  // Filebeat reads the host's container logs as root.
  search: { name: "search", domain: "search", podSecurity: "privileged" },
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
  elastic?: ElasticEndpoints;
}

/** The whole stack, its parts wired in order. Every part can be switched off in config. */
export class ObservabilityStack extends pulumi.ComponentResource {
  readonly endpoints: StackEndpoints;
  readonly namespaces: Namespaces;
  readonly prometheusStack?: PrometheusStack;
  readonly metricsServer?: MetricsServer;
  readonly elastic?: ElasticStack;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:core:ObservabilityStack", name, {}, opts);
    const { config } = args;
    const secrets = args.secrets ?? {};

    const wanted: NamespaceSpec[] = [];
    if (config.prometheus.enabled) wanted.push(NAMESPACES.monitoring);
    if (config.elastic.enabled) wanted.push(NAMESPACES.elasticSystem, NAMESPACES.search);
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

    if (config.elastic.enabled) {
      const grafanaOn = config.prometheus.enabled && config.grafana.enabled;
      this.elastic = new ElasticStack(
        `${name}-elastic`,
        {
          operatorNamespace: this.namespaces.get(NAMESPACES.elasticSystem.name),
          namespace: { name: NAMESPACES.search.name, resource: this.namespaces.get(NAMESPACES.search.name) },
          ...(grafanaOn ? { grafanaNamespace: this.namespaces.get(NAMESPACES.monitoring.name) } : {}),
          config,
        },
        { parent: this },
      );
      endpoints.elastic = this.elastic.endpoints;
    }

    this.endpoints = endpoints;
    this.registerOutputs({ endpoints });
  }
}
