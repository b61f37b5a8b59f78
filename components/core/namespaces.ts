import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

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

export interface NamespacesArgs {
  /** The namespaces to own, in a stable order. */
  namespaces: NamespaceSpec[];
  /** Leave the namespaces that hold data in the cluster when the stack deletes them. Defaults to false. */
  retainData?: boolean;
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

/** The namespaces the stack installs into, owned by the program with the labels later parts select on. */
export class Namespaces extends pulumi.ComponentResource {
  /** Each namespace by its name. */
  readonly byName: Readonly<Record<string, k8s.core.v1.Namespace>>;

  constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:core:Namespaces", name, {}, opts);
    const byName: Record<string, k8s.core.v1.Namespace> = {};
    for (const spec of args.namespaces) {
      byName[spec.name] = new k8s.core.v1.Namespace(
        `ns-${spec.name}`,
        { metadata: { name: spec.name, labels: namespaceLabels(spec) } },
        // retainOnDelete, not protect: deleting a namespace deletes every volume claim in it, and
        // Helm leaves a StatefulSet's claims behind only as long as their namespace stays. Protect
        // would make switching a part off or `pulumi destroy` fail instead of leaving the data.
        {
          parent: this,
          ...(args.retainData === true && spec.holdsData === true ? { retainOnDelete: true } : {}),
        },
      );
    }
    this.byName = byName;
    this.registerOutputs({ names: Object.keys(byName) });
  }

  get(name: string): k8s.core.v1.Namespace {
    const ns = this.byName[name];
    if (ns === undefined) throw new Error(`namespace ${name} is not owned by this stack`);
    return ns;
  }
}
