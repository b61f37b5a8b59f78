/**
 * What each container of the tracing part requests, per sizing preset, by the id that
 * `observability:resources` overrides use (the stack-wide budget rules: components/kit/config/sizing.ts).
 */
import { ContainerResources, resources as r, Sizing } from "../kit";

export const TRACING_SIZING = {
  laptop: {
    // The memory store holds tracing.maxTraces traces (5000 by default) inside this limit.
    jaeger: r("50m", "128Mi", "256Mi"),
    jaegerEsIndexCleaner: r("10m", "32Mi", "64Mi"),
    // Off in dev by default; sized so that switching it on stays within tracing's 150m/300Mi.
    otelCollector: r("30m", "96Mi", "192Mi"),
  },
  production: {
    jaeger: r("500m", "1Gi", "2Gi"),
    jaegerEsIndexCleaner: r("50m", "64Mi", "128Mi"),
    otelCollector: r("200m", "256Mi", "512Mi"),
  },
} as const satisfies Record<Sizing, Record<string, ContainerResources>>;

declare module "../kit/config/sizing" {
  // The tracing part's containers join the stack's (kit names none).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface StackContainers extends Record<keyof (typeof TRACING_SIZING)["laptop"], ContainerResources> {}
}
