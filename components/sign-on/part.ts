import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  DeclareContext,
  flowList,
  NamespaceNames,
  Part,
  PartReadContext,
  PlatformConfig,
  PodGroupsView,
  secretString,
  setCommand,
  STACK_LABELS,
  STACK_NAMESPACE_NAMES,
  tcp,
} from "../kit";
import { FRONT_DOOR_LOCAL_PORT, FrontDoorRuns, FrontDoorView, servedUis } from "../front-door";
import { ISTIO_GATEWAY_SELECTOR, MESH_EXTENSION_PROVIDERS_SLOT } from "../mesh";
import { GRAFANA_VALUES_SLOT } from "../monitoring";
import { SIGN_ON_CHARTS } from "./charts";
import {
  readSignOn,
  SIGN_ON_CLIENT_SECRET,
  SIGN_ON_CLIENT_SECRET_KEY,
  SIGN_ON_KEY,
  SignOnConfig,
} from "./config";
import { CLIENT_SECRET_KEY, grafanaSignOnValues } from "./grafana-oauth";
import { declareOauth2Proxy, oauth2ProxyProvider } from "./oauth2-proxy";
import { COOKIE_SECRET_KEY, OAUTH2_PROXY_PORT, OAUTH2_PROXY_RELEASE } from "./oauth2-proxy-values";
import { SIGN_ON_SIZING } from "./sizing";

/** The config keys the sign-on part reads. */
export interface SignOnSlice {
  /** Single sign-on through an OIDC provider for the front door's UIs. */
  signOn: SignOnConfig;
}

/** What the sign-on part reads of the stack config: the front door's view, the sizing, Prometheus. */
export type SignOnView = SignOnSlice &
  FrontDoorView &
  Pick<PlatformConfig, "sizing" | "charts" | "images" | "resources"> & {
    grafana: { enabled: boolean };
    prometheus: { enabled: boolean };
  };

/** Which of sign-on's pieces run. */
export interface SignOnRuns {
  /** Sign-on is on and complete (the front door runs: its reader refuses it otherwise). */
  signOn: boolean;
  /** oauth2-proxy, in namespace monitoring, in front of the UIs without a login of their own. */
  oauth2Proxy: boolean;
}

/** The other parts' switches sign-on reads. */
type OtherRuns = FrontDoorRuns & {
  gateway: boolean;
  grafana: boolean;
  prometheus: boolean;
  alertmanager: boolean;
  jaeger: boolean;
  grafanaBehindGateway: boolean;
};

/** What a user registers at the provider and needs to know. */
export interface SignOnEndpoints {
  issuer: string;
  clientId: string;
  /** The redirect URIs to register for the client, by UI. */
  redirectUris: Record<string, string>;
  /** Grafana's local admin login is kept (signOn.breakGlass). */
  breakGlass: boolean;
}

/** A UI's URL through the front door: its host, with the port-forward's port off a LoadBalancer. */
function uiUrl(config: SignOnView, host: string): string {
  const lb = config.mesh.gateway.serviceType === "LoadBalancer";
  return `https://${host}${lb ? "" : `:${FRONT_DOOR_LOCAL_PORT}`}`;
}

/** Sign-on's settings when it runs, and the UIs the front door serves. */
function signingOn(config: SignOnView, runs: SignOnRuns & OtherRuns, ns: NamespaceNames) {
  const running = config.signOn.running;
  if (!runs.signOn || !runs.frontDoor || running === undefined) return undefined;
  const uis = servedUis(config, runs, ns);
  return {
    running,
    grafana: uis.find((ui) => ui.name === "grafana"),
    // Every UI but Grafana, which signs users in itself.
    guarded: runs.oauth2Proxy ? uis.filter((ui) => ui.name !== "grafana") : [],
  };
}

function signOnPodGroups(ns: NamespaceNames) {
  return {
    oauth2Proxy: {
      name: OAUTH2_PROXY_RELEASE,
      namespace: ns.monitoring,
      labels: {
        "app.kubernetes.io/name": "oauth2-proxy",
        "app.kubernetes.io/instance": OAUTH2_PROXY_RELEASE,
      },
    },
  };
}

function declareSignOn(ctx: DeclareContext<SignOnView> & { runs: SignOnRuns & OtherRuns }): void {
  const on = signingOn(ctx.config, ctx.runs, ctx.ns);
  if (on === undefined) return;
  const { running } = on;
  const monitoring = ctx.owned(ctx.ns.monitoring);
  let after: pulumi.Resource[] = [];
  if (!running.clientSecret.existing && (on.grafana !== undefined || on.guarded.length > 0)) {
    const clientSecret = secretString(ctx.secrets, SIGN_ON_CLIENT_SECRET);
    if (clientSecret === undefined) {
      throw new Error(`signOn.enabled needs the secret key ${SIGN_ON_CLIENT_SECRET}, but none was passed`);
    }
    // Signs oauth2-proxy's session cookies; kept in the Secret, so sessions outlive a restart.
    const cookie = new random.RandomPassword(
      `${ctx.name}-sign-on-cookie-secret`,
      { length: 32, special: false },
      { parent: ctx.parent },
    ).result;
    const secret = new k8s.core.v1.Secret(
      `${ctx.name}-sign-on`,
      {
        metadata: {
          name: running.clientSecret.name,
          namespace: monitoring.name,
          labels: { ...STACK_LABELS },
        },
        type: "Opaque",
        stringData: pulumi.secret(
          pulumi
            .all([clientSecret, cookie])
            .apply(([c, k]) => ({ [CLIENT_SECRET_KEY]: c, [COOKIE_SECRET_KEY]: k })),
        ),
      },
      { parent: ctx.parent, dependsOn: [...monitoring.ready] },
    );
    ctx.contributions.provide(GRAFANA_VALUES_SLOT, secret);
    after = [secret];
  }
  const istio = ctx.provided.istioDependencies;
  if (on.guarded.length > 0 && istio !== undefined) {
    declareOauth2Proxy({
      namespace: monitoring,
      gatewayNamespace: ctx.ns.istioIngress,
      gatewaySelector: ISTIO_GATEWAY_SELECTOR,
      hosts: on.guarded.map((ui) => ui.host),
      signOn: running,
      secret: { name: running.clientSecret.name, after },
      config: ctx.config,
      resources: ctx.config.resources.oauth2Proxy,
      istio,
      parent: ctx.parent,
    });
  }
  const redirectUris: Record<string, string> = {};
  if (on.grafana !== undefined)
    redirectUris["grafana"] = `${uiUrl(ctx.config, on.grafana.host)}/login/generic_oauth`;
  for (const ui of on.guarded) redirectUris[ui.name] = `${uiUrl(ctx.config, ui.host)}/oauth2/callback`;
  const endpoints: SignOnEndpoints = {
    issuer: running.issuer,
    clientId: running.clientId,
    redirectUris,
    breakGlass: running.breakGlass,
  };
  ctx.endpoints["signOn"] = endpoints;
}

/** Single sign-on: Grafana's generic OAuth, and oauth2-proxy as the gateway's external authorizer. */
export const signOnPart = {
  name: "sign-on",
  charts: SIGN_ON_CHARTS,
  sizing: SIGN_ON_SIZING,
  outputs: ["signOn"],
  config: {
    keys: { signOn: SIGN_ON_KEY, [SIGN_ON_CLIENT_SECRET]: SIGN_ON_CLIENT_SECRET_KEY },
    secretKeys: [SIGN_ON_CLIENT_SECRET],
    read(ctx: PartReadContext): SignOnSlice {
      const frontDoor = ctx.slice("frontDoor") as { enabled: boolean };
      return {
        signOn: readSignOn(ctx.at("signOn"), {
          clientSecretSet: ctx.secretKeys.has(SIGN_ON_CLIENT_SECRET),
          frontDoorRuns: frontDoor.enabled,
        }),
      };
    },
    /** A production-sized stack serves no UI without sign-on, unless frontDoor.withoutSignOn says so. */
    check(config: SignOnView, ctx: PartReadContext): void {
      const fd = config.frontDoor;
      if (config.sizing !== "production" || !fd.enabled || config.signOn.enabled) return;
      if (config.grafana.enabled && !fd.withoutSignOn.includes("grafana")) {
        ctx.problems.push({
          path: "signOn.enabled",
          problem:
            "is false on a production-sized stack whose front door serves Grafana, so Grafana's own password login is all that guards it",
          fix: `sign on through your OIDC provider: \`${setCommand("signOn.enabled", "true")}\` with signOn.issuer, signOn.clientId, signOn.endpoints and the secret key ${SIGN_ON_CLIENT_SECRET} (docs/reaching-the-stack.md); or serve it without sign-on on purpose with \`pulumi config set --path 'frontDoor.withoutSignOn[0]' grafana\``,
        });
      }
    },
  },
  runs(config: SignOnView): SignOnRuns {
    const signOn = config.signOn.enabled && config.signOn.running !== undefined;
    // oauth2-proxy runs beside Prometheus, in its namespace.
    return { signOn, oauth2Proxy: signOn && config.prometheus.enabled };
  },
  podGroups: signOnPodGroups,
  /** The gateway asks oauth2-proxy about every request to a guarded host. */
  flows(config: SignOnView, runs: SignOnRuns & OtherRuns, groups: PodGroupsView) {
    const { flows, add } = flowList();
    const on = signingOn(config, runs, STACK_NAMESPACE_NAMES);
    if (on === undefined || on.guarded.length === 0) return flows;
    add(
      { pods: groups.group("gateway") },
      groups.group("oauth2Proxy"),
      tcp(OAUTH2_PROXY_PORT),
      "the ingress gateway asks oauth2-proxy whether to let each request to a UI behind sign-on through",
    );
    return flows;
  },
  contributions(config: SignOnView, runs: SignOnRuns & OtherRuns, ns: NamespaceNames) {
    const on = signingOn(config, runs, ns);
    if (on === undefined) return {};
    return {
      ...(on.grafana !== undefined
        ? { [GRAFANA_VALUES_SLOT]: grafanaSignOnValues(on.running, uiUrl(config, on.grafana.host)) }
        : {}),
      ...(on.guarded.length > 0
        ? { [MESH_EXTENSION_PROVIDERS_SLOT]: [oauth2ProxyProvider(ns.monitoring)] }
        : {}),
    };
  },
  /** Break-glass on a production-sized stack: a password login beside sign-on. */
  warnings(config: SignOnView, runs: SignOnRuns & OtherRuns): string[] {
    const on = signingOn(config, runs, STACK_NAMESPACE_NAMES);
    if (on === undefined || !on.running.breakGlass || config.sizing !== "production") return [];
    return [
      `signOn.breakGlass: is true on a production-sized stack, so Grafana's login form takes the admin password beside sign-on; turn it off once sign-on works with \`${setCommand("signOn.breakGlass", "false")}\``,
    ];
  },
  declare: [
    // After Istio (the policy needs its CRDs), before the monitoring part's release, whose
    // Grafana reads the client secret's Secret.
    { order: 18, declare: declareSignOn },
  ],
} satisfies Part<SignOnSlice, SignOnRuns, SignOnView>;
