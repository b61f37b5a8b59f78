import * as pulumi from "@pulumi/pulumi";
import { grafanaRuns } from "../grafana";
import {
  DeclareContext,
  Flow,
  flowList,
  NamespaceNames,
  NamespaceSpec,
  Part,
  PartReadContext,
  PlatformConfig,
  PodGroup,
  PodGroupsView,
  portForward,
  STACK_NAMESPACE_NAMES,
  tcp,
} from "../kit";
import { GRAFANA_POD, PROMETHEUS_SERVICE_ACCOUNT } from "../monitoring";
import { CanaryRoute } from "./canary-route";
import { MESH_CHARTS } from "./charts";
import { MESH_KEY, MeshConfig, meshWarnings, readMesh } from "./config";
import { Istio, ISTIO_GATEWAY_RELEASE, ISTIO_GATEWAY_SELECTOR } from "./istio";
import { MESH_EXTENSION_PROVIDERS_SLOT } from "./istio-values";
import { MeshMonitors } from "./mesh-monitors";
import { MeshPolicies } from "./mesh-policies";
import { MESH_SIZING } from "./sizing";

/** The config keys the mesh part reads. */
export interface MeshSlice {
  /** Istio: control plane, gateway, mTLS and authorization policies, telemetry, canary routes. */
  mesh: MeshConfig;
}

/** What the mesh part reads of the stack config. */
export type MeshView = MeshSlice &
  PlatformConfig & { prometheus: { enabled: boolean }; grafana: { enabled: boolean } };

/** Which of the mesh part's pieces run. */
export interface MeshRuns {
  mesh: boolean;
  /** The Istio ingress gateway. */
  gateway: boolean;
  /** Grafana published on the gateway (it then gets a sidecar). */
  grafanaBehindGateway: boolean;
}

declare module "../kit/part" {
  interface Provided {
    /** istiod: pods that join the mesh need its injector. */
    istiod?: pulumi.Resource;
    /** What every Istio custom resource depends on: its CRDs and istiod's validating webhook. */
    istioDependencies?: pulumi.Resource[];
  }
}

/** istiod's xDS and webhook ports, its metrics, the proxies' merged metrics, the gateway's health. */
const XDS_PORT = 15012;
const WEBHOOK_PORT = 15017;
const ISTIOD_METRICS_PORT = 15014;
const PROXY_METRICS_PORT = 15020;
const GATEWAY_HEALTH_PORT = 15021;
/** The gateway's port-forward: a local port, and its Service's HTTP port. */
const GATEWAY_LOCAL_PORT = 8080;
const GATEWAY_HTTP_PORT = 80;

function meshPodGroups(ns: NamespaceNames) {
  return {
    istiod: { name: "istiod", namespace: ns.istioSystem, labels: { istio: "pilot" } },
    gateway: { name: "istio-gateway", namespace: ns.istioIngress, labels: { ...ISTIO_GATEWAY_SELECTOR } },
  } satisfies Record<string, PodGroup>;
}

/** Sidecars and gateways reach istiod; the API server calls its webhooks; clients reach the gateway. */
function meshFlows(
  _config: unknown,
  runs: MeshRuns & { prometheus: boolean },
  groups: PodGroupsView,
): Flow[] {
  const { flows, add } = flowList();
  if (!runs.mesh) return flows;
  const istiod = groups.group("istiod");
  const gateway = groups.group("gateway");
  const prometheus = groups.group("prometheus");
  const grafana = groups.group("grafana");
  const fromProm = { pods: prometheus };
  add(
    { anyPod: true },
    istiod,
    tcp(XDS_PORT),
    "sidecars and gateways in any namespace fetch their configuration and certificates",
  );
  add(
    { anywhere: true },
    istiod,
    tcp(WEBHOOK_PORT),
    "the API server calls istiod's injection and validation webhooks",
  );
  if (runs.prometheus) {
    add(fromProm, istiod, tcp(ISTIOD_METRICS_PORT), "Prometheus scrapes istiod");
    // The envoy-stats PodMonitor scrapes every sidecar: Prometheus' own, and Grafana's behind the gateway.
    add(fromProm, prometheus, tcp(PROXY_METRICS_PORT), "Prometheus scrapes its own sidecar");
    if (runs.grafanaBehindGateway)
      add(fromProm, grafana, tcp(PROXY_METRICS_PORT), "Prometheus scrapes Grafana's sidecar");
  }
  if (runs.gateway) {
    add(
      { anywhere: true },
      gateway,
      tcp(80, 443, GATEWAY_HEALTH_PORT),
      "clients and the load balancer's health checks reach the ingress gateway",
    );
    if (runs.prometheus) add(fromProm, gateway, tcp(PROXY_METRICS_PORT), "Prometheus scrapes the gateway");
    if (runs.grafanaBehindGateway) {
      add({ pods: gateway }, grafana, tcp(GRAFANA_POD.containerPort), "the ingress gateway exposes Grafana");
    }
  }
  return flows;
}

/** Grafana's URL through the gateway's port-forward, when it is published there. */
export function grafanaGatewayUrl(config: MeshSlice, runs: MeshRuns): string | undefined {
  if (!runs.grafanaBehindGateway) return undefined;
  const hosts = config.mesh.grafanaGateway.hosts;
  return hosts.includes("*") ? `http://localhost:${GATEWAY_LOCAL_PORT}` : `http://${hosts[0] ?? "localhost"}`;
}

function declareIstio(ctx: DeclareContext<MeshView> & { runs: MeshRuns }): void {
  if (!ctx.runs.mesh) return;
  const istio = new Istio(
    `${ctx.name}-mesh`,
    {
      systemNamespace: ctx.owned(ctx.ns.istioSystem),
      ...(ctx.runs.gateway ? { gatewayNamespace: ctx.owned(ctx.ns.istioIngress) } : {}),
      config: ctx.config,
      extensionProviders: ctx.contributions.to(MESH_EXTENSION_PROVIDERS_SLOT),
    },
    { parent: ctx.parent },
  );
  ctx.provided.istiod = istio.istiod;
  ctx.provided.istioDependencies = istio.customResourceDependencies;
}

interface GrafanaService {
  service: string;
}

/** The ingress gateway's Service, and how an operator reaches it. */
export interface MeshGatewayService {
  namespace: string;
  service: string;
  serviceType: string;
  portForward: string;
}

/** The mesh's policies, its monitors and the canary routes, after Istio's CRDs and webhook. */
function declarePolicies(ctx: DeclareContext<MeshView> & { runs: MeshRuns & { prometheus: boolean } }): void {
  const deps = ctx.provided.istioDependencies;
  if (deps === undefined) return;
  const { runs, ns, config } = ctx;
  const grafanaService = (ctx.services["grafana"] as GrafanaService | undefined)?.service;
  new MeshPolicies(
    `${ctx.name}-mesh-policies`,
    {
      config,
      istio: deps,
      namespaces: ctx.namespaces,
      ...(runs.prometheus
        ? { prometheus: { namespace: ns.monitoring, serviceAccount: PROMETHEUS_SERVICE_ACCOUNT } }
        : {}),
      // Grafana has a sidecar exactly when it is behind the gateway; MeshPolicies then makes its
      // workload STRICT (Prometheus scrapes it with its Istio certificate) and routes the gateway to it.
      ...(runs.grafanaBehindGateway && grafanaService !== undefined
        ? {
            grafana: {
              grafana: {
                namespace: ns.monitoring,
                service: grafanaService,
                servicePort: GRAFANA_POD.servicePort,
                containerPort: GRAFANA_POD.containerPort,
                selector: { ...GRAFANA_POD.selector },
                metricsPath: GRAFANA_POD.metricsPath,
              },
              gateway: {
                namespace: ns.istioIngress,
                selector: { ...ISTIO_GATEWAY_SELECTOR },
                // The gateway chart names its service account after the release.
                serviceAccount: ISTIO_GATEWAY_RELEASE,
              },
            },
          }
        : {}),
    },
    { parent: ctx.parent },
  );
  const crds = ctx.provided.monitoringCrds;
  if (crds !== undefined) {
    new MeshMonitors(
      `${ctx.name}-mesh-monitors`,
      { namespace: ns.istioSystem, crds, namespaces: ctx.namespaces },
      { parent: ctx.parent },
    );
  }
  for (const c of config.mesh.canaries) {
    new CanaryRoute(
      `${ctx.name}-canary-${c.namespace}-${c.name}`,
      { ...c, istio: deps },
      { parent: ctx.parent },
    );
  }
  const gateway = ctx.services["meshGateway"];
  const grafanaUrl = grafanaGatewayUrl(config, runs);
  ctx.endpoints["mesh"] = {
    namespace: ns.istioSystem,
    mtlsMode: config.mesh.mtls.mode,
    injectNamespaces: config.mesh.injectNamespaces,
    ...(gateway !== undefined ? { gateway } : {}),
    ...(grafanaUrl !== undefined ? { grafanaUrl } : {}),
  };
}

/** Istio: control plane, ingress gateway, mTLS and authorization policies, telemetry, canaries. */
export const meshPart = {
  name: "mesh",
  charts: MESH_CHARTS,
  sizing: MESH_SIZING,
  outputs: ["mesh"],
  config: {
    keys: { mesh: MESH_KEY },
    read(ctx: PartReadContext): MeshSlice {
      return {
        mesh: readMesh(ctx.at("mesh"), {
          ...(ctx.cluster !== undefined ? { clusterType: ctx.cluster.type } : {}),
          grafanaEnabled: grafanaRuns({
            prometheus: ctx.slice("prometheus") as { enabled: boolean },
            grafana: ctx.slice("grafana") as { enabled: boolean },
          }),
          tracingEnabled: (ctx.slice("tracing") as { enabled: boolean }).enabled,
        }),
      };
    },
  },
  runs(config: MeshView): MeshRuns {
    const { mesh } = config;
    const gateway = mesh.enabled && mesh.gateway.enabled;
    return {
      mesh: mesh.enabled,
      gateway,
      // Grafana behind the gateway gets a sidecar; the config defaults this on only with both parts.
      grafanaBehindGateway: gateway && mesh.grafanaGateway.enabled && grafanaRuns(config),
    };
  },
  namespaces(_config: unknown, runs: MeshRuns): NamespaceSpec[] {
    return [
      // istiod and the Istio CRDs' release; nothing there needs host access.
      ...(runs.mesh
        ? [{ name: STACK_NAMESPACE_NAMES.istioSystem, domain: "mesh", podSecurity: "baseline" as const }]
        : []),
      // The gateway binds ports 80 and 443 through the safe sysctl net.ipv4.ip_unprivileged_port_start.
      ...(runs.gateway
        ? [{ name: STACK_NAMESPACE_NAMES.istioIngress, domain: "mesh", podSecurity: "baseline" as const }]
        : []),
    ];
  },
  services(config: MeshSlice, runs: MeshRuns, ns: NamespaceNames): { meshGateway?: MeshGatewayService } {
    if (!runs.gateway) return {};
    const ingress = ns.istioIngress;
    return {
      meshGateway: {
        namespace: ingress,
        service: ISTIO_GATEWAY_RELEASE,
        serviceType: config.mesh.gateway.serviceType,
        portForward: portForward(ingress, ISTIO_GATEWAY_RELEASE, GATEWAY_LOCAL_PORT, GATEWAY_HTTP_PORT),
      },
    };
  },
  podGroups: meshPodGroups,
  flows: meshFlows,
  /** PERMISSIVE mTLS in production; a default-deny namespace that is not STRICT, where Prometheus cannot scrape. */
  warnings(config: MeshSlice & { sizing: string }, runs: MeshRuns & { prometheus: boolean }): string[] {
    return meshWarnings(config.mesh, runs.prometheus, config.sizing);
  },
  declare: [
    // First: Prometheus's and Grafana's pods need the injector.
    { order: 10, declare: declareIstio },
    // After kube-prometheus-stack: the monitors need its CRDs.
    { order: 40, declare: declarePolicies },
  ],
} satisfies Part<MeshSlice, MeshRuns, MeshView>;
