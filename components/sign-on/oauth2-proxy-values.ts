import { ContainerResources, ContainerSlot, toK8s } from "../kit";
import { SignOnRunning } from "./config";

/** The release, and the name of its Deployment, Service and pods. */
export const OAUTH2_PROXY_RELEASE = "oauth2-proxy";
/** The container's HTTP port (the chart's --http-address) and its Service's port. */
export const OAUTH2_PROXY_PORT = 4180;
export const OAUTH2_PROXY_SERVICE_PORT = 80;
/** The key of the cookie-signing secret in the client's Secret. */
export const COOKIE_SECRET_KEY = "cookie-secret";
/** The name the mesh knows oauth2-proxy by as an external authorizer. */
export const OAUTH2_PROXY_PROVIDER = "sign-on-oauth2-proxy";

/** A value of oauth2-proxy's config file (TOML). */
type CfgValue = string | boolean | readonly string[];

/**
 * oauth2-proxy's settings, as its config file takes them: the OIDC provider, the allowed groups,
 * and the ext-authz shape (every path answered 200 once signed in, for the gateway to let the
 * request through; a redirect to the provider before). The callback URL is each host's own
 * (`https://<host>/oauth2/callback`, from the request with cookie_secure), so one instance serves
 * every host behind it.
 */
export function oauth2ProxySettings(
  s: SignOnRunning,
  allowedGroups: readonly string[],
): Record<string, CfgValue> {
  return {
    provider: "oidc",
    provider_display_name: "Single sign-on",
    oidc_issuer_url: s.issuer,
    client_id: s.clientId,
    scope: s.scopes.join(" "),
    oidc_groups_claim: s.groupsClaim,
    allowed_groups: allowedGroups,
    email_domains: ["*"],
    code_challenge_method: "S256",
    upstreams: ["static://200"],
    reverse_proxy: true,
    skip_provider_button: true,
    set_xauthrequest: true,
    cookie_secure: true,
    cookie_httponly: true,
    cookie_samesite: "lax",
  };
}

/** The settings as oauth2-proxy's config file: one `key = value` line each, TOML. */
export function oauth2ProxyConfigFile(settings: Readonly<Record<string, CfgValue>>): string {
  const value = (v: CfgValue): string =>
    typeof v === "boolean"
      ? String(v)
      : typeof v === "string"
        ? JSON.stringify(v)
        : `[${v.map((x) => JSON.stringify(x)).join(", ")}]`;
  return Object.entries(settings)
    .map(([k, v]) => `${k} = ${value(v)}\n`)
    .join("");
}

export interface Oauth2ProxyValuesArgs {
  settings: Readonly<Record<string, CfgValue>>;
  /** The Secret with the keys client-secret and cookie-secret. */
  secretName: string;
  replicas: number;
  resources: ContainerResources;
}

/** Values for the oauth2-proxy chart (keys checked against its values.yaml). */
export function oauth2ProxyValues(args: Oauth2ProxyValuesArgs): Record<string, unknown> {
  return {
    config: {
      existingSecret: args.secretName,
      // The client id is in the config file; the Secret holds only the two secrets.
      requiredSecretKeys: ["client-secret", COOKIE_SECRET_KEY],
      configFile: oauth2ProxyConfigFile(args.settings),
    },
    replicaCount: args.replicas,
    resources: toK8s(args.resources),
    // Nothing scrapes it; the port would be one more to allow.
    metrics: { enabled: false },
    // The chart's budget (minAvailable 1, on by default) would block every drain of one replica.
    ...(args.replicas === 1 ? { podDisruptionBudget: { enabled: false } } : {}),
  };
}

export const OAUTH2_PROXY_CONTAINERS: readonly ContainerSlot[] = [
  { container: "oauth2-proxy", resources: "resources", replicas: "replicaCount" },
];
