import { Fields, Infer, KeyDeclaration, readFields, Section, setCommand, TextFormat } from "../kit";

/**
 * The Secret the program writes the client's secret (and oauth2-proxy's cookie secret) into, in
 * namespace monitoring, where Grafana and oauth2-proxy run.
 */
export const SIGN_ON_SECRET = "sign-on";
/** The secret key that holds the OIDC client's secret. */
export const SIGN_ON_CLIENT_SECRET = "signOnClientSecret";

const HTTPS_URL: TextFormat = {
  re: /^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/,
  what: "an https URL without query or fragment",
  example: "https://login.example.com",
};
const CLIENT_ID: TextFormat = {
  re: /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/,
  what: "a client id of letters, digits, '.', '_', ':', '@' and '-'",
  example: "observability",
};
/** Group names go into a JMESPath expression between single quotes: none may hold a quote. */
const GROUP: TextFormat = {
  re: /^[A-Za-z0-9][A-Za-z0-9 ._:@/=-]{0,199}$/,
  what: "a group name of letters, digits, spaces and . _ : @ / = - (no quotes)",
  example: "platform-admins",
};
const CLAIM: TextFormat = {
  re: /^[A-Za-z_][A-Za-z0-9_]{0,99}$/,
  what: "a claim name of letters, digits and _",
  example: "groups",
};
const SCOPE: TextFormat = { re: /^[A-Za-z0-9_:./-]{1,100}$/, what: "an OAuth scope", example: "groups" };

/** Grafana's roles, each granted to the members of the groups listed for it. */
export const GRAFANA_ROLES = ["Admin", "Editor", "Viewer"] as const;
export type GrafanaRole = (typeof GRAFANA_ROLES)[number];

export const SIGN_ON_FIELDS = {
  enabled: {
    kind: "boolean",
    default: false,
    description:
      "Single sign-on through your OIDC provider for the UIs the front door serves (needs frontDoor): Grafana signs users in with its generic OAuth.",
  },
  issuer: {
    kind: "string",
    format: HTTPS_URL,
    defaultText: "none; required with signOn.enabled",
    description: "The OIDC issuer URL, as the provider's discovery document gives it.",
  },
  clientId: {
    kind: "string",
    format: CLIENT_ID,
    defaultText: "none; required with signOn.enabled",
    description: `The OIDC client's id. Its secret is the secret key ${SIGN_ON_CLIENT_SECRET}.`,
  },
  existingSecret: {
    kind: "string",
    format: {
      re: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      what: "a Secret name (lowercase letters, digits and -)",
      example: "observability-sign-on",
    },
    defaultText: `none: the secret key ${SIGN_ON_CLIENT_SECRET}`,
    description: `A Secret you create in namespace monitoring before \`pulumi up\`, instead of the secret key ${SIGN_ON_CLIENT_SECRET}: key client-secret holds the client's secret, key cookie-secret 32 random characters that sign oauth2-proxy's session cookies.`,
  },
  endpoints: {
    kind: "group",
    description:
      "The provider's endpoints, from its discovery document (<issuer>/.well-known/openid-configuration): Grafana's generic OAuth reads no discovery.",
    fields: {
      authorization: {
        kind: "string",
        format: HTTPS_URL,
        defaultText: "none; required with signOn.enabled",
        description: "authorization_endpoint.",
      },
      token: {
        kind: "string",
        format: HTTPS_URL,
        defaultText: "none; required with signOn.enabled",
        description: "token_endpoint.",
      },
      userinfo: {
        kind: "string",
        format: HTTPS_URL,
        defaultText: "none; required with signOn.enabled",
        description: "userinfo_endpoint.",
      },
    },
  },
  scopes: {
    kind: "strings",
    format: SCOPE,
    default: ["openid", "email", "profile", "groups"],
    description: "The scopes requested; the groups claim needs the one your provider names for it.",
  },
  groupsClaim: {
    kind: "string",
    format: CLAIM,
    default: "groups",
    description: "The claim of the ID token and userinfo that lists the user's groups.",
  },
  grafana: {
    kind: "group",
    description:
      "Grafana's role for each group; a user in none of them is refused. A user in several gets the highest role.",
    fields: {
      admins: { kind: "strings", format: GROUP, default: [], description: "Groups whose members are Admin." },
      editors: {
        kind: "strings",
        format: GROUP,
        default: [],
        description: "Groups whose members are Editor.",
      },
      viewers: {
        kind: "strings",
        format: GROUP,
        default: [],
        description: "Groups whose members are Viewer.",
      },
    },
  },
  allowedGroups: {
    kind: "strings",
    format: GROUP,
    default: [],
    description:
      "The groups whose members reach Prometheus, Alertmanager and the Jaeger UI through oauth2-proxy (one list for the three). Empty: the groups signOn.grafana grants any role.",
  },
  breakGlass: {
    kind: "boolean",
    default: false,
    description:
      "Keep Grafana's local login form for its admin (grafanaAdminPassword) beside sign-on, for when the provider is down. Off: the form is gone and every user signs on.",
  },
} as const satisfies Fields;

export type SignOnFields = Infer<typeof SIGN_ON_FIELDS>;

/** `signOn` as read; `running` holds what the builders need when it is on and complete. */
export type SignOnConfig = SignOnFields & { running?: SignOnRunning };

/** Sign-on as its builders take it. */
export interface SignOnRunning {
  issuer: string;
  clientId: string;
  endpoints: { authorization: string; token: string; userinfo: string };
  scopes: readonly string[];
  groupsClaim: string;
  /** The groups whose members oauth2-proxy lets through. */
  allowedGroups: readonly string[];
  /** The groups granted each Grafana role. */
  roles: Readonly<Record<GrafanaRole, readonly string[]>>;
  breakGlass: boolean;
  /** The Secret (key client-secret) that holds the client's secret: the user's, or the program's. */
  clientSecret: { existing: boolean; name: string };
}

/** What the rules need from other keys. */
export interface SignOnContext {
  /** The secret key is set (never its value). */
  clientSecretSet: boolean;
  /** The front door runs: sign-on protects the hosts it serves. */
  frontDoorRuns: boolean;
}

/** Reads `signOn`; every missing piece of an enabled sign-on names its key. */
export function readSignOn(s: Section, ctx: SignOnContext): SignOnConfig {
  const read = readFields(s, SIGN_ON_FIELDS);
  if (!read.enabled) return read;
  const missing = (path: string, problem: string, fix: string) => {
    s.problem(path, problem, fix);
  };
  // An unset key; a set but invalid one has its own message already.
  const need = (section: Section, key: string, value: string | undefined, example: string) => {
    if (value === undefined && !section.has(key)) {
      section.problem(
        key,
        "is required with signOn.enabled",
        `set \`${setCommand(section.join(key), example)}\``,
      );
    }
  };
  const endpoints = s.child("endpoints");
  need(s, "issuer", read.issuer, HTTPS_URL.example);
  need(s, "clientId", read.clientId, CLIENT_ID.example);
  need(endpoints, "authorization", read.endpoints.authorization, `${HTTPS_URL.example}/authorize`);
  need(endpoints, "token", read.endpoints.token, `${HTTPS_URL.example}/token`);
  need(endpoints, "userinfo", read.endpoints.userinfo, `${HTTPS_URL.example}/userinfo`);
  if (!ctx.clientSecretSet && read.existingSecret === undefined && !s.has("existingSecret")) {
    missing(
      "enabled",
      `is true but the client's secret comes from nowhere: neither the secret key ${SIGN_ON_CLIENT_SECRET} nor signOn.existingSecret is set`,
      `set \`pulumi config set --secret ${SIGN_ON_CLIENT_SECRET} <the client's secret>\`, or create a Secret with key client-secret in namespace monitoring and set \`${setCommand(s.join("existingSecret"), "observability-sign-on")}\``,
    );
  }
  if (ctx.clientSecretSet && read.existingSecret !== undefined) {
    missing(
      "existingSecret",
      `is set and so is the secret key ${SIGN_ON_CLIENT_SECRET}: the client's secret would come from two places`,
      `keep one: \`pulumi config rm --path ${s.join("existingSecret")}\` or \`pulumi config rm ${SIGN_ON_CLIENT_SECRET}\``,
    );
  }
  const { admins, editors, viewers } = read.grafana;
  if (admins.length + editors.length + viewers.length === 0) {
    missing(
      "grafana",
      "grants no Grafana role to any group, so nobody could sign in to Grafana",
      `set \`${setCommand(s.join("grafana.admins[0]"), GROUP.example)}\` (and editors, viewers)`,
    );
  }
  if (!ctx.frontDoorRuns) {
    missing(
      "enabled",
      "is true but the front door does not run, and sign-on protects the hosts it serves",
      "set `pulumi config set --path frontDoor.enabled true` (docs/reaching-the-stack.md), or `pulumi config set --path signOn.enabled false`",
    );
  }
  const { issuer, clientId } = read;
  const { authorization, token, userinfo } = read.endpoints;
  if (
    issuer === undefined ||
    clientId === undefined ||
    authorization === undefined ||
    token === undefined ||
    userinfo === undefined
  ) {
    return read;
  }
  return {
    ...read,
    running: {
      issuer,
      clientId,
      endpoints: { authorization, token, userinfo },
      scopes: read.scopes,
      groupsClaim: read.groupsClaim,
      roles: { Admin: admins, Editor: editors, Viewer: viewers },
      allowedGroups:
        read.allowedGroups.length > 0
          ? read.allowedGroups
          : [...new Set([...admins, ...editors, ...viewers])],
      breakGlass: read.breakGlass,
      clientSecret:
        read.existingSecret !== undefined
          ? { existing: true, name: read.existingSecret }
          : { existing: false, name: SIGN_ON_SECRET },
    },
  };
}

/** `signOn`, declared once: Pulumi.yaml and docs/config.md (npm run gen) come from this. */
export const SIGN_ON_KEY: KeyDeclaration = {
  kind: "object",
  description:
    "Single sign-on through any OIDC provider for the UIs the front door serves (docs/reaching-the-stack.md).",
  fields: SIGN_ON_FIELDS,
};

/** The client secret, declared once. */
export const SIGN_ON_CLIENT_SECRET_KEY: KeyDeclaration = {
  kind: "secret",
  description: [
    `The OIDC client's secret, set with \`pulumi config set --secret ${SIGN_ON_CLIENT_SECRET} <value>\`.`,
    "It reaches Grafana and oauth2-proxy only through the Secret monitoring/sign-on.",
    "Default: none; required with signOn.enabled unless signOn.existingSecret names a Secret.",
  ].join("\n"),
};
