import { ContainerId, ContainerResources, ContainerSlot, toK8s } from "../kit";
import { MeshConfig } from "./config";

/** The name istiod knows the OpenTelemetry tracing provider by; the Telemetry resource selects it. */
export const TRACING_PROVIDER = "otel-tracing";

/**
 * The slot of the mesh config's external providers: a part adds providers (an authorizer, say) by
 * contributing a list of meshConfig.extensionProviders entries here (Part.contributions).
 */
export const MESH_EXTENSION_PROVIDERS_SLOT = "mesh/extension-providers";

export interface IstioValuesArgs {
  mesh: MeshConfig;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** Other parts' contributions to MESH_EXTENSION_PROVIDERS_SLOT: lists of providers. Defaults to none. */
  extensionProviders?: readonly unknown[];
}

/** The providers other parts contribute, in registry order; a name given twice throws. */
export function contributedProviders(contributions: readonly unknown[]): Record<string, unknown>[] {
  const providers: Record<string, unknown>[] = [];
  for (const c of contributions) {
    if (!Array.isArray(c))
      throw new Error(`a contribution to ${MESH_EXTENSION_PROVIDERS_SLOT} is not a list`);
    for (const p of c as unknown[]) {
      const name = (p as { name?: unknown } | null)?.name;
      if (
        typeof name !== "string" ||
        name === TRACING_PROVIDER ||
        providers.some((q) => q["name"] === name)
      ) {
        throw new Error(
          `a contribution to ${MESH_EXTENSION_PROVIDERS_SLOT} gives a provider without a name of its own`,
        );
      }
      providers.push(p as Record<string, unknown>);
    }
  }
  return providers;
}

/**
 * Values for the istiod chart (flat since Istio 1.24; keys checked against the chart's values.yaml
 * and ../shared/docs/charts.md).
 */
export function istiodValues(args: IstioValuesArgs): Record<string, unknown> {
  const { mesh, resources: res } = args;
  const { tracing } = mesh;
  const providers = [
    ...(tracing.enabled
      ? [{ name: TRACING_PROVIDER, opentelemetry: { service: tracing.service, port: tracing.port } }]
      : []),
    ...contributedProviders(args.extensionProviders ?? []),
  ];
  return {
    // Helm, not an autoscaler, owns the replica count, so a preview shows every change to it.
    autoscaleEnabled: false,
    replicaCount: mesh.istiod.replicas,
    resources: toK8s(res.istiod),
    global: {
      // Sidecars nobody sized with annotations (applications') take these requests.
      proxy: { resources: toK8s(res.istioProxy) },
      // A budget of minAvailable 1 on a single replica would block every node drain.
      defaultPodDisruptionBudget: { enabled: mesh.istiod.replicas > 1 },
    },
    meshConfig: {
      // Each sidecar serves its application's and Envoy's metrics merged on port 15020, which the
      // sidecar does not intercept: the envoy-stats PodMonitor scrapes it under STRICT mTLS too.
      enablePrometheusMerge: true,
      ...(tracing.enabled ? { enableTracing: true } : {}),
      ...(providers.length > 0 ? { extensionProviders: providers } : {}),
    },
  };
}

/** Values for the gateway chart (its values.schema.json rejects unknown top-level keys). */
export function istioGatewayValues(args: IstioValuesArgs): Record<string, unknown> {
  const { gateway } = args.mesh;
  return {
    replicaCount: gateway.replicas,
    autoscaling: { enabled: false },
    resources: toK8s(args.resources.istioGateway),
    service: { type: gateway.serviceType },
    ...(gateway.replicas > 1 ? { podDisruptionBudget: { minAvailable: 1 } } : {}),
  };
}

export const ISTIOD_CONTAINERS: readonly ContainerSlot[] = [
  { container: "discovery (istiod)", resources: "resources", replicas: "replicaCount" },
];

export const ISTIO_GATEWAY_CONTAINERS: readonly ContainerSlot[] = [
  { container: "istio-proxy (ingress gateway)", resources: "resources", replicas: "replicaCount" },
];
