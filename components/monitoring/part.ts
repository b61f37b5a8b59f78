import * as k8s from "@pulumi/kubernetes";
import { JAEGER_DATASOURCE_UID } from "../grafana";
import {
  DeclareContext,
  NamespaceNames,
  NamespaceSpec,
  Part,
  PlatformConfig,
  portForward,
  PartReadContext,
  secretString,
  STACK_NAMESPACE_NAMES,
} from "../kit";
import { MONITORING_CHARTS } from "./charts";
import {
  ALERTMANAGER_KEY,
  AlertmanagerConfig,
  GRAFANA_ADMIN_PASSWORD_KEY,
  METRICS_SERVER_KEY,
  MetricsServerConfig,
  PROMETHEUS_KEY,
  PrometheusConfig,
  readAlertmanager,
  readMetricsServer,
  readPrometheus,
} from "./config";
import { alertmanagerDatasource, prometheusDatasource } from "./datasources";
import { MetricsServer } from "./metrics-server";
import { ALERTMANAGER_PORT, monitoringFlows, monitoringPodGroups, PROMETHEUS_PORT } from "./network";
import { PrometheusStack, PrometheusStackArgs, STACK_RELEASE } from "./prometheus-stack";
import { GRAFANA_VALUES_SLOT } from "./prometheus-stack-values";
import { MONITORING_SIZING } from "./sizing";
import { Thanos } from "./thanos";
import {
  readThanos,
  THANOS_KEY,
  THANOS_S3_ACCESS_KEY_ID_KEY,
  THANOS_S3_SECRET_ACCESS_KEY_KEY,
  THANOS_S3_SECRET_KEYS,
  ThanosConfig,
} from "./thanos-config";
import { THANOS_SERVICES, thanosQueryUrl } from "./thanos-values";

/** The config keys the monitoring part reads. */
export interface MonitoringSlice {
  prometheus: PrometheusConfig;
  alertmanager: AlertmanagerConfig;
  metricsServer: MetricsServerConfig;
  /** Long-term metrics: the Thanos sidecar, query, query-frontend, store gateway and compactor. Off by default. */
  thanos: ThanosConfig;
}

/** What the monitoring part reads of the stack config: its slice, the platform, Grafana's and alerting's. */
export type MonitoringView = PlatformConfig &
  MonitoringSlice &
  PrometheusStackArgs["config"] & { grafana: { replicas: number } };

/** The secret keys the monitoring part reads. */
const GRAFANA_ADMIN_PASSWORD = "grafanaAdminPassword";

/** Which of the monitoring part's pieces run. */
export interface MonitoringRuns {
  /** kube-prometheus-stack: Prometheus and the operator. */
  prometheus: boolean;
  alertmanager: boolean;
  metricsServer: boolean;
  /** Long-term metrics: the Thanos sidecars and the thanos release (needs Prometheus). */
  thanos: boolean;
}

/** What the monitoring part reads of the other parts' switches. */
interface OtherRuns {
  grafana: boolean;
  jaeger: boolean;
  mesh: boolean;
  grafanaBehindGateway: boolean;
}

declare module "../kit/part" {
  interface Provided {
    /** The prometheus-operator CRDs release: custom resources of the monitoring.coreos.com group need it. */
    monitoringCrds?: k8s.helm.v3.Release;
    /** kube-prometheus-stack's release: the operator's admission webhook serves from it. */
    prometheusRelease?: k8s.helm.v3.Release;
    /** The Secret that holds Grafana's admin user and password (never the password itself). */
    grafanaAdminSecret?: { name: string; userKey: string; passwordKey: string };
  }
}

/** A Service of the monitoring part, and how an operator reaches it. */
export interface MonitoringService {
  namespace: string;
  service: string;
  portForward: string;
}

/** The monitoring part's Services an operator reaches; those that do not run are absent. */
export type MonitoringServices = {
  prometheus?: MonitoringService;
  /** The Thanos query-frontend, which Grafana's Prometheus datasource reads when Thanos runs. */
  thanos?: MonitoringService & { url: string };
  alertmanager?: MonitoringService;
  grafana?: MonitoringService & { url: string };
};

function service(ns: string, name: string, local: number, remote: number): MonitoringService {
  return { namespace: ns, service: name, portForward: portForward(ns, name, local, remote) };
}

function declarePrometheus(ctx: DeclareContext<MonitoringView> & { runs: MonitoringRuns & OtherRuns }): void {
  const { config, runs, provided, endpoints, services } = ctx;
  if (!runs.prometheus) return;
  const password = secretString(ctx.secrets, GRAFANA_ADMIN_PASSWORD);
  const accessKeyId = secretString(ctx.secrets, THANOS_S3_SECRET_KEYS.accessKeyId);
  const secretAccessKey = secretString(ctx.secrets, THANOS_S3_SECRET_KEYS.secretAccessKey);
  const stack = new PrometheusStack(
    `${ctx.name}-prometheus`,
    {
      namespace: ctx.owned(ctx.ns.monitoring),
      config,
      ...(password !== undefined ? { grafanaAdminPassword: password } : {}),
      ...(provided.istiod !== undefined
        ? { mesh: { istiod: provided.istiod, grafanaSidecar: runs.grafanaBehindGateway } }
        : {}),
      ...(accessKeyId !== undefined && secretAccessKey !== undefined
        ? { thanosS3Credentials: { accessKeyId, secretAccessKey } }
        : {}),
      ...(runs.jaeger ? { tracesDatasourceUid: JAEGER_DATASOURCE_UID } : {}),
      grafanaContributions: {
        values: ctx.contributions.to(GRAFANA_VALUES_SLOT),
        after: ctx.contributions.after(GRAFANA_VALUES_SLOT),
      },
    },
    { parent: ctx.parent },
  );
  provided.monitoringCrds = stack.crds;
  provided.prometheusRelease = stack.release;
  provided.grafanaAdminSecret = stack.grafanaAdminSecret;
  if (services["prometheus"] !== undefined) endpoints["prometheus"] = services["prometheus"];
  if (runs.thanos) {
    new Thanos(
      `${ctx.name}-thanos`,
      {
        namespace: ctx.owned(ctx.ns.monitoring),
        config,
        secrets: stack.thanosSecrets,
        prometheus: stack.release,
        monitoringCrds: stack.crds,
      },
      { parent: ctx.parent },
    );
    if (services["thanos"] !== undefined) endpoints["thanos"] = services["thanos"];
  }
  if (services["alertmanager"] !== undefined) endpoints["alertmanager"] = services["alertmanager"];
}

/** kube-prometheus-stack (Prometheus, Alertmanager, Grafana), metrics-server and Thanos. */
export const monitoringPart = {
  name: "monitoring",
  charts: MONITORING_CHARTS,
  sizing: MONITORING_SIZING,
  outputs: ["prometheus", "thanos", "alertmanager"],
  config: {
    keys: {
      prometheus: PROMETHEUS_KEY,
      alertmanager: ALERTMANAGER_KEY,
      metricsServer: METRICS_SERVER_KEY,
      thanos: THANOS_KEY,
      [GRAFANA_ADMIN_PASSWORD]: GRAFANA_ADMIN_PASSWORD_KEY,
      [THANOS_S3_SECRET_KEYS.accessKeyId]: THANOS_S3_ACCESS_KEY_ID_KEY,
      [THANOS_S3_SECRET_KEYS.secretAccessKey]: THANOS_S3_SECRET_ACCESS_KEY_KEY,
    },
    secretKeys: [
      GRAFANA_ADMIN_PASSWORD,
      THANOS_S3_SECRET_KEYS.accessKeyId,
      THANOS_S3_SECRET_KEYS.secretAccessKey,
    ],
    read(ctx: PartReadContext): MonitoringSlice {
      const prometheus = readPrometheus(ctx.at("prometheus"), ctx.cluster?.type);
      const alertmanager = readAlertmanager(ctx.at("alertmanager"));
      const metricsServer = readMetricsServer(ctx.at("metricsServer"), ctx.cluster?.type);
      const thanos = readThanos(
        ctx.at("thanos"),
        {
          secretKeys: ctx.secretKeys,
          prometheusEnabled: prometheus.enabled,
          ...(ctx.cluster !== undefined ? { clusterContext: ctx.cluster.context } : {}),
        },
        ctx.problems,
      );
      return { prometheus, alertmanager, metricsServer, thanos };
    },
  },
  runs(config: MonitoringSlice): MonitoringRuns {
    return {
      prometheus: config.prometheus.enabled,
      alertmanager: config.prometheus.enabled && config.alertmanager.enabled,
      metricsServer: config.metricsServer.enabled,
      thanos: config.prometheus.enabled && config.thanos.enabled,
    };
  },
  namespaces(_config: unknown, runs: MonitoringRuns): NamespaceSpec[] {
    // node-exporter reads the host's /proc, /sys and network namespace; Prometheus, Alertmanager
    // and Grafana keep their data in volume claims here.
    return runs.prometheus
      ? [
          {
            name: STACK_NAMESPACE_NAMES.monitoring,
            domain: "monitoring",
            podSecurity: "privileged",
            holdsData: true,
          },
        ]
      : [];
  },
  services(_config: unknown, runs: MonitoringRuns & OtherRuns, ns: NamespaceNames): MonitoringServices {
    const m = ns.monitoring;
    return {
      ...(runs.prometheus
        ? { prometheus: service(m, `${STACK_RELEASE}-prometheus`, PROMETHEUS_PORT, PROMETHEUS_PORT) }
        : {}),
      ...(runs.thanos
        ? {
            thanos: {
              ...service(
                m,
                THANOS_SERVICES.queryFrontend.name,
                PROMETHEUS_PORT,
                THANOS_SERVICES.queryFrontend.http,
              ),
              url: thanosQueryUrl(m),
            },
          }
        : {}),
      ...(runs.alertmanager
        ? { alertmanager: service(m, `${STACK_RELEASE}-alertmanager`, ALERTMANAGER_PORT, ALERTMANAGER_PORT) }
        : {}),
      ...(runs.grafana
        ? { grafana: { ...service(m, `${STACK_RELEASE}-grafana`, 3000, 80), url: "http://localhost:3000" } }
        : {}),
    };
  },
  podGroups: monitoringPodGroups,
  flows(config: MonitoringView, runs: MonitoringRuns & OtherRuns, groups) {
    return monitoringFlows(config, runs, {
      prometheus: groups.group("prometheus"),
      alertmanager: groups.group("alertmanager"),
      grafana: groups.group("grafana"),
      kubeStateMetrics: groups.group("kubeStateMetrics"),
      operator: groups.group("operator"),
      thanosQuery: groups.group("thanosQuery"),
      thanosQueryFrontend: groups.group("thanosQueryFrontend"),
      thanosStoreGateway: groups.group("thanosStoreGateway"),
      thanosCompactor: groups.group("thanosCompactor"),
    });
  },
  datasources(_config: unknown, runs: MonitoringRuns & OtherRuns, ns: NamespaceNames) {
    if (!runs.grafana) return {};
    // Metrics link to traces through exemplars (pruned when Jaeger is off); with Thanos, the same
    // uid reads the query-frontend. The chart provisions this one itself.
    return {
      byChart: [
        prometheusDatasource(ns.monitoring, {
          thanos: runs.thanos,
          tracesDatasourceUid: JAEGER_DATASOURCE_UID,
        }),
      ],
      byProgram: runs.alertmanager ? [alertmanagerDatasource(ns.monitoring)] : [],
    };
  },
  declare: [
    // After the mesh's injector (Prometheus's and Grafana's pods need it), before everything that
    // needs the monitoring.coreos.com CRDs.
    { order: 20, declare: declarePrometheus },
    {
      order: 50,
      declare(ctx: DeclareContext<MonitoringView> & { runs: MonitoringRuns }): void {
        if (!ctx.runs.metricsServer) return;
        new MetricsServer(
          `${ctx.name}-metrics-server`,
          { config: ctx.config, ...(ctx.pullSecret !== undefined ? { pullSecret: ctx.pullSecret } : {}) },
          { parent: ctx.parent },
        );
      },
    },
  ],
} satisfies Part<MonitoringSlice, MonitoringRuns, MonitoringView>;
