import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Alerting } from "../alerting";
import { GrafanaProvisioning } from "../grafana";
import { OwnedNamespace, StackPullSecret } from "../kit";
import { LogCollector, LogPushTarget, Loki } from "../logging";
import {
  CanaryRoute,
  Istio,
  ISTIO_GATEWAY_RELEASE,
  ISTIO_GATEWAY_SELECTOR,
  MeshMonitors,
  MeshPolicies,
} from "../mesh";
import {
  GRAFANA_POD,
  MetricsServer,
  PROMETHEUS_SERVICE_ACCOUNT,
  PrometheusStack,
  Thanos,
} from "../monitoring";
import { CommunityDashboardFile, JAEGER_DATASOURCE_UID } from "../grafana";
import { ElasticStack } from "../search";
import { ES_CA_KEY, ES_CA_SECRET, Tracing } from "../tracing";
import { StackConfig } from "./config";
import { StackSecrets } from "./load";
import { lokiDatasourceUid, StackModel, stackModel } from "./model";
import { StackEndpoints } from "./outputs";
import { Namespaces } from "./namespaces";
import { NetworkPolicies } from "./network-policies";

export interface ObservabilityStackArgs {
  /** The validated stack config (see components/core/config.ts). */
  config: StackConfig;
  /** Secret config as secret Outputs. Defaults to none: missing secrets are generated. */
  secrets?: StackSecrets;
  /** The community dashboards, fetched before anything is declared. Defaults to none. */
  communityDashboards?: readonly CommunityDashboardFile[];
}

/**
 * The whole stack: the model decides what runs and where (components/core/model.ts); this wires
 * the parts in order and hands each its slice.
 */
export class ObservabilityStack extends pulumi.ComponentResource {
  readonly model: StackModel;
  readonly endpoints: StackEndpoints;
  readonly namespaces: Namespaces;
  readonly prometheusStack?: PrometheusStack;
  readonly metricsServer?: MetricsServer;
  readonly thanos?: Thanos;
  readonly tracing?: Tracing;
  readonly loki?: Loki;
  readonly logCollector?: LogCollector;
  readonly grafana?: GrafanaProvisioning;
  readonly alerting?: Alerting;
  readonly elastic?: ElasticStack;
  readonly istio?: Istio;
  readonly meshPolicies?: MeshPolicies;
  readonly meshMonitors?: MeshMonitors;
  readonly canaries: CanaryRoute[] = [];
  readonly networkPolicies?: NetworkPolicies;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:core:ObservabilityStack", name, {}, opts);
    const { config } = args;
    const secrets = args.secrets ?? {};
    const model = stackModel(config);
    const { runs, namespaceOf: nsName, services } = model;
    this.model = model;
    for (const warning of model.warnings) void pulumi.log.warn(warning, this);

    // With imagePullSecret, a pull Secret in every namespace the stack's pods run in, first there.
    let pullSecret: StackPullSecret | undefined;
    if (config.images.stackPullSecret !== undefined) {
      if (secrets.imagePullSecret === undefined) {
        throw new Error(
          "images.stackPullSecret comes from the secret key imagePullSecret, but none was passed",
        );
      }
      pullSecret = { name: config.images.stackPullSecret, dockerConfig: secrets.imagePullSecret };
    }
    this.namespaces = new Namespaces(
      `${name}-namespaces`,
      {
        namespaces: model.namespaces,
        retainData: config.cluster.retainData,
        ...(pullSecret !== undefined ? { pullSecret } : {}),
      },
      { parent: this },
    );
    const owned = (key: keyof StackModel["namespaceOf"]): OwnedNamespace =>
      this.namespaces.owned(nsName[key]);
    const stackNamespaces = model.namespaces.map((n) => n.name);
    const endpoints: StackEndpoints = { namespaces: stackNamespaces };

    // Istio before kube-prometheus-stack: Prometheus's and Grafana's pods need the injector.
    if (runs.mesh) {
      this.istio = new Istio(
        `${name}-mesh`,
        {
          systemNamespace: owned("istioSystem"),
          ...(runs.gateway ? { gatewayNamespace: owned("istioIngress") } : {}),
          config,
        },
        { parent: this },
      );
    }

    if (runs.prometheus) {
      const stack = new PrometheusStack(
        `${name}-prometheus`,
        {
          namespace: owned("monitoring"),
          config,
          ...(secrets.grafanaAdminPassword !== undefined
            ? { grafanaAdminPassword: secrets.grafanaAdminPassword }
            : {}),
          ...(this.istio !== undefined
            ? { mesh: { istiod: this.istio.istiod, grafanaSidecar: runs.grafanaBehindGateway } }
            : {}),
          ...(secrets.thanosS3AccessKeyId !== undefined && secrets.thanosS3SecretAccessKey !== undefined
            ? {
                thanosS3Credentials: {
                  accessKeyId: secrets.thanosS3AccessKeyId,
                  secretAccessKey: secrets.thanosS3SecretAccessKey,
                },
              }
            : {}),
          ...(runs.jaeger ? { tracesDatasourceUid: JAEGER_DATASOURCE_UID } : {}),
        },
        { parent: this },
      );
      this.prometheusStack = stack;
      if (services.prometheus !== undefined) endpoints.prometheus = services.prometheus;
      if (runs.thanos) {
        this.thanos = new Thanos(
          `${name}-thanos`,
          {
            namespace: owned("monitoring"),
            config,
            secrets: stack.thanosSecrets,
            prometheus: stack.release,
            monitoringCrds: stack.crds,
          },
          { parent: this },
        );
        if (services.thanos !== undefined) endpoints.thanos = services.thanos;
      }
      if (services.alertmanager !== undefined) endpoints.alertmanager = services.alertmanager;
      if (runs.alerting) {
        // Rules and routing are custom resources: after the CRDs and the operator's webhook.
        this.alerting = new Alerting(
          `${name}-alerting`,
          {
            namespace: owned("monitoring"),
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

    if (this.istio !== undefined) {
      const mesh = this.wireMesh(name, config, model, this.istio);
      this.meshPolicies = mesh.policies;
      if (mesh.monitors !== undefined) this.meshMonitors = mesh.monitors;
      this.canaries.push(...mesh.canaries);
      endpoints.mesh = {
        namespace: nsName.istioSystem,
        mtlsMode: config.mesh.mtls.mode,
        injectNamespaces: config.mesh.injectNamespaces,
        ...(services.meshGateway !== undefined ? { gateway: services.meshGateway } : {}),
        ...(model.grafanaGatewayUrl !== undefined ? { grafanaUrl: model.grafanaGatewayUrl } : {}),
      };
    }

    if (runs.metricsServer) {
      this.metricsServer = new MetricsServer(
        `${name}-metrics-server`,
        { config, ...(pullSecret !== undefined ? { pullSecret } : {}) },
        { parent: this },
      );
    }

    const monitoringCrds =
      this.prometheusStack !== undefined ? { monitoringCrds: this.prometheusStack.crds } : {};
    if (services.loki !== undefined) {
      const loki = new Loki(
        `${name}-loki`,
        {
          namespace: owned("logging"),
          config,
          ...monitoringCrds,
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
      const { tenant } = services.loki;
      const datasourceUid = lokiDatasourceUid(model);
      endpoints.loki = {
        ...services.loki,
        ...(datasourceUid !== undefined ? { datasourceUid } : {}),
      };

      if (runs.logCollector !== undefined) {
        const target: LogPushTarget = {
          url: services.loki.pushUrl,
          ...(tenant !== undefined ? { tenantId: tenant } : {}),
        };
        const kind = runs.logCollector;
        this.logCollector = new LogCollector(
          `${name}-${kind}`,
          { kind, namespace: owned("logging"), config, target, loki: loki.release, ...monitoringCrds },
          { parent: this },
        );
        endpoints.logCollector = { kind, release: this.logCollector.releaseName };
      }
    }

    // Elasticsearch before tracing: Jaeger writes to it when it runs, after its user and CA exist.
    if (runs.elastic) {
      this.elastic = new ElasticStack(
        `${name}-elastic`,
        {
          operatorNamespace: owned("elasticSystem"),
          namespace: owned("search"),
          ...(runs.grafana ? { grafanaNamespace: owned("monitoring") } : {}),
          ...(secrets.grafanaElasticsearchPassword !== undefined
            ? { grafanaReaderPassword: secrets.grafanaElasticsearchPassword }
            : {}),
          ...(runs.jaegerOnStackElasticsearch && config.tracing.elasticsearch !== undefined
            ? {
                jaeger: {
                  namespace: owned("tracing"),
                  username: config.tracing.elasticsearch.username,
                  indexPrefix: config.tracing.elasticsearch.indexPrefix,
                  caSecret: ES_CA_SECRET,
                  caKey: ES_CA_KEY,
                  ...(secrets.tracingElasticsearchPassword !== undefined
                    ? { password: secrets.tracingElasticsearchPassword }
                    : {}),
                },
              }
            : {}),
          config,
        },
        { parent: this },
      );
      endpoints.elastic = this.elastic.endpoints;
    }

    if (runs.tracing) {
      this.tracing = new Tracing(
        `${name}-tracing`,
        {
          namespace: owned("tracing"),
          config,
          ...monitoringCrds,
          ...(secrets.tracingElasticsearchPassword !== undefined
            ? { elasticsearchPassword: secrets.tracingElasticsearchPassword }
            : {}),
          ...(this.elastic?.jaeger !== undefined
            ? {
                elasticsearchPassword: this.elastic.jaeger.password,
                stackElasticsearch: {
                  url: this.elastic.jaeger.url,
                  replicas: this.elastic.jaeger.replicas,
                  ready: this.elastic.jaeger.ready,
                },
              }
            : {}),
        },
        { parent: this },
      );
      endpoints.tracing = this.tracing.endpoints;
    }

    const stack = this.prometheusStack;
    const grafanaService = services.grafana;
    if (stack !== undefined && grafanaService !== undefined) {
      // Datasources and dashboards are plain ConfigMaps the sidecars pick up whenever they appear.
      const grafana = new GrafanaProvisioning(
        `${name}-grafana`,
        {
          namespace: owned("monitoring"),
          config,
          datasources: model.datasources,
          stackNamespaces,
          ...(args.communityDashboards !== undefined
            ? { communityDashboards: args.communityDashboards }
            : {}),
          // After the releases behind the datasources, so Grafana never lists an empty one.
          after: [this.loki?.release, this.tracing?.jaeger?.release].filter(
            (r): r is k8s.helm.v3.Release => r !== undefined,
          ),
        },
        { parent: this },
      );
      this.grafana = grafana;
      endpoints.grafana = {
        ...grafanaService,
        adminSecret: {
          name: stack.grafanaAdminSecret.name,
          userKey: stack.grafanaAdminSecret.userKey,
          passwordKey: stack.grafanaAdminSecret.passwordKey,
        },
        datasources: model.datasourceUids,
        dashboards: grafana.dashboardIndex.map((d) => ({
          title: d.title,
          folder: d.folder,
          url: `${grafanaService.url}/d/${d.uid}`,
        })),
      };
    }

    if (model.flows.length > 0) {
      this.networkPolicies = new NetworkPolicies(
        `${name}-network-policies`,
        {
          namespaces: new Map(stackNamespaces.map((n) => [n, this.namespaces.get(n)])),
          flows: model.flows,
        },
        { parent: this },
      );
    }

    this.endpoints = endpoints;
    this.registerOutputs({ endpoints });
  }

  /** The mesh's policies, its monitors and the canary routes, after Istio's CRDs and webhook. */
  private wireMesh(
    name: string,
    config: StackConfig,
    model: StackModel,
    istio: Istio,
  ): { policies: MeshPolicies; monitors?: MeshMonitors; canaries: CanaryRoute[] } {
    const deps = istio.customResourceDependencies;
    const { runs, namespaceOf: nsName } = model;
    const grafanaService = model.services.grafana?.service;
    const policies = new MeshPolicies(
      `${name}-mesh-policies`,
      {
        config,
        istio: deps,
        namespaces: this.namespaces.byName,
        ...(runs.prometheus
          ? { prometheus: { namespace: nsName.monitoring, serviceAccount: PROMETHEUS_SERVICE_ACCOUNT } }
          : {}),
        ...(runs.grafanaBehindGateway && grafanaService !== undefined
          ? {
              grafana: {
                grafana: {
                  namespace: nsName.monitoring,
                  service: grafanaService,
                  servicePort: GRAFANA_POD.servicePort,
                  containerPort: GRAFANA_POD.containerPort,
                  selector: { ...GRAFANA_POD.selector },
                  metricsPath: GRAFANA_POD.metricsPath,
                },
                gateway: {
                  namespace: nsName.istioIngress,
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
    const monitors =
      this.prometheusStack !== undefined
        ? new MeshMonitors(
            `${name}-mesh-monitors`,
            {
              namespace: nsName.istioSystem,
              crds: this.prometheusStack.crds,
              namespaces: this.namespaces.byName,
            },
            { parent: this },
          )
        : undefined;
    const canaries = config.mesh.canaries.map(
      (c) =>
        new CanaryRoute(`${name}-canary-${c.namespace}-${c.name}`, { ...c, istio: deps }, { parent: this }),
    );
    return { policies, ...(monitors !== undefined ? { monitors } : {}), canaries };
  }
}
