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
  setCommand,
  STACK_NAMESPACE_NAMES,
  tcp,
} from "../kit";
import { ISTIO_GATEWAY_RELEASE, ISTIO_GATEWAY_SELECTOR } from "../mesh";
import { GRAFANA_POD, STACK_RELEASE } from "../monitoring";
import { JAEGER_PORTS, JAEGER_SERVICE } from "../tracing";
import { CERT_MANAGER_RELEASE, CERT_MANAGER_WEBHOOK_PORT } from "./cert-manager-values";
import { FRONT_DOOR_CHARTS } from "./charts";
import { FRONT_DOOR_KEY, FrontDoorConfig, frontDoorRunning, readFrontDoor } from "./config";
import { FrontDoor } from "./front-door";
import { ACME_SOLVER_LABELS, ACME_SOLVER_PORT, CA_SECRET } from "./manifests";
import { FRONT_DOOR_SIZING } from "./sizing";
import { FRONT_DOOR_LOCAL_PORT, FrontDoorUi, frontDoorUis, UiBackend, UiName, uiUrls } from "./uis";

/** The namespace cert-manager runs in: its chart's conventional one. */
export const CERT_MANAGER_NAMESPACE = "cert-manager";
/** The web ports of Prometheus and Alertmanager, as kube-prometheus-stack serves them. */
const PROMETHEUS_WEB_PORT = 9090;
const ALERTMANAGER_WEB_PORT = 9093;
/** The gateway's HTTPS port on its Service. */
const GATEWAY_HTTPS_PORT = 443;

/** The config keys the front-door part reads. */
export interface FrontDoorSlice {
  /** Every UI over HTTPS on the ingress gateway, certificates from cert-manager. */
  frontDoor: FrontDoorConfig;
}

/** The mesh keys the front door reads: the gateway serves it. */
interface MeshView {
  mesh: {
    enabled: boolean;
    gateway: { enabled: boolean; serviceType: string };
    grafanaGateway: { enabled: boolean };
  };
}

/** What the front-door part reads of the stack config. */
export type FrontDoorView = FrontDoorSlice & MeshView & PlatformConfig;

/** Which of the front door's pieces run. */
export interface FrontDoorRuns {
  /** cert-manager, and every UI over HTTPS on the gateway. */
  frontDoor: boolean;
}

/** The other parts' switches the front door reads. */
interface OtherRuns {
  gateway: boolean;
  grafana: boolean;
  prometheus: boolean;
  alertmanager: boolean;
  jaeger: boolean;
  grafanaBehindGateway: boolean;
  /** oauth2-proxy guards the UIs without a login of their own (sign-on). */
  oauth2Proxy?: boolean;
}

/** Every UI's Service, by the part that runs it. */
function uiServices(ns: NamespaceNames): Record<UiName, UiBackend> {
  const m = ns.monitoring;
  return {
    grafana: { namespace: m, service: `${STACK_RELEASE}-grafana`, port: GRAFANA_POD.servicePort },
    prometheus: { namespace: m, service: `${STACK_RELEASE}-prometheus`, port: PROMETHEUS_WEB_PORT },
    alertmanager: { namespace: m, service: `${STACK_RELEASE}-alertmanager`, port: ALERTMANAGER_WEB_PORT },
    jaeger: { namespace: ns.tracing, service: JAEGER_SERVICE, port: JAEGER_PORTS.query },
  };
}

/** The container port behind each UI's Service, and its pod group's key, for the flows. */
const UI_PODS: Record<UiName, { group: string; port: number }> = {
  grafana: { group: "grafana", port: GRAFANA_POD.containerPort },
  prometheus: { group: "prometheus", port: PROMETHEUS_WEB_PORT },
  alertmanager: { group: "alertmanager", port: ALERTMANAGER_WEB_PORT },
  jaeger: { group: "jaeger", port: JAEGER_PORTS.query },
};

/** The gateway is a LoadBalancer: an address outside the cluster. */
function onLoadBalancer(config: MeshView): boolean {
  return config.mesh.gateway.serviceType === "LoadBalancer";
}

/**
 * The UIs the front door serves, each with its host: those that run; on a LoadBalancer, the ones
 * without a login of their own only behind sign-on's oauth2-proxy or when frontDoor.withoutSignOn
 * names them.
 */
export function servedUis(
  config: FrontDoorView,
  runs: FrontDoorRuns & OtherRuns,
  ns: NamespaceNames,
): FrontDoorUi[] {
  const fd = frontDoorRunning(config.frontDoor);
  if (!runs.frontDoor || fd === undefined) return [];
  const loadBalancer = onLoadBalancer(config);
  const services = uiServices(ns);
  const running: Partial<Record<UiName, UiBackend>> = {};
  const serve = (name: UiName, on: boolean) => {
    const withoutLogin = name !== "grafana";
    const guarded = runs.oauth2Proxy === true;
    if (on && (!loadBalancer || !withoutLogin || guarded || config.frontDoor.withoutSignOn.includes(name))) {
      running[name] = services[name];
    }
  };
  serve("grafana", runs.grafana);
  serve("prometheus", runs.prometheus);
  serve("alertmanager", runs.alertmanager);
  serve("jaeger", runs.jaeger);
  return frontDoorUis(fd.domain, running);
}

function frontDoorPodGroups(ns: NamespaceNames) {
  return {
    certManagerWebhook: {
      name: "cert-manager-webhook",
      namespace: CERT_MANAGER_NAMESPACE,
      labels: {
        "app.kubernetes.io/name": "webhook",
        "app.kubernetes.io/instance": CERT_MANAGER_RELEASE,
        "app.kubernetes.io/component": "webhook",
      },
    },
    acmeHttp01Solver: {
      name: "acme-http01-solver",
      namespace: ns.istioIngress,
      labels: { ...ACME_SOLVER_LABELS },
    },
  } satisfies Record<string, PodGroup>;
}

/**
 * The flows the front door needs: the API server to cert-manager's webhook (from an address no
 * NetworkPolicy can name), the gateway to the ACME HTTP-01 solver and to each UI it serves.
 */
function frontDoorFlows(
  config: FrontDoorView,
  runs: FrontDoorRuns & OtherRuns,
  groups: PodGroupsView,
): Flow[] {
  const { flows, add } = flowList();
  const fd = frontDoorRunning(config.frontDoor);
  if (!runs.frontDoor || fd === undefined) return flows;
  add(
    { anywhere: true },
    groups.group("certManagerWebhook"),
    tcp(CERT_MANAGER_WEBHOOK_PORT),
    "the API server calls cert-manager's admission webhook",
  );
  const gateway = { pods: groups.group("gateway") };
  if (fd.signer.kind === "acme" && "http01" in fd.signer.solver) {
    add(
      gateway,
      groups.group("acmeHttp01Solver"),
      tcp(ACME_SOLVER_PORT),
      "the ingress gateway passes the ACME server's HTTP-01 challenges to cert-manager's solver",
    );
  }
  for (const ui of servedUis(config, runs, STACK_NAMESPACE_NAMES)) {
    // The mesh already lets the gateway reach Grafana when it publishes it (mesh.grafanaGateway).
    if (ui.name === "grafana" && runs.grafanaBehindGateway) continue;
    const pods = UI_PODS[ui.name];
    add(
      gateway,
      groups.group(pods.group),
      tcp(pods.port),
      `the ingress gateway serves ${ui.host} (the front door)`,
    );
  }
  return flows;
}

/** What a user needs to reach the front door: each UI's URL, and how to reach and trust it. */
export interface FrontDoorEndpoints {
  domain: string;
  issuer: string;
  /** Each UI's HTTPS URL. */
  urls: Partial<Record<UiName, string>>;
  /** Off a LoadBalancer, the port-forward the URLs assume. */
  portForward?: string;
  /** With issuer selfSigned, the command that prints the stack's CA certificate, to trust it. */
  caCertificateCommand?: string;
}

function declareFrontDoor(ctx: DeclareContext<FrontDoorView> & { runs: FrontDoorRuns & OtherRuns }): void {
  const fd = frontDoorRunning(ctx.config.frontDoor);
  const istio = ctx.provided.istioDependencies;
  if (!ctx.runs.frontDoor || fd === undefined || istio === undefined) return;
  const uis = servedUis(ctx.config, ctx.runs, ctx.ns);
  new FrontDoor(
    `${ctx.name}-front-door`,
    {
      certManagerNamespace: ctx.owned(CERT_MANAGER_NAMESPACE),
      gatewayNamespace: ctx.owned(ctx.ns.istioIngress),
      gatewaySelector: ISTIO_GATEWAY_SELECTOR,
      istio,
      uis,
      config: ctx.config,
      frontDoor: fd,
    },
    { parent: ctx.parent },
  );
  const loadBalancer = onLoadBalancer(ctx.config);
  const endpoints: FrontDoorEndpoints = {
    domain: fd.domain,
    issuer: fd.signer.kind,
    urls: uiUrls(uis, loadBalancer),
    ...(loadBalancer
      ? {}
      : {
          portForward: portForward(
            ctx.ns.istioIngress,
            ISTIO_GATEWAY_RELEASE,
            FRONT_DOOR_LOCAL_PORT,
            GATEWAY_HTTPS_PORT,
          ),
        }),
    ...(fd.signer.kind === "selfSigned"
      ? {
          caCertificateCommand: `kubectl -n ${CERT_MANAGER_NAMESPACE} get secret ${CA_SECRET} -o jsonpath='{.data.ca\\.crt}' | base64 -d`,
        }
      : {}),
  };
  ctx.endpoints["frontDoor"] = endpoints;
}

/** The front door: cert-manager, an issuer, and every UI over HTTPS on the ingress gateway. */
export const frontDoorPart = {
  name: "front-door",
  charts: FRONT_DOOR_CHARTS,
  sizing: FRONT_DOOR_SIZING,
  outputs: ["frontDoor"],
  config: {
    keys: { frontDoor: FRONT_DOOR_KEY },
    read(ctx: PartReadContext): FrontDoorSlice {
      const mesh = ctx.slice("mesh") as MeshView["mesh"];
      return {
        frontDoor: readFrontDoor(ctx.at("frontDoor"), {
          ...(ctx.cluster !== undefined ? { clusterType: ctx.cluster.type } : {}),
          gatewayRuns: mesh.enabled && mesh.gateway.enabled,
        }),
      };
    },
    /** Grafana published on a LoadBalancer in plain HTTP is refused: the front door serves it over TLS. */
    check(config: FrontDoorView, ctx: PartReadContext): void {
      const { mesh } = config;
      // On kind a LoadBalancer gateway is refused by the mesh itself.
      const cloud = ctx.cluster !== undefined && ctx.cluster.type !== "kind";
      if (
        cloud &&
        mesh.enabled &&
        mesh.gateway.enabled &&
        mesh.grafanaGateway.enabled &&
        onLoadBalancer(config)
      ) {
        ctx.problems.push({
          path: "mesh.grafanaGateway.enabled",
          problem:
            "is true with mesh.gateway.serviceType LoadBalancer, which would publish Grafana over plain HTTP on an address outside the cluster",
          fix: `serve it over TLS through the front door: \`pulumi config rm --path mesh.grafanaGateway.enabled\`, \`${setCommand("frontDoor.enabled", "true")}\`, \`${setCommand("frontDoor.domain", "observability.example.com")}\` and \`${setCommand("frontDoor.acme.email", "platform@example.com")}\` (docs/reaching-the-stack.md); or keep the gateway inside the cluster with \`${setCommand("mesh.gateway.serviceType", "ClusterIP")}\``,
        });
      }
    },
  },
  runs(config: FrontDoorView): FrontDoorRuns {
    const { mesh } = config;
    return { frontDoor: mesh.enabled && mesh.gateway.enabled && config.frontDoor.enabled };
  },
  namespaces(_config: unknown, runs: FrontDoorRuns): NamespaceSpec[] {
    // cert-manager's chart runs every pod as non-root, without capabilities, with RuntimeDefault seccomp.
    return runs.frontDoor
      ? [{ name: CERT_MANAGER_NAMESPACE, domain: "front-door", podSecurity: "restricted" as const }]
      : [];
  },
  podGroups: frontDoorPodGroups,
  flows: frontDoorFlows,
  /** ACME over HTTP-01 needs the ACME server to reach the gateway, which only a LoadBalancer lets it. */
  warnings(config: FrontDoorView, runs: FrontDoorRuns): string[] {
    const fd = frontDoorRunning(config.frontDoor);
    if (!runs.frontDoor || fd === undefined || onLoadBalancer(config)) return [];
    if (fd.signer.kind !== "acme" || !("http01" in fd.signer.solver)) return [];
    return [
      `frontDoor.acme.solver is http01 but mesh.gateway.serviceType is ${config.mesh.gateway.serviceType}, so the ACME server cannot fetch its challenges from the gateway and no certificate is issued: set \`${setCommand("frontDoor.acme.solver", "dns01")}\` with frontDoor.acme.dns01, or \`${setCommand("frontDoor.issuer", "ca")}\` with frontDoor.ca.secretName`,
    ];
  },
  declare: [
    // After Istio (the routes need its CRDs and webhook); cert-manager early, so that
    // certificates are issued while the rest installs.
    { order: 15, declare: declareFrontDoor },
  ],
} satisfies Part<FrontDoorSlice, FrontDoorRuns, FrontDoorView>;
