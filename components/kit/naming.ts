/**
 * The names of the namespaces the stack owns, written once. The stack model decides which of
 * them exist and at which Pod Security level; the parts build DNS names and reserved-namespace
 * checks from these.
 */
export const STACK_NAMESPACE_NAMES = {
  monitoring: "monitoring",
  logging: "logging",
  tracing: "tracing",
  elasticSystem: "elastic-system",
  search: "search",
  istioSystem: "istio-system",
  istioIngress: "istio-ingress",
} as const;

export type StackNamespaceKey = keyof typeof STACK_NAMESPACE_NAMES;

/** An in-cluster DNS name of a Service: `<service>.<namespace>.svc.cluster.local`. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** The `kubectl port-forward` command that opens a Service on localhost. */
export function portForward(
  namespace: string,
  service: string,
  localPort: number,
  servicePort: number,
): string {
  return `kubectl -n ${namespace} port-forward svc/${service} ${localPort}:${servicePort}`;
}
