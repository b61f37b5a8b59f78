import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LogCollectorKind, StackConfig, StackSecrets } from "../config";
import { LogCollector, LOKI_DATASOURCE_UID, LOKI_GATEWAY_SERVICE, LogPushTarget, Loki } from "../logging";
import { Alerting, AlertingSummary } from "../alerting";
import { GrafanaProvisioning, stackDatasources } from "../grafana";
import { Tracing, TracingEndpoints, TRACING_NAMESPACE } from "../tracing";
import { STACK_DATASOURCE_PROVIDERS } from "./datasources";
import { ElasticEndpoints, ElasticStack } from "../search";
import {
  CanaryRoute,
  Istio,
  ISTIO_GATEWAY_RELEASE,
  ISTIO_GATEWAY_SELECTOR,
  MeshMonitors,
  MeshPolicies,
} from "../mesh";
import { GRAFANA_POD, MetricsServer, PROMETHEUS_SERVICE_ACCOUNT, PrometheusStack } from "../monitoring";
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
  // Loki and Alloy (which reads logs through the API) need no host access; Promtail does.
  logging: { name: "logging", domain: "logging", podSecurity: "baseline" },
  // The ECK operator's pod meets the restricted level.
  elasticSystem: { name: "elastic-system", domain: "search", podSecurity: "restricted" },
  // Filebeat reads the host's container logs as root.
  search: { name: "search", domain: "search", podSecurity: "privileged" },
  // istiod and the Istio CRDs' release; nothing there needs host access.
  istioSystem: { name: "istio-system", domain: "mesh", podSecurity: "baseline" },
  // The gateway binds ports 80 and 443 through the safe sysctl net.ipv4.ip_unprivileged_port_start.
  istioIngress: { name: "istio-ingress", domain: "mesh", podSecurity: "baseline" },
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
  tracing?: TracingEndpoints;
  loki?: {
    namespace: string;
    service: string;
    /** In-cluster base URL of the gateway (queries, and Grafana's datasource). */
    url: string;
    /** Where log shippers push. */
    pushUrl: string;
    portForward: string;
    /** The Grafana datasource uid; absent without Grafana. */
    datasourceUid?: string;
    /** The tenant to send as X-Scope-OrgID; absent when Loki runs without auth. */
    tenant?: string;
  };
  logCollector?: { kind: LogCollectorKind; release: string };
  /** The alert rules and where notifications go (receiver names and types only). */
  alerting?: AlertingSummary;
  elastic?: ElasticEndpoints;
  mesh?: {
    /** istiod's namespace, the mesh's root namespace. */
    namespace: string;
    /** The mesh-wide mTLS mode. */
    mtlsMode: string;
    /** Application namespaces labelled for sidecar injection. */
    injectNamespaces: string[];
    gateway?: { namespace: string; service: string; serviceType: string; portForward: string };
    /** Grafana through the gateway, after the gateway's port-forward. */
    grafanaUrl?: string;
  };
}

/** The whole stack, its parts wired in order. Every part can be switched off in config. */
export class ObservabilityStack extends pulumi.ComponentResource {
  readonly endpoints: StackEndpoints;
  readonly namespaces: Namespaces;
  readonly prometheusStack?: PrometheusStack;
  readonly metricsServer?: MetricsServer;
  readonly tracing?: Tracing;
  readonly loki?: Loki;
  readonly logCollector?: LogCollector;
  readonly grafana?: GrafanaProvisioning;
  readonly alerting?: Alerting;
  readonly elastic?: ElasticStack;
  readonly istio?: Istio;
  readonly meshPolicies?: MeshPolicies;
  readonly meshMonitors?: MeshMonitors;
  readonly canaries: CanaryRoute[];

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:core:ObservabilityStack", name, {}, opts);
    const { config } = args;
    const secrets = args.secrets ?? {};

    const { mesh } = config;
    const gatewayOn = mesh.enabled && mesh.gateway.enabled;
    // Grafana behind the gateway gets a sidecar; the config defaults this on only with both parts.
    const grafanaBehindGateway =
      gatewayOn && mesh.grafanaGateway.enabled && config.prometheus.enabled && config.grafana.enabled;

    const wanted: NamespaceSpec[] = [];
    if (config.prometheus.enabled) wanted.push(NAMESPACES.monitoring);
    const promtail = config.logCollector.enabled && config.logCollector.kind === "promtail";
    if (config.loki.enabled) {
      // Promtail mounts the node's log directories, which only the privileged level allows.
      wanted.push(promtail ? { ...NAMESPACES.logging, podSecurity: "privileged" } : NAMESPACES.logging);
    }
    if (config.tracing.enabled) wanted.push(NAMESPACES.tracing);
    if (mesh.enabled) wanted.push(NAMESPACES.istioSystem);
    if (gatewayOn) wanted.push(NAMESPACES.istioIngress);
    if (config.elastic.enabled) wanted.push(NAMESPACES.elasticSystem, NAMESPACES.search);
    this.namespaces = new Namespaces(`${name}-namespaces`, { namespaces: wanted }, { parent: this });

    // Istio before kube-prometheus-stack: Prometheus's and Grafana's pods need the injector.
    if (mesh.enabled) {
      this.istio = new Istio(
        `${name}-mesh`,
        {
          systemNamespace: this.namespaces.get(NAMESPACES.istioSystem.name),
          ...(gatewayOn ? { gatewayNamespace: this.namespaces.get(NAMESPACES.istioIngress.name) } : {}),
          config,
        },
        { parent: this },
      );
    }

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
          ...(this.istio !== undefined
            ? { mesh: { istiod: this.istio.istiod, grafanaSidecar: grafanaBehindGateway } }
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

    this.canaries = [];
    if (this.istio !== undefined) {
      const istio = this.istio.customResourceDependencies;
      const monitoring = NAMESPACES.monitoring.name;
      this.meshPolicies = new MeshPolicies(
        `${name}-mesh-policies`,
        {
          config,
          istio,
          namespaces: this.namespaces.byName,
          ...(config.prometheus.enabled
            ? { prometheus: { namespace: monitoring, serviceAccount: PROMETHEUS_SERVICE_ACCOUNT } }
            : {}),
          ...(grafanaBehindGateway && this.prometheusStack?.services.grafana !== undefined
            ? {
                grafana: {
                  grafana: {
                    namespace: monitoring,
                    service: this.prometheusStack.services.grafana,
                    servicePort: GRAFANA_POD.servicePort,
                    containerPort: GRAFANA_POD.containerPort,
                    selector: { ...GRAFANA_POD.selector },
                    metricsPath: GRAFANA_POD.metricsPath,
                  },
                  gateway: {
                    namespace: NAMESPACES.istioIngress.name,
                    selector: { ...ISTIO_GATEWAY_SELECTOR },
                    // The gateway chart names its service account after the release.
                    serviceAccount: ISTIO_GATEWAY_RELEASE,
                  },
                },
              }
            : {}),
        },
        { parent: this },
      );
      if (this.prometheusStack !== undefined) {
        this.meshMonitors = new MeshMonitors(
          `${name}-mesh-monitors`,
          {
            namespace: NAMESPACES.istioSystem.name,
            crds: this.prometheusStack.crds,
            namespaces: this.namespaces.byName,
          },
          { parent: this },
        );
      }
      this.canaries = mesh.canaries.map(
        (c) => new CanaryRoute(`${name}-canary-${c.namespace}-${c.name}`, { ...c, istio }, { parent: this }),
      );

      const ingress = NAMESPACES.istioIngress.name;
      endpoints.mesh = {
        namespace: NAMESPACES.istioSystem.name,
        mtlsMode: mesh.mtls.mode,
        injectNamespaces: mesh.injectNamespaces,
        ...(gatewayOn
          ? {
              gateway: {
                namespace: ingress,
                service: ISTIO_GATEWAY_RELEASE,
                serviceType: mesh.gateway.serviceType,
                portForward: `kubectl -n ${ingress} port-forward svc/${ISTIO_GATEWAY_RELEASE} 8080:80`,
              },
            }
          : {}),
        ...(grafanaBehindGateway
          ? {
              grafanaUrl: mesh.grafanaGateway.hosts.includes("*")
                ? "http://localhost:8080"
                : `http://${mesh.grafanaGateway.hosts[0] ?? "localhost"}`,
            }
          : {}),
      };
    }

    if (config.metricsServer.enabled) {
      this.metricsServer = new MetricsServer(`${name}-metrics-server`, { config }, { parent: this });
    }

    const grafanaRuns = this.prometheusStack !== undefined && config.grafana.enabled;
    if (config.loki.enabled) {
      const ns = NAMESPACES.logging.name;
      const loki = new Loki(
        `${name}-loki`,
        {
          namespace: this.namespaces.get(ns),
          namespaceName: ns,
          config,
          ...(this.prometheusStack !== undefined ? { monitoringCrds: this.prometheusStack.crds } : {}),
          ...(secrets.lokiS3AccessKeyId !== undefined && secrets.lokiS3SecretAccessKey !== undefined
            ? {
                s3Credentials: {
                  accessKeyId: secrets.lokiS3AccessKeyId,
                  secretAccessKey: secrets.lokiS3SecretAccessKey,
                },
              }
            : {}),
        },
        { parent: this },
      );
      this.loki = loki;
      const tenant = config.loki.authEnabled ? config.loki.tenant : undefined;
      endpoints.loki = {
        namespace: ns,
        service: LOKI_GATEWAY_SERVICE,
        url: loki.gatewayUrl,
        pushUrl: loki.pushUrl,
        portForward: `kubectl -n ${ns} port-forward svc/${LOKI_GATEWAY_SERVICE} 3100:80`,
        ...(grafanaRuns ? { datasourceUid: LOKI_DATASOURCE_UID } : {}),
        ...(tenant !== undefined ? { tenant } : {}),
      };

      if (config.logCollector.enabled) {
        const target: LogPushTarget = {
          url: loki.pushUrl,
          ...(tenant !== undefined ? { tenantId: tenant } : {}),
        };
        const kind = config.logCollector.kind;
        this.logCollector = new LogCollector(
          `${name}-${kind}`,
          {
            kind,
            namespace: this.namespaces.get(ns),
            config,
            target,
            loki: loki.release,
            ...(this.prometheusStack !== undefined ? { monitoringCrds: this.prometheusStack.crds } : {}),
          },
          { parent: this },
        );
        endpoints.logCollector = { kind, release: this.logCollector.releaseName };
      }
    }

    if (config.tracing.enabled) {
      this.tracing = new Tracing(
        `${name}-tracing`,
        {
          namespace: this.namespaces.get(NAMESPACES.tracing.name),
          config,
          ...(this.prometheusStack !== undefined ? { monitoringCrds: this.prometheusStack.crds } : {}),
          ...(secrets.tracingElasticsearchPassword !== undefined
            ? { elasticsearchPassword: secrets.tracingElasticsearchPassword }
            : {}),
        },
        { parent: this },
      );
      endpoints.tracing = this.tracing.endpoints;
    }

    if (config.elastic.enabled) {
      const grafanaOn = config.prometheus.enabled && config.grafana.enabled;
      this.elastic = new ElasticStack(
        `${name}-elastic`,
        {
          operatorNamespace: this.namespaces.get(NAMESPACES.elasticSystem.name),
          namespace: { name: NAMESPACES.search.name, resource: this.namespaces.get(NAMESPACES.search.name) },
          ...(grafanaOn ? { grafanaNamespace: this.namespaces.get(NAMESPACES.monitoring.name) } : {}),
          ...(secrets.grafanaElasticsearchPassword !== undefined
            ? { grafanaReaderPassword: secrets.grafanaElasticsearchPassword }
            : {}),
          config,
        },
        { parent: this },
      );
      endpoints.elastic = this.elastic.endpoints;
    }

    const stack = this.prometheusStack;
    if (stack?.services.grafana !== undefined) {
      const ns = NAMESPACES.monitoring.name;
      // Datasources and dashboards are plain ConfigMaps the sidecars pick up whenever they appear.
      const datasources = stackDatasources({ config, namespaces: NAMESPACES }, STACK_DATASOURCE_PROVIDERS);
      const grafana = new GrafanaProvisioning(
        `${name}-grafana`,
        {
          namespace: this.namespaces.get(ns),
          config,
          datasources,
          stackNamespaces,
          // After the releases behind the datasources, so Grafana never lists an empty one.
          after: [this.loki?.release, this.tracing?.jaeger?.release].filter(
            (r): r is k8s.helm.v3.Release => r !== undefined,
          ),
        },
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

    this.endpoints = endpoints;
    this.registerOutputs({ endpoints });
  }
}
