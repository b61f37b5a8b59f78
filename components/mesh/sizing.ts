/**
 * What each container of the mesh part requests, per sizing preset, by the id that
 * `observability:resources` overrides use (the stack-wide budget rules: components/kit/config/sizing.ts).
 */
import { ContainerResources, resources as r, Sizing } from "../kit";

export const MESH_SIZING = {
  laptop: {
    // A handful of services: istiod's config cache stays well under 256Mi.
    istiod: r("100m", "256Mi", "512Mi"),
    istioGateway: r("20m", "64Mi", "256Mi"),
    // Every Istio sidecar: the stack's own (Prometheus, Grafana) and, by default, applications'.
    istioProxy: r("10m", "48Mi", "192Mi"),
  },
  production: {
    // The chart's own request; istiod's memory grows with the number of services and proxies.
    istiod: r("500m", "2Gi", "4Gi"),
    istioGateway: r("100m", "128Mi", "1Gi"),
    istioProxy: r("100m", "128Mi", "1Gi"),
  },
} as const satisfies Record<Sizing, Record<string, ContainerResources>>;

declare module "../kit/config/sizing" {
  // The mesh part's containers join the stack's (kit names none).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface StackContainers extends Record<keyof (typeof MESH_SIZING)["laptop"], ContainerResources> {}
}
