import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { imagePullSecret, namespaceLabels, NamespaceSpec, OwnedNamespace, StackPullSecret } from "../kit";

export interface NamespacesArgs {
  /** The namespaces to own, in a stable order. */
  namespaces: NamespaceSpec[];
  /** Leave the namespaces that hold data in the cluster when the stack deletes them. Defaults to false. */
  retainData?: boolean;
  /** The pull Secret to create in each namespace, from imagePullSecret. Defaults to none. */
  pullSecret?: StackPullSecret;
}

/**
 * The namespaces the stack installs into, owned by the program with the labels later parts select
 * on, each with the stack's image pull Secret right after it when imagePullSecret is set.
 */
export class Namespaces extends pulumi.ComponentResource {
  /** Each namespace by its name. */
  readonly byName: Readonly<Record<string, k8s.core.v1.Namespace>>;
  /** The pull Secret in each namespace, by the namespace's name; empty without imagePullSecret. */
  readonly pullSecrets: Readonly<Record<string, k8s.core.v1.Secret>>;

  constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:core:Namespaces", name, {}, opts);
    const byName: Record<string, k8s.core.v1.Namespace> = {};
    const pullSecrets: Record<string, k8s.core.v1.Secret> = {};
    for (const spec of args.namespaces) {
      // retainOnDelete, not protect: deleting a namespace deletes every volume claim in it, and
      // Helm leaves a StatefulSet's claims behind only as long as their namespace stays. Protect
      // would make switching a part off or `pulumi destroy` fail instead of leaving the data.
      const retain = args.retainData === true && spec.holdsData === true ? { retainOnDelete: true } : {};
      const ns = new k8s.core.v1.Namespace(
        `ns-${spec.name}`,
        { metadata: { name: spec.name, labels: namespaceLabels(spec) } },
        { parent: this, ...retain },
      );
      byName[spec.name] = ns;
      if (args.pullSecret !== undefined) {
        // Retained with a retained namespace: the workloads left running there (Elasticsearch,
        // volumes' StatefulSets) still pull their images when a pod moves to another node.
        pullSecrets[spec.name] = imagePullSecret(
          `${name}-${spec.name}-image-pull`,
          { ...args.pullSecret, namespace: ns.metadata.name },
          { parent: this, dependsOn: [ns], ...retain },
        );
      }
    }
    this.byName = byName;
    this.pullSecrets = pullSecrets;
    this.registerOutputs({ names: Object.keys(byName) });
  }

  get(name: string): k8s.core.v1.Namespace {
    const ns = this.byName[name];
    if (ns === undefined) throw new Error(`namespace ${name} is not owned by this stack`);
    return ns;
  }

  /**
   * The namespace as components take it: its name, the Namespace, and what to wait for: the
   * Namespace, then its pull Secret, so no pod starts there before it can pull its image.
   */
  owned(name: string): OwnedNamespace {
    const resource = this.get(name);
    const pullSecret = this.pullSecrets[name];
    return { name, resource, ready: pullSecret !== undefined ? [resource, pullSecret] : [resource] };
  }
}
