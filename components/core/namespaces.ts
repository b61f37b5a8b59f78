import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaceLabels, NamespaceSpec, OwnedNamespace } from "../kit";

export interface NamespacesArgs {
  /** The namespaces to own, in a stable order. */
  namespaces: NamespaceSpec[];
  /** Leave the namespaces that hold data in the cluster when the stack deletes them. Defaults to false. */
  retainData?: boolean;
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

  /** The namespace as components take it: its name, the Namespace, and what to wait for. */
  owned(name: string): OwnedNamespace {
    const resource = this.get(name);
    return { name, resource, ready: [resource] };
  }
}
