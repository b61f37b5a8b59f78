import * as pulumi from "@pulumi/pulumi";
import { Alerting, AlertingSummary } from "../alerting";
import { StackConfig, StackSecrets } from "../config";
import { GrafanaProvisioning, stackDatasources } from "../grafana";
import { MetricsServer, PrometheusStack } from "../monitoring";
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
    /** The uids of Grafana's datasources. */
    datasources: string[];
    /** The project's dashboards, each with its URL through the port-forward. */
    dashboards: { title: string; folder: string; url: string }[];
  };
  /** The alert rules and where notifications go (receiver names and types only). */
  alerting?: AlertingSummary;
}

/** The whole stack, its parts wired in order. Every part can be switched off in config. */
export class ObservabilityStack extends pulumi.ComponentResource {
  readonly endpoints: StackEndpoints;
  readonly namespaces: Namespaces;
  readonly prometheusStack?: PrometheusStack;
  readonly metricsServer?: MetricsServer;
  readonly grafana?: GrafanaProvisioning;
  readonly alerting?: Alerting;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:core:ObservabilityStack", name, {}, opts);
    const { config } = args;
    const secrets = args.secrets ?? {};

    const wanted: NamespaceSpec[] = [];
    if (config.prometheus.enabled) wanted.push(NAMESPACES.monitoring);
    this.namespaces = new Namespaces(`${name}-namespaces`, { namespaces: wanted }, { parent: this });

    const stackNamespaces = wanted.map((n) => n.name);
    const endpoints: StackEndpoints = { namespaces: stackNamespaces };
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
      const monitoringNs = this.namespaces.get(NAMESPACES.monitoring.name);
      if (stack.services.grafana !== undefined) {
        // Datasources and dashboards are plain ConfigMaps the sidecars pick up whenever they appear.
        const datasources = stackDatasources({ config, namespaces: NAMESPACES });
        const grafana = new GrafanaProvisioning(
          `${name}-grafana`,
          { namespace: monitoringNs, config, datasources, stackNamespaces },
          { parent: this },
        );
        this.grafana = grafana;
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
          datasources: datasources.all.map((d) => d.uid),
          dashboards: grafana.dashboardIndex.map((d) => ({
            title: d.title,
            folder: d.folder,
            url: `http://localhost:3000/d/${d.uid}`,
          })),
        };
      }
      if (config.alerting.enabled) {
        // Rules and routing are custom resources: after the CRDs and the operator's webhook.
        this.alerting = new Alerting(
          `${name}-alerting`,
          {
            namespace: monitoringNs,
            config,
            stackNamespaces,
            crds: stack.crds,
            release: stack.release,
            ...(secrets.alertReceiverSecrets !== undefined
              ? { receiverSecrets: secrets.alertReceiverSecrets }
              : {}),
          },
          { parent: this },
        );
        endpoints.alerting = this.alerting.summary;
      }
    }

    if (config.metricsServer.enabled) {
      this.metricsServer = new MetricsServer(`${name}-metrics-server`, { config }, { parent: this });
    }

    this.endpoints = endpoints;
    this.registerOutputs({ endpoints });
  }
}
