import { GRAFANA_ROLES, SignOnRunning } from "./config";

/** The key of the client's secret in its Secret. */
export const CLIENT_SECRET_KEY = "client-secret";
/** The environment variable Grafana reads auth.generic_oauth's client_secret from. */
export const GRAFANA_CLIENT_SECRET_ENV = "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET";

/**
 * The JMESPath expression that gives a user's Grafana role from the groups claim: the highest
 * role any of their groups is granted, or nothing (refused, with role_attribute_strict).
 */
export function roleAttributePath(claim: string, roles: SignOnRunning["roles"]): string {
  return GRAFANA_ROLES.flatMap((role) => {
    const groups = roles[role];
    if (groups.length === 0) return [];
    const member = groups.map((g) => `contains(${claim}[*], '${g}')`);
    const any = member.length === 1 ? member[0] : `(${member.join(" || ")})`;
    return [`${any} && '${role}'`];
  }).join(" || ");
}

/**
 * Grafana's values for sign-on (the monitoring part merges them into Grafana's): its generic
 * OAuth against the issuer, the role from the groups claim, the client secret from the Secret
 * through the environment (never in values), and without break-glass no login form.
 */
export function grafanaSignOnValues(s: SignOnRunning, rootUrl: string): Record<string, unknown> {
  return {
    "grafana.ini": {
      server: { root_url: rootUrl },
      auth: { disable_login_form: !s.breakGlass, oauth_auto_login: !s.breakGlass },
      "auth.generic_oauth": {
        enabled: true,
        name: "Single sign-on",
        client_id: s.clientId,
        scopes: s.scopes.join(" "),
        auth_url: s.endpoints.authorization,
        token_url: s.endpoints.token,
        api_url: s.endpoints.userinfo,
        use_pkce: true,
        allow_sign_up: true,
        login_attribute_path: "preferred_username",
        email_attribute_path: "email",
        groups_attribute_path: s.groupsClaim,
        role_attribute_path: roleAttributePath(s.groupsClaim, s.roles),
        // A user whose groups grant no role is refused, not made a Viewer.
        role_attribute_strict: true,
        allow_assign_grafana_admin: false,
      },
    },
    envValueFrom: {
      [GRAFANA_CLIENT_SECRET_ENV]: { secretKeyRef: { name: s.clientSecret.name, key: CLIENT_SECRET_KEY } },
    },
  };
}
