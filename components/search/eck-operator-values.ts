import { ContainerId, ContainerResources, ContainerSlot, toK8s } from "../kit";

export interface EckOperatorValuesArgs {
  resources: Readonly<Record<ContainerId, ContainerResources>>;
  /** The namespaces whose Elastic resources the operator reconciles (and the only ones it watches). */
  managedNamespaces: readonly string[];
}

/** Values for eck-operator (keys checked against the chart's values.yaml and statefulset template). */
export function eckOperatorValues(args: EckOperatorValuesArgs): Record<string, unknown> {
  const res = toK8s(args.resources.eckOperator);
  return {
    // The CRDs come from this release's eck-operator-crds subchart, as templates, so they upgrade with it.
    installCRDs: true,
    replicaCount: 1,
    managedNamespaces: [...args.managedNamespaces],
    // The chart sets a CPU limit of 1 by default; null removes it (CPU limits only throttle).
    resources: { requests: res.requests, limits: { cpu: null, memory: res.limits.memory } },
    // With seccomp the pod meets the `restricted` Pod Security level of its namespace.
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  };
}

/** Every container eck-operator runs with these values, and where it is sized. */
export const ECK_OPERATOR_CONTAINERS: readonly ContainerSlot[] = [
  { container: "elastic-operator", resources: "resources", replicas: "replicaCount" },
];
