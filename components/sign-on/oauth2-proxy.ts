import * as pulumi from "@pulumi/pulumi";
import { ContainerResources, helmRelease, OwnedNamespace, PlatformConfig, serviceHost } from "../kit";
import { CustomResourceObject, declareCustomResource, ownedMetadata } from "../mesh";
import { SIGN_ON_CHARTS } from "./charts";
import { SignOnRunning } from "./config";
import {
  OAUTH2_PROXY_PROVIDER,
  OAUTH2_PROXY_RELEASE,
  OAUTH2_PROXY_SERVICE_PORT,
  oauth2ProxySettings,
  oauth2ProxyValues,
} from "./oauth2-proxy-values";

/** The headers of a signed-in session, which oauth2-proxy sets and the UIs may log. */
const AUTH_HEADERS = ["x-auth-request-user", "x-auth-request-email", "x-auth-request-groups"];

/**
 * oauth2-proxy as the mesh's external authorizer (meshConfig.extensionProviders): the gateway asks
 * it about every request to a protected host, with the browser's cookies; a 200 lets the request
 * through with the user's headers, anything else (the redirect to the provider, the callback's
 * session cookie, a refusal) goes back to the browser as oauth2-proxy answered.
 */
export function oauth2ProxyProvider(namespace: string): Record<string, unknown> {
  return {
    name: OAUTH2_PROXY_PROVIDER,
    envoyExtAuthzHttp: {
      service: serviceHost(OAUTH2_PROXY_RELEASE, namespace),
      port: OAUTH2_PROXY_SERVICE_PORT,
      includeRequestHeadersInCheck: ["cookie", "authorization"],
      headersToUpstreamOnAllow: AUTH_HEADERS,
      headersToDownstreamOnAllow: ["set-cookie"],
      headersToDownstreamOnDeny: ["content-type", "location", "set-cookie"],
    },
  };
}

/** Where ACME HTTP-01 challenges are fetched: never behind sign-on. */
const ACME_CHALLENGES = "/.well-known/acme-challenge/*";

/** The CUSTOM AuthorizationPolicy that sends every request to these hosts through oauth2-proxy. */
export function signOnPolicy(
  hosts: readonly string[],
  gatewayNamespace: string,
  gatewaySelector: Readonly<Record<string, string>>,
): CustomResourceObject {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: ownedMetadata("sign-on", gatewayNamespace),
    spec: {
      selector: { matchLabels: { ...gatewaySelector } },
      action: "CUSTOM",
      provider: { name: OAUTH2_PROXY_PROVIDER },
      rules: [
        {
          // With the port of a port-forward too (`<host>:8443`).
          to: [{ operation: { hosts: hosts.flatMap((h) => [h, `${h}:*`]), notPaths: [ACME_CHALLENGES] } }],
        },
      ],
    },
  };
}

export interface Oauth2ProxyArgs {
  namespace: OwnedNamespace;
  gatewayNamespace: string;
  gatewaySelector: Readonly<Record<string, string>>;
  /** The hosts oauth2-proxy guards. */
  hosts: readonly string[];
  signOn: SignOnRunning;
  /** The Secret with client-secret and cookie-secret, and what it waits for. */
  secret: { name: string; after: pulumi.Resource[] };
  config: Pick<PlatformConfig, "charts" | "images" | "sizing">;
  resources: ContainerResources;
  /** Istio's CRDs and webhook, which the policy waits for. */
  istio: pulumi.Resource[];
  parent: pulumi.Resource;
}

/** The oauth2-proxy release and the gateway's CUSTOM policy. */
export function declareOauth2Proxy(args: Oauth2ProxyArgs): void {
  const { config } = args;
  const release = helmRelease(
    OAUTH2_PROXY_RELEASE,
    {
      chart: SIGN_ON_CHARTS.oauth2Proxy,
      releaseName: OAUTH2_PROXY_RELEASE,
      namespace: args.namespace.resource.metadata.name,
      values: oauth2ProxyValues({
        settings: oauth2ProxySettings(args.signOn, args.signOn.allowedGroups),
        secretName: args.secret.name,
        replicas: config.sizing === "production" ? 2 : 1,
        resources: args.resources,
      }),
      charts: config.charts,
      images: config.images,
    },
    { parent: args.parent, dependsOn: [...args.namespace.ready, ...args.secret.after] },
  );
  declareCustomResource(signOnPolicy(args.hosts, args.gatewayNamespace, args.gatewaySelector), {
    parent: args.parent,
    dependsOn: [...args.istio, release],
  });
}
