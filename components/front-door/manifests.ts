import { STACK_LABELS } from "../kit";
import { CustomResourceObject, ownedMetadata } from "../mesh";
import { IssuerConfig } from "./config";
import { FrontDoorUi } from "./uis";

const CERT_MANAGER = "cert-manager.io/v1";
const NETWORKING = "networking.istio.io/v1";

/** A custom resource of the front door: namespaced, or cluster-wide (a ClusterIssuer) without a namespace. */
export interface FrontDoorObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The ClusterIssuer that signs the gateway's certificate, whichever kind it is. */
export const ISSUER_NAME = "observability";
/** The self-signed ClusterIssuer that signs only the stack's own CA (issuer selfSigned). */
export const BOOTSTRAP_ISSUER_NAME = "observability-selfsigned";
/** The stack's own CA's Certificate and Secret, in cert-manager's namespace (issuer selfSigned). */
export const CA_SECRET = "observability-ca";
/** The ACME account's private key, in cert-manager's namespace. */
export const ACME_ACCOUNT_SECRET = "observability-acme-account";
/** The gateway's Certificate, Secret, Gateway and the route names' prefix. */
export const FRONT_DOOR_NAME = "front-door";
export const FRONT_DOOR_TLS_SECRET = "front-door-tls";
/** Where ACME HTTP-01 challenges are fetched; left to cert-manager's solver, never redirected. */
export const ACME_CHALLENGE_PREFIX = "/.well-known/acme-challenge/";
/** The Ingress class cert-manager's HTTP-01 solver uses: istiod serves it on the ingress gateway. */
export const ISTIO_INGRESS_CLASS = "istio";
/** The port an HTTP-01 solver pod listens on, and the label the issuer gives those pods. */
export const ACME_SOLVER_PORT = 8089;
export const ACME_SOLVER_LABELS = { "app.kubernetes.io/name": "acme-http01-solver" } as const;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * An RE2 expression (Envoy's) that matches every path except those under `prefix`, without
 * look-ahead, which RE2 lacks: a path is outside the prefix when it is shorter than it or differs
 * from it at some position.
 */
export function notUnderPrefix(prefix: string): string {
  // The prefixes this is used with are ASCII paths.
  const chars = Array.from({ length: prefix.length }, (_, i) => prefix.charAt(i));
  const alternatives = chars.map(
    (c, i) => `${escapeRegex(chars.slice(0, i).join(""))}(?:[^${escapeRegex(c)}].*)?`,
  );
  return `^(?:${alternatives.join("|")})$`;
}

function issuerRef(name: string) {
  return { name, kind: "ClusterIssuer", group: "cert-manager.io" };
}

/** The ClusterIssuers and, for selfSigned, the CA certificate they need, in the order they chain. */
export function issuerManifests(
  issuer: IssuerConfig,
  certManagerNamespace: string,
  pullSecrets: readonly string[] = [],
): FrontDoorObject[] {
  const clusterIssuer = (name: string, spec: Record<string, unknown>): FrontDoorObject => ({
    apiVersion: CERT_MANAGER,
    kind: "ClusterIssuer",
    metadata: { name, labels: { ...STACK_LABELS } },
    spec,
  });
  switch (issuer.kind) {
    case "selfSigned":
      return [
        clusterIssuer(BOOTSTRAP_ISSUER_NAME, { selfSigned: {} }),
        {
          apiVersion: CERT_MANAGER,
          kind: "Certificate",
          metadata: ownedMetadata(CA_SECRET, certManagerNamespace),
          spec: {
            isCA: true,
            commonName: "observability-stack CA",
            secretName: CA_SECRET,
            // Ten years: a laptop trusts it once, not at every renewal.
            duration: "87600h",
            privateKey: { algorithm: "ECDSA", size: 256 },
            issuerRef: issuerRef(BOOTSTRAP_ISSUER_NAME),
          },
        },
        clusterIssuer(ISSUER_NAME, { ca: { secretName: CA_SECRET } }),
      ];
    case "ca":
      return [clusterIssuer(ISSUER_NAME, { ca: { secretName: issuer.secretName } })];
    case "acme":
      return [
        clusterIssuer(ISSUER_NAME, {
          acme: {
            server: issuer.server,
            email: issuer.email,
            privateKeySecretRef: { name: ACME_ACCOUNT_SECRET },
            solvers: [
              "dns01" in issuer.solver
                ? { dns01: issuer.solver.dns01 }
                : {
                    http01: {
                      ingress: {
                        class: ISTIO_INGRESS_CLASS,
                        podTemplate: {
                          // The label the NetworkPolicy admitting the gateway selects.
                          metadata: { labels: { ...ACME_SOLVER_LABELS } },
                          // The solver pods pull their image like every pod of the stack.
                          ...(pullSecrets.length > 0
                            ? { spec: { imagePullSecrets: pullSecrets.map((name) => ({ name })) } }
                            : {}),
                        },
                      },
                    },
                  },
            ],
          },
        }),
      ];
  }
}

/** The gateway's certificate: one for every UI's host, in the gateway's namespace. */
export function gatewayCertificate(
  uis: readonly FrontDoorUi[],
  gatewayNamespace: string,
): CustomResourceObject {
  return {
    apiVersion: CERT_MANAGER,
    kind: "Certificate",
    metadata: ownedMetadata(FRONT_DOOR_NAME, gatewayNamespace),
    spec: {
      secretName: FRONT_DOOR_TLS_SECRET,
      dnsNames: uis.map((ui) => ui.host),
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      issuerRef: issuerRef(ISSUER_NAME),
    },
  };
}

export interface RouteArgs {
  uis: readonly FrontDoorUi[];
  gatewayNamespace: string;
  gatewaySelector: Readonly<Record<string, string>>;
}

/**
 * The Gateway (HTTPS on 443 with the certificate, HTTP on 80), a VirtualService per UI on 443,
 * and one on 80 that redirects every path to HTTPS but ACME's HTTP-01 challenges, which the
 * solver's own route answers.
 */
export function routeManifests(args: RouteArgs): CustomResourceObject[] {
  const hosts = args.uis.map((ui) => ui.host);
  const gateway = FRONT_DOOR_NAME;
  const ns = args.gatewayNamespace;
  return [
    {
      apiVersion: NETWORKING,
      kind: "Gateway",
      metadata: ownedMetadata(gateway, ns),
      spec: {
        selector: { ...args.gatewaySelector },
        servers: [
          {
            port: { number: 443, name: "https", protocol: "HTTPS" },
            hosts,
            tls: { mode: "SIMPLE", credentialName: FRONT_DOOR_TLS_SECRET, minProtocolVersion: "TLSV1_2" },
          },
          { port: { number: 80, name: "http", protocol: "HTTP" }, hosts },
        ],
      },
    },
    {
      apiVersion: NETWORKING,
      kind: "VirtualService",
      metadata: ownedMetadata(`${FRONT_DOOR_NAME}-https-redirect`, ns),
      spec: {
        hosts,
        gateways: [gateway],
        http: [
          {
            name: "https-redirect",
            match: [{ port: 80, uri: { regex: notUnderPrefix(ACME_CHALLENGE_PREFIX) } }],
            redirect: { scheme: "https", redirectCode: 301 },
          },
        ],
      },
    },
    ...args.uis.map((ui): CustomResourceObject => ({
      apiVersion: NETWORKING,
      kind: "VirtualService",
      metadata: ownedMetadata(`${FRONT_DOOR_NAME}-${ui.name}`, ns),
      spec: {
        hosts: [ui.host],
        gateways: [gateway],
        http: [
          {
            name: ui.name,
            match: [{ port: 443 }],
            route: [{ destination: { host: ui.destination, port: { number: ui.port } } }],
          },
        ],
      },
    })),
  ];
}
