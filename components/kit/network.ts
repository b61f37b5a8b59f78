/**
 * The network flows of the stack, as data: who talks to whom on which port. Each part lists the
 * pods of its own that receive traffic and the flows into them (its `network.ts`); the core folds
 * them, and its NetworkPolicies deny every other ingress into the stack's namespaces and allow
 * exactly these. Traffic from a pod's own node (kubelet probes, port-forwards) is always allowed
 * by Kubernetes, and hostNetwork pods (node-exporter) are outside NetworkPolicy.
 */

/** A set of pods in one of the stack's namespaces, by the labels their charts or operators give them. */
export interface PodGroup {
  /** A short name, used in policy names: `allow-<name>`. */
  name: string;
  namespace: string;
  /** Labels every pod of the group has. */
  labels: Readonly<Record<string, string>>;
  /** Further label that must take one of the values. Defaults to none. */
  oneOf?: { key: string; values: readonly string[] };
}

/**
 * Where a flow comes from: pods of a group; any pod in any namespace (applications sending
 * spans, meshed pods fetching their configuration); or any address at all (the API server calling
 * a webhook, a load balancer in front of the gateway), which NetworkPolicy cannot tell apart.
 */
export type FlowSource = { pods: PodGroup } | { anyPod: true } | { anywhere: true };

export interface Port {
  port: number;
  /** Defaults to TCP. */
  protocol?: "TCP" | "UDP";
}

export interface Flow {
  from: FlowSource;
  to: PodGroup;
  ports: readonly Port[];
  /** Why it is needed, for the reader of a policy. */
  why: string;
}

/** TCP ports, as a flow lists them. */
export const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ port }));

/** The recommended `app.kubernetes.io/name` label most charts select their pods by. */
export const NAME_LABEL = "app.kubernetes.io/name";
/** The recommended `app.kubernetes.io/instance` label: the Helm release. */
export const INSTANCE_LABEL = "app.kubernetes.io/instance";
/** The recommended `app.kubernetes.io/component` label. */
export const COMPONENT_LABEL = "app.kubernetes.io/component";

/**
 * Collects flows in order: `add(from, to, ports, why)`. A part's flow function starts with one and
 * returns `flows`.
 */
export function flowList(): {
  flows: Flow[];
  add: (from: FlowSource, to: PodGroup, ports: Port[], why: string) => void;
} {
  const flows: Flow[] = [];
  return { flows, add: (from, to, ports, why) => flows.push({ from, to, ports, why }) };
}
