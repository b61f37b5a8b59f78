import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** Pod Security Admission levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface NamespaceSpec {
  /** The namespace's name; set explicitly so Pulumi does not add a random suffix. */
  name: string;
  /** The domain of the stack it serves, e.g. `monitoring`; becomes a label for selectors and policies. */
  domain: string;
  /** The Pod Security level enforced. Node agents that read host paths need `privileged`. */
  podSecurity: PodSecurityLevel;
  /** Further labels, e.g. `istio-injection`. Defaults to none. */
  labels?: Record<string, string>;
  /** Whether volume claims or Elasticsearch data live in it. Defaults to false. */
  holdsData?: boolean;
}

/** Labels every object the program owns carries, so `kubectl get -l` finds the stack. */
export const STACK_LABELS = {
  "app.kubernetes.io/part-of": "observability-stack",
  "app.kubernetes.io/managed-by": "pulumi",
} as const;

export const DOMAIN_LABEL = "observability-stack/domain";

export function namespaceLabels(spec: NamespaceSpec): Record<string, string> {
  return {
    ...STACK_LABELS,
    [DOMAIN_LABEL]: spec.domain,
    "pod-security.kubernetes.io/enforce": spec.podSecurity,
    "pod-security.kubernetes.io/warn": spec.podSecurity,
    ...(spec.labels ?? {}),
  };
}

/**
 * A namespace the stack owns, as every component takes it: its name for DNS names and
 * selectors, its Namespace for the name as an Output, and what to wait for before declaring
 * anything in it.
 */
export interface OwnedNamespace {
  name: string;
  /** The Namespace; manifests take `resource.metadata.name`. Wait for `ready`, not for it alone. */
  resource: k8s.core.v1.Namespace;
  /**
   * What everything in the namespace depends on: the Namespace, then whatever its pods need before
   * they can start there (the image pull Secret, with imagePullSecret). Never empty.
   */
  ready: readonly pulumi.Resource[];
}
