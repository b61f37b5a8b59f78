import { serviceHost } from "../kit";

/** The UIs the front door can serve, in the order the outputs list them. */
export const UI_NAMES = ["grafana", "prometheus", "alertmanager", "jaeger"] as const;
export type UiName = (typeof UI_NAMES)[number];

/** One UI's Service, as the part that runs it names it. */
export interface UiBackend {
  namespace: string;
  service: string;
  /** The Service's port the gateway sends requests to. */
  port: number;
}

/** A UI the front door serves: its host and where requests go. */
export interface FrontDoorUi extends UiBackend {
  name: UiName;
  /** `<name>.<domain>`. */
  host: string;
  /** The in-cluster name of its Service, the route's destination. */
  destination: string;
}

/** The UIs that run, each with its host under the domain, in UI_NAMES order. */
export function frontDoorUis(
  domain: string,
  running: Readonly<Partial<Record<UiName, UiBackend>>>,
): FrontDoorUi[] {
  return UI_NAMES.flatMap((name) => {
    const backend = running[name];
    if (backend === undefined) return [];
    return [
      {
        name,
        ...backend,
        host: `${name}.${domain}`,
        destination: serviceHost(backend.service, backend.namespace),
      },
    ];
  });
}

/** Each UI's Service, by the part that runs it, for what runs. */
export function uiBackends(
  running: Readonly<Record<UiName, boolean>>,
  services: Readonly<Record<UiName, UiBackend>>,
): Partial<Record<UiName, UiBackend>> {
  return Object.fromEntries(UI_NAMES.filter((n) => running[n]).map((n) => [n, services[n]]));
}

/**
 * Each UI's URL: `https://<host>` behind a LoadBalancer; on a ClusterIP or NodePort gateway,
 * after `kubectl port-forward` to local port 8443 (FRONT_DOOR_LOCAL_PORT).
 */
export function uiUrls(uis: readonly FrontDoorUi[], loadBalancer: boolean): Partial<Record<UiName, string>> {
  return Object.fromEntries(
    uis.map((ui) => [
      ui.name,
      loadBalancer ? `https://${ui.host}` : `https://${ui.host}:${FRONT_DOOR_LOCAL_PORT}`,
    ]),
  );
}

/** The local port the stack outputs forward the gateway's HTTPS port to, off a LoadBalancer. */
export const FRONT_DOOR_LOCAL_PORT = 8443;
