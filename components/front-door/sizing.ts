/**
 * What each container of the front-door part requests, per sizing preset, by the id that
 * `observability:resources` overrides use (the stack-wide budget rules: components/kit/config/sizing.ts).
 */
import { ContainerResources, resources as r, Sizing } from "../kit";

export const FRONT_DOOR_SIZING = {
  laptop: {
    // cert-manager on kind watches a handful of Certificates and Secrets. The requests are what
    // the dev budget leaves (1.0 CPU, 2 GiB with the front door on and mesh.grafanaGateway off);
    // the limits leave room for its caches.
    certManagerController: r("10m", "20Mi", "128Mi"),
    certManagerWebhook: r("5m", "12Mi", "64Mi"),
    certManagerCainjector: r("5m", "16Mi", "128Mi"),
  },
  production: {
    // The controller and cainjector cache every Certificate and Secret they watch.
    certManagerController: r("50m", "128Mi", "512Mi"),
    certManagerWebhook: r("20m", "64Mi", "256Mi"),
    certManagerCainjector: r("50m", "128Mi", "512Mi"),
  },
} as const satisfies Record<Sizing, Record<string, ContainerResources>>;

declare module "../kit/config/sizing" {
  // The front-door part's containers join the stack's (kit names none).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface StackContainers extends Record<keyof (typeof FRONT_DOOR_SIZING)["laptop"], ContainerResources> {}
}
