import { CustomResourceObject, ownedMetadata } from "./custom-resources";
import { MtlsConfig } from "./config";

/** Istio's root namespace (istiod's own): a policy there without a selector applies mesh-wide. */
export const ROOT_NAMESPACE = "istio-system";
/** The mesh's trust domain, Istio's default; workload identities are SPIFFE ids under it. */
export const TRUST_DOMAIN = "cluster.local";
/** Where an mTLS exception keeps the reason the stack config gives for it. */
export const MTLS_REASON_ANNOTATION = "observability-stack/mtls-exception-reason";
/** Where a workload's STRICT policy keeps why the stack makes it STRICT. */
export const MTLS_STRICT_REASON_ANNOTATION = "observability-stack/mtls-strict-reason";

const SECURITY = "security.istio.io/v1";

/** The mTLS identity Istio gives a service account's pods. */
export function principal(namespace: string, serviceAccount: string): string {
  return `${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`;
}

function peerAuthentication(
  namespace: string,
  mode: string,
  annotations?: Record<string, string>,
): CustomResourceObject {
  // `default` is the name Istio's docs give mesh- and namespace-wide policies; there is one per namespace.
  return {
    apiVersion: SECURITY,
    kind: "PeerAuthentication",
    metadata: ownedMetadata("default", namespace, annotations),
    spec: { mtls: { mode } },
  };
}

/** A meshed workload that Prometheus scrapes with its Istio certificate (`ISTIO_SCRAPE_TLS`). */
export interface ScrapedWithIstioCertificate {
  /** The policy's name: the workload's. */
  name: string;
  namespace: string;
  /** Labels of its pods. */
  selector: Record<string, string>;
}

/**
 * Why such a workload is STRICT whatever its namespace's mode: under PERMISSIVE its sidecar
 * terminates mTLS only for clients that offer Istio's ALPN, which Prometheus does not, and passes
 * Prometheus's TLS through to the plain-HTTP port, so the scrape fails (istio/istio#38720,
 * #31744; Istio's Prometheus integration docs, "TLS settings").
 */
export const STRICT_FOR_SCRAPE_REASON =
  "Prometheus scrapes it with its Istio certificate, which only STRICT accepts (a PERMISSIVE sidecar passes that TLS through to the plain-HTTP port)";

/**
 * The mesh-wide mTLS policy in the root namespace, one STRICT policy per `strictNamespaces` entry,
 * one policy per exception with the reason it was granted, and a workload STRICT policy for each
 * workload Prometheus scrapes with its Istio certificate. A workload's policy outranks its
 * namespace's and the mesh's, so the scrape works in every mode, PERMISSIVE dev and exceptions
 * included. Defaults to no such workload.
 */
export function peerAuthentications(
  mtls: MtlsConfig,
  scrapedWithIstioCertificate: readonly ScrapedWithIstioCertificate[] = [],
): CustomResourceObject[] {
  return [
    peerAuthentication(ROOT_NAMESPACE, mtls.mode),
    ...mtls.strictNamespaces.map((ns) => peerAuthentication(ns, "STRICT")),
    ...mtls.exceptions.map((e) =>
      peerAuthentication(e.namespace, e.mode, { [MTLS_REASON_ANNOTATION]: e.reason }),
    ),
    ...scrapedWithIstioCertificate.map((w) => ({
      apiVersion: SECURITY,
      kind: "PeerAuthentication",
      metadata: ownedMetadata(w.name, w.namespace, {
        [MTLS_STRICT_REASON_ANNOTATION]: STRICT_FOR_SCRAPE_REASON,
      }),
      spec: { selector: { matchLabels: { ...w.selector } }, mtls: { mode: "STRICT" } },
    })),
  ];
}

/** Grafana, served through the ingress gateway to its sidecar. */
export interface GrafanaBehindGateway {
  /** Grafana's namespace. */
  namespace: string;
  /** Labels of Grafana's pods. */
  selector: Record<string, string>;
  /** The port Grafana's container listens on (authorization matches workload ports). */
  port: number;
  /** The path Prometheus scrapes. */
  metricsPath: string;
  /** The ingress gateway's identity. */
  gatewayPrincipal: string;
}

export interface AuthorizationArgs {
  /** Namespaces where a request reaches a meshed workload only when a policy allows it. */
  defaultDenyNamespaces: readonly string[];
  /** Prometheus's identity when it scrapes with its Istio certificate. Defaults to none: no scrape rules. */
  prometheusPrincipal?: string;
  /** Grafana behind the gateway. Defaults to none. */
  grafana?: GrafanaBehindGateway;
}

function authorizationPolicy(
  name: string,
  namespace: string,
  spec: Record<string, unknown>,
): CustomResourceObject {
  return {
    apiVersion: SECURITY,
    kind: "AuthorizationPolicy",
    metadata: ownedMetadata(name, namespace),
    spec,
  };
}

function fromPrincipal(p: string): { source: { principals: string[] } }[] {
  return [{ source: { principals: [p] } }];
}

/**
 * Default deny where asked for, and the allow rules the stack itself needs there: Prometheus
 * scraping meshed workloads, and the gateway reaching Grafana (which then takes requests from the
 * gateway and Prometheus only).
 */
export function authorizationPolicies(args: AuthorizationArgs): CustomResourceObject[] {
  const out: CustomResourceObject[] = [];
  for (const ns of args.defaultDenyNamespaces) {
    // An ALLOW policy with no rules matches no request: whatever no other policy allows is denied.
    out.push(authorizationPolicy("default-deny", ns, {}));
    if (args.prometheusPrincipal !== undefined) {
      out.push(
        authorizationPolicy("allow-prometheus-scrape", ns, {
          action: "ALLOW",
          rules: [
            { from: fromPrincipal(args.prometheusPrincipal), to: [{ operation: { methods: ["GET"] } }] },
          ],
        }),
      );
    }
  }
  const g = args.grafana;
  if (g !== undefined) {
    const port = String(g.port);
    const rules: Record<string, unknown>[] = [
      { from: fromPrincipal(g.gatewayPrincipal), to: [{ operation: { ports: [port] } }] },
    ];
    if (args.prometheusPrincipal !== undefined) {
      rules.push({
        from: fromPrincipal(args.prometheusPrincipal),
        to: [{ operation: { ports: [port], methods: ["GET"], paths: [g.metricsPath] } }],
      });
    }
    out.push(
      authorizationPolicy("grafana", g.namespace, {
        selector: { matchLabels: g.selector },
        action: "ALLOW",
        rules,
      }),
    );
  }
  return out;
}

export interface TelemetryArgs {
  /** Envoy access logs on stdout. */
  accessLogs: boolean;
  /** Trace through this istiod extension provider at this rate. Defaults to none: no tracing. */
  tracing?: { provider: string; samplingPercentage: number };
}

/** The mesh-wide Telemetry resource: access logs on or off, and tracing when configured. */
export function meshTelemetry(args: TelemetryArgs): CustomResourceObject {
  return {
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    metadata: ownedMetadata("mesh-default", ROOT_NAMESPACE),
    spec: {
      // `envoy` is Istio's built-in file access log provider (stdout). Saying "off" explicitly keeps
      // logs off even where a mesh config default would turn them on.
      accessLogging: [{ providers: [{ name: "envoy" }], disabled: !args.accessLogs }],
      ...(args.tracing !== undefined
        ? {
            tracing: [
              {
                providers: [{ name: args.tracing.provider }],
                randomSamplingPercentage: args.tracing.samplingPercentage,
              },
            ],
          }
        : {}),
    },
  };
}

export interface GrafanaRouteArgs {
  /** The gateway's namespace, where the Gateway resource goes. */
  gatewayNamespace: string;
  /** Labels of the gateway's pods. */
  gatewaySelector: Record<string, string>;
  /** Host names to serve Grafana on (`*` for any). */
  hosts: readonly string[];
  /** Grafana's Service. */
  grafana: { namespace: string; service: string; port: number };
}

/** A Gateway listening on HTTP port 80 and a VirtualService that sends its requests to Grafana. */
export function grafanaRoute(args: GrafanaRouteArgs): CustomResourceObject[] {
  const { grafana } = args;
  const hosts = [...args.hosts];
  return [
    {
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: ownedMetadata("grafana", args.gatewayNamespace),
      spec: {
        selector: { ...args.gatewaySelector },
        servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts }],
      },
    },
    {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: ownedMetadata("grafana", grafana.namespace),
      spec: {
        hosts,
        gateways: [`${args.gatewayNamespace}/grafana`],
        http: [
          {
            name: "grafana",
            route: [
              {
                destination: {
                  host: `${grafana.service}.${grafana.namespace}.svc.cluster.local`,
                  port: { number: grafana.port },
                },
              },
            ],
          },
        ],
      },
    },
  ];
}
