export { ObservabilityStack, NAMESPACES } from "./observability-stack";
export type { ObservabilityStackArgs, StackEndpoints } from "./observability-stack";
export { Namespaces, namespaceLabels, STACK_LABELS, DOMAIN_LABEL } from "./namespaces";
export type { NamespaceSpec, NamespacesArgs, PodSecurityLevel } from "./namespaces";
