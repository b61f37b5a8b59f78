import { Fields, Infer, KeyDeclaration, patterns, readFields, Section, setCommand } from "../kit";

/** Where the front door's certificate comes from. */
export const ISSUERS = ["selfSigned", "ca", "acme"] as const;
export type IssuerKind = (typeof ISSUERS)[number];
/** How an ACME server checks that the stack controls a host. */
export const ACME_SOLVERS = ["http01", "dns01"] as const;
export type AcmeSolver = (typeof ACME_SOLVERS)[number];

/** Let's Encrypt's production directory, the ACME server most users mean. */
export const LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";
/** The domain a kind stack serves under: browsers and curl resolve every `*.localhost` to loopback. */
export const KIND_DOMAIN = "observability.localhost";

const DOMAIN = {
  re: /^(?=.{1,200}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/,
  what: "a DNS domain of at least two labels, in lowercase, such as observability.example.com",
  example: "observability.example.com",
};
const URL = {
  re: /^https:\/\/[^\s/]+(\/\S*)?$/,
  what: "an https URL",
  example: LETS_ENCRYPT,
};
const EMAIL = {
  re: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  what: "an e-mail address",
  example: "platform@example.com",
};
const SECRET_NAME = {
  re: patterns.K8S_NAME,
  what: "a Secret name (at most 63 lowercase letters, digits and -)",
  example: "observability-ca",
};

export const FRONT_DOOR_FIELDS = {
  enabled: {
    kind: "custom",
    type: "boolean",
    defaultText: "true on kind when the ingress gateway runs; false on cloud",
    description:
      "Serve every UI that runs (Grafana, Prometheus, Alertmanager, the Jaeger UI) over HTTPS on the ingress gateway, one host each under frontDoor.domain, with a certificate from cert-manager.",
  },
  domain: {
    kind: "custom",
    type: "string",
    defaultText: `${KIND_DOMAIN} on kind; required on cloud`,
    constraints: DOMAIN.what,
    description:
      "The domain every UI's host is under: grafana.<domain>, prometheus.<domain>, alertmanager.<domain>, jaeger.<domain>. On cloud, point these names (or *.<domain>) at the gateway's LoadBalancer.",
  },
  withoutSignOn: {
    kind: "strings",
    format: {
      re: /^(grafana|prometheus|alertmanager|jaeger)$/,
      what: "one of grafana, prometheus, alertmanager, jaeger",
      example: "prometheus",
    },
    default: [],
    description:
      "UIs to serve without single sign-on all the same. Prometheus, Alertmanager and the Jaeger UI have no login of their own: on a LoadBalancer gateway they are served only when listed, and then anyone who reaches the address reaches them (on a ClusterIP or NodePort gateway every UI that runs is). Grafana, with only its own login, must be listed on a production-sized stack without signOn.",
  },
  issuer: {
    kind: "enum",
    values: ISSUERS,
    default: "acme",
    defaultOnKind: "selfSigned",
    description:
      "Who signs the certificate: selfSigned (a CA the stack makes; the stack output prints its certificate), ca (your CA, from frontDoor.ca.secretName) or acme (Let's Encrypt or another ACME server).",
  },
  acme: {
    kind: "group",
    description: "The ACME account and challenge, with frontDoor.issuer acme.",
    fields: {
      server: {
        kind: "string",
        format: URL,
        default: LETS_ENCRYPT,
        description: "The ACME directory URL (Let's Encrypt's staging directory while trying things out).",
      },
      email: {
        kind: "string",
        format: EMAIL,
        defaultText: "none; required with issuer acme",
        description: "The account's contact address, where the ACME server sends expiry notices.",
      },
      solver: {
        kind: "enum",
        values: ACME_SOLVERS,
        default: "http01",
        description:
          "http01: the ACME server fetches a token through the gateway on port 80 (the hosts must resolve to it from the internet); dns01: cert-manager writes a TXT record with frontDoor.acme.dns01.",
      },
      dns01: {
        kind: "custom",
        type: "object",
        defaultText: "none; required with solver dns01",
        description:
          "cert-manager's dns01 solver block, as its ACME issuer takes it, e.g. {route53: {region: eu-west-1}} or {cloudflare: {apiTokenSecretRef: {name: cloudflare-token, key: api-token}}}; Secrets it names live in namespace cert-manager.",
      },
    },
  },
  ca: {
    kind: "group",
    description: "Your own CA, with frontDoor.issuer ca.",
    fields: {
      secretName: {
        kind: "string",
        format: SECRET_NAME,
        defaultText: "none; required with issuer ca",
        description:
          "A Secret in namespace cert-manager with your CA's tls.crt and tls.key; create it before `pulumi up`.",
      },
    },
  },
} as const satisfies Fields;

type ReadFrontDoor = Infer<typeof FRONT_DOOR_FIELDS>;

/** The certificate's issuer, narrowed by kind: each carries exactly what it needs. */
export type IssuerConfig =
  | { kind: "selfSigned" }
  | { kind: "ca"; secretName: string }
  | {
      kind: "acme";
      server: string;
      email: string;
      solver: { http01: true } | { dns01: Record<string, unknown> };
    };

/** `frontDoor` as read: the declared fields, and what they add up to when the front door runs. */
export type FrontDoorConfig = ReadFrontDoor & {
  enabled: boolean;
  /** The domain of every UI's host; set whenever the front door runs. */
  domain?: string;
  /** The certificate's issuer with exactly what its kind needs; set whenever the front door runs. */
  signer?: IssuerConfig;
};

/** The front door as its builders take it: running, with its domain and issuer. */
export interface FrontDoorRunning {
  domain: string;
  signer: IssuerConfig;
}

/** The front door's domain and issuer when it runs, or undefined. */
export function frontDoorRunning(fd: FrontDoorConfig): FrontDoorRunning | undefined {
  return fd.enabled && fd.domain !== undefined && fd.signer !== undefined
    ? { domain: fd.domain, signer: fd.signer }
    : undefined;
}

/** What the front door's defaults and rules need from other keys. */
export interface FrontDoorContext {
  /** `cluster.type`, when it is valid. */
  clusterType?: "kind" | "cloud";
  /** Istio and its ingress gateway run (mesh.enabled and mesh.gateway.enabled). */
  gatewayRuns: boolean;
}

/**
 * Reads `frontDoor`: on by default on kind (with the self-signed CA and the loopback domain), off
 * on cloud until a domain and an issuer are set. Every rule names the key to set.
 */
export function readFrontDoor(s: Section, ctx: FrontDoorContext): FrontDoorConfig {
  const kind = ctx.clusterType === "kind";
  // Set by the readers below, which readFields calls in declaration order.
  const state: { enabled: boolean; explicit: boolean; domain?: string; dns01?: Record<string, unknown> } = {
    enabled: false,
    explicit: false,
  };
  const read: ReadFrontDoor = readFields(s, FRONT_DOOR_FIELDS, {
    ...(ctx.clusterType !== undefined ? { clusterType: ctx.clusterType } : {}),
    readers: {
      enabled: (f, key) => {
        state.explicit = f.has(key);
        state.enabled = f.bool(key, kind && ctx.gatewayRuns);
      },
      domain: (f, key) => {
        const value = f.optionalString(key, DOMAIN);
        if (value !== undefined) state.domain = value;
      },
      "acme.dns01": (a, key) => {
        const value = a.raw(key);
        if (value === undefined) return;
        const providers =
          value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
        if (providers.length === 0) {
          a.problem(
            key,
            "is not cert-manager's dns01 block (an object naming one DNS provider)",
            `set it in the stack file, e.g. ${a.join(key)}: {route53: {region: eu-west-1}}`,
          );
          return;
        }
        state.dns01 = value as Record<string, unknown>;
      },
    },
  });
  if (!state.enabled) {
    return { ...read, enabled: false };
  }
  if (!ctx.gatewayRuns) {
    s.problem(
      "enabled",
      `is ${state.explicit ? "true" : "on"} but the ingress gateway does not run (mesh.enabled or mesh.gateway.enabled is false), and the front door is served by it`,
      "set `pulumi config set --path mesh.gateway.enabled true`, or `pulumi config set --path frontDoor.enabled false`",
    );
  }
  const domain = state.domain ?? (kind ? KIND_DOMAIN : undefined);
  if (domain === undefined && !s.has("domain")) {
    s.problem(
      "domain",
      "is required on cloud: every UI gets a host under it",
      `set \`${setCommand(s.join("domain"), DOMAIN.example)}\` and point *.${DOMAIN.example} at the gateway's LoadBalancer`,
    );
  }
  const acme = s.child("acme");
  let issuer: IssuerConfig = { kind: "selfSigned" };
  if (read.issuer === "ca") {
    const secretName = read.ca.secretName;
    if (secretName === undefined) {
      s.child("ca").problem(
        "secretName",
        "is required with frontDoor.issuer ca",
        `create a Secret with your CA's tls.crt and tls.key in namespace cert-manager and set \`${setCommand(s.join("ca.secretName"), SECRET_NAME.example)}\``,
      );
    }
    issuer = { kind: "ca", secretName: secretName ?? "" };
  } else if (read.issuer === "acme") {
    const email = read.acme.email;
    if (email === undefined && !acme.has("email")) {
      acme.problem(
        "email",
        "is required with frontDoor.issuer acme: the ACME server registers an account for it",
        `set \`${setCommand(acme.join("email"), EMAIL.example)}\``,
      );
    }
    if (read.acme.solver === "dns01" && state.dns01 === undefined && !acme.has("dns01")) {
      acme.problem(
        "dns01",
        "is required with frontDoor.acme.solver dns01",
        `set cert-manager's dns01 block in the stack file, e.g. ${acme.join("dns01")}: {route53: {region: eu-west-1}}`,
      );
    }
    issuer = {
      kind: "acme",
      server: read.acme.server,
      email: email ?? "",
      solver: read.acme.solver === "dns01" ? { dns01: state.dns01 ?? {} } : { http01: true },
    };
  }
  return { ...read, enabled: true, domain: domain ?? "", signer: issuer };
}

/** `frontDoor`, declared once: Pulumi.yaml and docs/config.md (npm run gen) come from this. */
export const FRONT_DOOR_KEY: KeyDeclaration = {
  kind: "object",
  description:
    "The front door: every UI over HTTPS on the ingress gateway, one host each under one domain, certificates from cert-manager (docs/reaching-the-stack.md).",
  fields: FRONT_DOOR_FIELDS,
};
