import { NULL_RECEIVER, routingEnabled } from "../alerting";
import { grafanaRuns } from "../grafana/config";
import {
  ELASTICSEARCH_DATASOURCE_UID,
  JAEGER_DATASOURCE_UID,
  LOKI_DATASOURCE_UID,
  StackDatasources,
  stackDatasources,
} from "../grafana";
import { NamespaceSpec, portForward, STACK_NAMESPACE_NAMES, StackNamespaceKey } from "../kit";
import { LogCollectorKind } from "../logging/config";
import {
  LOKI_GATEWAY_SERVICE,
  lokiDatasource,
  lokiGatewayUrl,
  lokiPushUrl,
  lokiTargetComponents,
} from "../logging";
import { ISTIO_GATEWAY_RELEASE, meshWarnings } from "../mesh";
import {
  alertmanagerDatasource,
  prometheusDatasource,
  STACK_RELEASE,
  THANOS_SERVICES,
  thanosQueryUrl,
} from "../monitoring";
import { JAEGER_PORTS, JAEGER_SERVICE, jaegerDatasource, lokiTraceDerivedFields } from "../tracing";
import { StackConfig } from "./config";
import { Flow, podGroups, stackFlows } from "./network-flows";

/** The Pod Security level each namespace needs, and why. Promtail raises logging's (see stackModel). */
const POD_SECURITY: Record<StackNamespaceKey, NamespaceSpec["podSecurity"]> = {
  // node-exporter reads the host's /proc, /sys and network namespace.
  monitoring: "privileged",
  // Loki and Alloy (which reads logs through the API) need no host access; Promtail does.
  logging: "baseline",
  // Jaeger and the collector gateway run as non-root with no capabilities.
  tracing: "restricted",
  // The ECK operator's pod meets the restricted level.
  elasticSystem: "restricted",
  // Filebeat reads the host's container logs as root.
  search: "privileged",
  // istiod and the Istio CRDs' release; nothing there needs host access.
  istioSystem: "baseline",
  // The gateway binds ports 80 and 443 through the safe sysctl net.ipv4.ip_unprivileged_port_start.
  istioIngress: "baseline",
};

/** The domain label of each namespace: the part it serves. */
const DOMAIN: Record<StackNamespaceKey, string> = {
  monitoring: "monitoring",
  logging: "logging",
  tracing: "tracing",
  elasticSystem: "search",
  search: "search",
  istioSystem: "mesh",
  istioIngress: "mesh",
};

/**
 * The namespaces whose deletion would take data with it: volume claims (Prometheus, Alertmanager,
 * Grafana, Loki, Jaeger's Badger) or Elasticsearch. With cluster.retainData they are retained.
 */
const HOLDS_DATA: ReadonlySet<StackNamespaceKey> = new Set(["monitoring", "logging", "tracing", "search"]);

/** Every namespace the stack may own, at its usual level; the model picks those that run. */
export const NAMESPACES: Readonly<Record<StackNamespaceKey, NamespaceSpec>> = Object.fromEntries(
  (Object.keys(STACK_NAMESPACE_NAMES) as StackNamespaceKey[]).map((key) => [
    key,
    {
      name: STACK_NAMESPACE_NAMES[key],
      domain: DOMAIN[key],
      podSecurity: POD_SECURITY[key],
      ...(HOLDS_DATA.has(key) ? { holdsData: true } : {}),
    },
  ]),
) as Record<StackNamespaceKey, NamespaceSpec>;

/** Which parts run: decided here, once, from the validated config. */
export interface PartsRunning {
  /** kube-prometheus-stack: Prometheus and the operator. */
  prometheus: boolean;
  alertmanager: boolean;
  /** Grafana runs only inside kube-prometheus-stack. */
  grafana: boolean;
  /** The project's and the community dashboards: Grafana's. */
  dashboards: boolean;
  /** Alert rules (PrometheusRules): need the operator. */
  alerting: boolean;
  /** Alertmanager routing from config: needs rules and Alertmanager. */
  alertRouting: boolean;
  metricsServer: boolean;
  /** Long-term metrics: the Thanos sidecars and the thanos release (needs Prometheus). */
  thanos: boolean;
  loki: boolean;
  /** The log collector that runs, if any: it needs Loki. */
  logCollector?: LogCollectorKind;
  tracing: boolean;
  jaeger: boolean;
  /** The OpenTelemetry Collector gateway. */
  collector: boolean;
  /** Jaeger writes to the stack's own Elasticsearch (its user, role and CA copy come from the search part). */
  jaegerOnStackElasticsearch: boolean;
  elastic: boolean;
  mesh: boolean;
  /** The Istio ingress gateway. */
  gateway: boolean;
  /** Grafana published on the gateway (it then gets a sidecar). */
  grafanaBehindGateway: boolean;
}

/** A Service of the stack, and how an operator reaches it from a laptop. */
export interface ServiceAddress {
  namespace: string;
  service: string;
  portForward: string;
}

/** The one model of the stack: what runs, where, under which names, and how the parts link up. */
export interface StackModel {
  runs: PartsRunning;
  /** The namespaces the stack owns, in the order they are declared. */
  namespaces: NamespaceSpec[];
  /** Each part's namespace by key; only those in `namespaces` exist. */
  namespaceOf: Readonly<Record<StackNamespaceKey, string>>;
  /** Services an operator reaches, for the parts that run. */
  services: {
    prometheus?: ServiceAddress;
    /** The Thanos query-frontend, which Grafana's Prometheus datasource reads when Thanos runs. */
    thanos?: ServiceAddress & { url: string };
    alertmanager?: ServiceAddress;
    grafana?: ServiceAddress & { url: string };
    loki?: ServiceAddress & { url: string; pushUrl: string; tenant?: string };
    meshGateway?: ServiceAddress & { serviceType: string };
  };
  /**
   * Grafana's datasources: the ones dashboards may name (`all`) and the ones the program's
   * ConfigMap provisions; empty without Grafana.
   */
  datasources: StackDatasources;
  /**
   * The uids of every datasource Grafana gets, Elasticsearch's included (the search part
   * provisions that one itself, in a Secret, since it holds a password).
   */
  datasourceUids: string[];
  /** Grafana's URL through the gateway's port-forward, when it is published there. */
  grafanaGatewayUrl?: string;
  /**
   * The network flows the stack needs, which its NetworkPolicies allow and nothing else; empty
   * with networkPolicies.enabled false (components/core/network-flows.ts).
   */
  flows: Flow[];
  /** What is valid but most likely a mistake: the program warns at preview, naming the keys to set. */
  warnings: string[];
}

/**
 * Valid config that is most likely a mistake. A stack sized for production whose alerts all go to
 * the null receiver tells nobody when it breaks.
 */
export function configWarnings(config: StackConfig, runs: PartsRunning): string[] {
  const warnings: string[] = [];
  const { route } = config.alerting;
  const everyAlertDropped =
    route.receiver === NULL_RECEIVER && route.routes.every((r) => r.receiver === NULL_RECEIVER);
  if (config.sizing === "production" && runs.alertRouting && everyAlertDropped) {
    warnings.push(
      "alerting: every alert goes to the null receiver, so nobody is notified when this production-sized stack breaks; " +
        "set a receiver with `pulumi config set --path alerting.receivers.<name>.type slack` (its URL with " +
        "`pulumi config set --secret --path alertReceiverSecrets.<name> <url>`) and route to it with " +
        "`pulumi config set --path alerting.route.receiver <name>`",
    );
  }
  warnings.push(...meshWarnings(config.mesh, runs.prometheus));
  return warnings;
}

/** The datasources the parts that run bring to Grafana, in the order Grafana lists them. */
function datasourcesOf(config: StackConfig, runs: PartsRunning, ns: Record<StackNamespaceKey, string>) {
  if (!runs.grafana) return { all: [], provisioned: [] };
  // Metrics link to traces through exemplars (pruned when Jaeger is off); with Thanos, the same
  // uid reads the query-frontend.
  const prometheus = prometheusDatasource(ns.monitoring, {
    thanos: runs.thanos,
    tracesDatasourceUid: JAEGER_DATASOURCE_UID,
  });
  return stackDatasources(prometheus, [
    ...(runs.alertmanager ? [alertmanagerDatasource(ns.monitoring)] : []),
    // A trace id in a log line links to Jaeger (pruned when Jaeger is off).
    ...(runs.loki ? [lokiDatasource(ns.logging, config.loki, lokiTraceDerivedFields())] : []),
    // Spans link to their logs in Loki (pruned when Loki is off) and to metrics.
    ...(runs.jaeger
      ? [
          jaegerDatasource({
            url: `http://${JAEGER_SERVICE}.${ns.tracing}.svc:${JAEGER_PORTS.query}`,
            lokiEnabled: true,
          }),
        ]
      : []),
  ]);
}

/** Which parts run, from the config alone. */
export function partsRunning(config: StackConfig): PartsRunning {
  const { mesh } = config;
  const grafana = grafanaRuns(config);
  const gateway = mesh.enabled && mesh.gateway.enabled;
  return {
    prometheus: config.prometheus.enabled,
    alertmanager: config.prometheus.enabled && config.alertmanager.enabled,
    grafana,
    dashboards: grafana && config.dashboards.enabled,
    alerting: config.prometheus.enabled && config.alerting.enabled,
    alertRouting: routingEnabled(config),
    metricsServer: config.metricsServer.enabled,
    thanos: config.prometheus.enabled && config.thanos.enabled,
    loki: config.loki.enabled,
    ...(config.loki.enabled && config.logCollector.enabled ? { logCollector: config.logCollector.kind } : {}),
    tracing: config.tracing.enabled,
    jaeger: config.tracing.enabled && config.tracing.jaeger.enabled,
    collector: config.tracing.enabled && config.tracing.collector.enabled,
    jaegerOnStackElasticsearch:
      config.tracing.enabled &&
      config.tracing.jaeger.enabled &&
      config.elastic.enabled &&
      config.tracing.elasticsearch?.cluster === "stack",
    elastic: config.elastic.enabled,
    mesh: mesh.enabled,
    gateway,
    // Grafana behind the gateway gets a sidecar; the config defaults this on only with both parts.
    grafanaBehindGateway: gateway && mesh.grafanaGateway.enabled && grafana,
  };
}

/**
 * The model of the stack, a pure function of the validated config: the composition root, the
 * stack outputs and the docs read it instead of deciding again.
 */
export function stackModel(config: StackConfig): StackModel {
  const runs = partsRunning(config);
  const ns = { ...STACK_NAMESPACE_NAMES };
  const namespaces: NamespaceSpec[] = [];
  if (runs.prometheus) namespaces.push(NAMESPACES.monitoring);
  if (runs.loki) {
    // Promtail mounts the node's log directories, which only the privileged level allows.
    namespaces.push(
      runs.logCollector === "promtail"
        ? { ...NAMESPACES.logging, podSecurity: "privileged" }
        : NAMESPACES.logging,
    );
  }
  if (runs.tracing) namespaces.push(NAMESPACES.tracing);
  if (runs.mesh) namespaces.push(NAMESPACES.istioSystem);
  if (runs.gateway) namespaces.push(NAMESPACES.istioIngress);
  if (runs.elastic) namespaces.push(NAMESPACES.elasticSystem, NAMESPACES.search);

  const services: StackModel["services"] = {};
  if (runs.prometheus) {
    const service = `${STACK_RELEASE}-prometheus`;
    services.prometheus = {
      namespace: ns.monitoring,
      service,
      portForward: portForward(ns.monitoring, service, 9090, 9090),
    };
  }
  if (runs.thanos) {
    const service = THANOS_SERVICES.queryFrontend.name;
    services.thanos = {
      namespace: ns.monitoring,
      service,
      portForward: portForward(ns.monitoring, service, 9090, THANOS_SERVICES.queryFrontend.http),
      url: thanosQueryUrl(ns.monitoring),
    };
  }
  if (runs.alertmanager) {
    const service = `${STACK_RELEASE}-alertmanager`;
    services.alertmanager = {
      namespace: ns.monitoring,
      service,
      portForward: portForward(ns.monitoring, service, 9093, 9093),
    };
  }
  if (runs.grafana) {
    const service = `${STACK_RELEASE}-grafana`;
    services.grafana = {
      namespace: ns.monitoring,
      service,
      portForward: portForward(ns.monitoring, service, 3000, 80),
      url: "http://localhost:3000",
    };
  }
  if (runs.loki) {
    services.loki = {
      namespace: ns.logging,
      service: LOKI_GATEWAY_SERVICE,
      portForward: portForward(ns.logging, LOKI_GATEWAY_SERVICE, 3100, 80),
      url: lokiGatewayUrl(ns.logging),
      pushUrl: lokiPushUrl(ns.logging),
      ...(config.loki.authEnabled ? { tenant: config.loki.tenant } : {}),
    };
  }
  if (runs.gateway) {
    services.meshGateway = {
      namespace: ns.istioIngress,
      service: ISTIO_GATEWAY_RELEASE,
      serviceType: config.mesh.gateway.serviceType,
      portForward: portForward(ns.istioIngress, ISTIO_GATEWAY_RELEASE, 8080, 80),
    };
  }

  const datasources = datasourcesOf(config, runs, ns);
  const datasourceUids = [
    ...datasources.all.map((d) => d.uid),
    ...(runs.grafana && runs.elastic ? [ELASTICSEARCH_DATASOURCE_UID] : []),
  ];
  const hosts = config.mesh.grafanaGateway.hosts;
  return {
    runs,
    namespaces,
    namespaceOf: ns,
    services,
    datasources,
    datasourceUids,
    flows: config.networkPolicies.enabled
      ? stackFlows(config, runs, podGroups(ns, lokiTargetComponents(config.loki)))
      : [],
    warnings: configWarnings(config, runs),
    ...(runs.grafanaBehindGateway
      ? {
          grafanaGatewayUrl: hosts.includes("*")
            ? "http://localhost:8080"
            : `http://${hosts[0] ?? "localhost"}`,
        }
      : {}),
  };
}

/** The Loki datasource uid when Grafana lists Loki; dashboards and outputs name it. */
export function lokiDatasourceUid(model: StackModel): string | undefined {
  return model.runs.grafana && model.runs.loki ? LOKI_DATASOURCE_UID : undefined;
}
