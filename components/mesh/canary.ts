import { CustomResourceObject, ownedMetadata } from "./custom-resources";

/** A canary release of one service, as application teams describe it. */
export interface CanaryRouteSpec {
  /** Name of the VirtualService and DestinationRule. */
  name: string;
  /** The application's namespace (explicit on both objects). */
  namespace: string;
  /** The service the route applies to. Defaults to the name. */
  host?: string;
  /** The pod label that tells versions apart. Defaults to `version`. */
  versionLabel?: string;
  /** The running version: its label value and subset name. Defaults to `v1`. */
  stable?: string;
  /** The new version: its label value and subset name. Defaults to `v2`. */
  canary?: string;
  /** Requests whose headers all match exactly (e.g. `end-user: test-user`) go to the canary. Defaults to none. */
  match?: { headers: Readonly<Record<string, string>> };
  /** How all other requests split, in percent adding up to 100. Defaults to all to stable. */
  weights?: { stable: number; canary: number };
}

const NETWORKING = "networking.istio.io/v1";

function resolved(spec: CanaryRouteSpec) {
  return {
    host: spec.host ?? spec.name,
    versionLabel: spec.versionLabel ?? "version",
    stable: spec.stable ?? "v1",
    canary: spec.canary ?? "v2",
  };
}

/** What is wrong with a spec, for a route built outside stack config (the config reports these by key path). */
export function canaryProblems(spec: CanaryRouteSpec): string[] {
  const { stable, canary } = resolved(spec);
  const problems: string[] = [];
  const w = spec.weights;
  if (stable === canary) problems.push(`stable and canary are both "${stable}"`);
  if (w !== undefined && w.stable + w.canary !== 100) {
    problems.push(
      `weights stable ${w.stable} and canary ${w.canary} add up to ${w.stable + w.canary}, not 100`,
    );
  }
  if (spec.match === undefined && (w === undefined || w.canary === 0)) {
    problems.push(`neither a header match nor a canary weight sends any request to "${canary}"`);
  }
  return problems;
}

/** The two subsets, one per version, selected by the version label. */
export function canaryDestinationRule(spec: CanaryRouteSpec): CustomResourceObject {
  const r = resolved(spec);
  return {
    apiVersion: NETWORKING,
    kind: "DestinationRule",
    metadata: ownedMetadata(spec.name, spec.namespace),
    spec: {
      host: r.host,
      subsets: [
        { name: r.stable, labels: { [r.versionLabel]: r.stable } },
        { name: r.canary, labels: { [r.versionLabel]: r.canary } },
      ],
    },
  };
}

/**
 * Routes in order: requests matching every header go to the canary; the rest split by weight
 * (or all go to stable).
 */
export function canaryVirtualService(spec: CanaryRouteSpec): CustomResourceObject {
  const r = resolved(spec);
  const to = (subset: string) => ({ destination: { host: r.host, subset } });
  const http: Record<string, unknown>[] = [];
  if (spec.match !== undefined) {
    const headers = Object.fromEntries(
      Object.keys(spec.match.headers)
        .sort()
        .map((h) => [h, { exact: spec.match?.headers[h] ?? "" }]),
    );
    http.push({ name: "canary-match", match: [{ headers }], route: [to(r.canary)] });
  }
  const w = spec.weights;
  http.push({
    name: "default",
    route:
      w === undefined
        ? [to(r.stable)]
        : [
            { ...to(r.stable), weight: w.stable },
            { ...to(r.canary), weight: w.canary },
          ],
  });
  return {
    apiVersion: NETWORKING,
    kind: "VirtualService",
    metadata: ownedMetadata(spec.name, spec.namespace),
    spec: { hosts: [r.host], http },
  };
}
