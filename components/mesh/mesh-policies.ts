import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { declareCustomResource, declareCustomResources } from "./custom-resources";
import { TRACING_PROVIDER } from "./istio-values";
import {
  authorizationPolicies,
  grafanaRoute,
  meshTelemetry,
  peerAuthentications,
  principal,
} from "./policies";
import type { MeshConfig } from "./config";

/** Grafana as the chart deploys it. */
export interface MeshGrafana {
  namespace: string;
  /** Its Service and the Service's port. */
  service: string;
  servicePort: number;
  /** The port its container listens on. */
  containerPort: number;
  /** Labels of its pods. */
  selector: Record<string, string>;
  /** The path Prometheus scrapes. */
  metricsPath: string;
}

/** The ingress gateway as the gateway chart deploys it. */
export interface MeshGateway {
  namespace: string;
  /** Labels of its pods. */
  selector: Record<string, string>;
  /** Its service account, the identity Grafana's policy allows. */
  serviceAccount: string;
}

export interface MeshPoliciesArgs {
  /** The stack config; this component reads mesh. */
  config: { mesh: MeshConfig };
  /** What every resource waits for: the Istio CRDs and validating webhook releases. */
  istio: pulumi.Resource[];
  /** Namespaces the stack owns, by name; a policy in one of them waits for it. */
  namespaces: Readonly<Record<string, pulumi.Resource>>;
  /** Prometheus's service account, when it scrapes with its Istio certificate. Defaults to none. */
  prometheus?: { namespace: string; serviceAccount: string };
  /** Grafana and the gateway that serves it, when `mesh.grafanaGateway` is on. Defaults to none. */
  grafana?: { grafana: MeshGrafana; gateway: MeshGateway };
}

/**
 * The mesh's policies: mTLS per the stack config, default deny and the stack's own allow rules,
 * mesh-wide telemetry (access logs, tracing), and the route from the gateway to Grafana.
 */
export class MeshPolicies extends pulumi.ComponentResource {
  readonly peerAuthentications: k8s.apiextensions.CustomResource[];
  readonly authorizationPolicies: k8s.apiextensions.CustomResource[];
  readonly telemetry: k8s.apiextensions.CustomResource;
  readonly grafanaRoute: k8s.apiextensions.CustomResource[];

  constructor(name: string, args: MeshPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:mesh:MeshPolicies", name, {}, opts);
    const { mesh } = args.config;
    const declare = { parent: this, dependsOn: args.istio, namespaces: args.namespaces };
    const prometheusPrincipal =
      args.prometheus !== undefined
        ? principal(args.prometheus.namespace, args.prometheus.serviceAccount)
        : undefined;
    const g = args.grafana;

    // Prometheus scrapes Grafana's sidecar with its Istio certificate: STRICT, or the scrape fails.
    this.peerAuthentications = declareCustomResources(
      peerAuthentications(
        mesh.mtls,
        g !== undefined
          ? [{ name: "grafana", namespace: g.grafana.namespace, selector: g.grafana.selector }]
          : [],
      ),
      declare,
    );
    this.authorizationPolicies = declareCustomResources(
      authorizationPolicies({
        defaultDenyNamespaces: mesh.authorization.defaultDenyNamespaces,
        ...(prometheusPrincipal !== undefined ? { prometheusPrincipal } : {}),
        ...(g !== undefined
          ? {
              grafana: {
                namespace: g.grafana.namespace,
                selector: g.grafana.selector,
                port: g.grafana.containerPort,
                metricsPath: g.grafana.metricsPath,
                gatewayPrincipal: principal(g.gateway.namespace, g.gateway.serviceAccount),
              },
            }
          : {}),
      }),
      declare,
    );
    this.telemetry = declareCustomResource(
      meshTelemetry({
        accessLogs: mesh.accessLogs,
        ...(mesh.tracing.enabled
          ? { tracing: { provider: TRACING_PROVIDER, samplingPercentage: mesh.tracing.samplingPercentage } }
          : {}),
      }),
      declare,
    );
    this.grafanaRoute =
      g === undefined
        ? []
        : declareCustomResources(
            grafanaRoute({
              gatewayNamespace: g.gateway.namespace,
              gatewaySelector: g.gateway.selector,
              hosts: mesh.grafanaGateway.hosts,
              grafana: {
                namespace: g.grafana.namespace,
                service: g.grafana.service,
                port: g.grafana.servicePort,
              },
            }),
            declare,
          );
    this.registerOutputs({ mtlsMode: mesh.mtls.mode });
  }
}
