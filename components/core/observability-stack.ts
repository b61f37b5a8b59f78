import * as pulumi from "@pulumi/pulumi";
import { StackConfig, StackSecrets } from "../config";
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
  };
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
    if (mesh.enabled) wanted.push(NAMESPACES.istioSystem);
    if (gatewayOn) wanted.push(NAMESPACES.istioIngress);
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

    this.endpoints = endpoints;
    this.registerOutputs({ endpoints });
  }
}
