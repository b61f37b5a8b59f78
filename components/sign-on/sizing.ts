/**
 * What each container of the sign-on part requests, per sizing preset, by the id that
 * `observability:resources` overrides use (the stack-wide budget rules: components/kit/config/sizing.ts).
 */
import { ContainerResources, resources as r, Sizing } from "../kit";

export const SIGN_ON_SIZING = {
  laptop: {
    // One request now and then per page load of a UI; sessions live in cookies, not in memory.
    oauth2Proxy: r("5m", "16Mi", "64Mi"),
  },
  production: {
    oauth2Proxy: r("20m", "32Mi", "128Mi"),
  },
} as const satisfies Record<Sizing, Record<string, ContainerResources>>;

declare module "../kit/config/sizing" {
  // The sign-on part's containers join the stack's (kit names none).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface StackContainers extends Record<keyof (typeof SIGN_ON_SIZING)["laptop"], ContainerResources> {}
}
