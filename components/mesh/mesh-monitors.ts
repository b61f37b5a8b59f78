import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { declareCustomResources } from "./custom-resources";
import { envoyPodMonitor, istiodServiceMonitor } from "./monitors";

export interface MeshMonitorsArgs {
  /** istiod's namespace, where both monitors live. */
  namespace: string;
  /** The release that installs the monitoring.coreos.com CRDs (PrometheusStack.crds). */
  crds: pulumi.Resource;
  /** Namespaces the stack owns, by name; a monitor in one of them waits for it. Defaults to none. */
  namespaces?: Readonly<Record<string, pulumi.Resource>>;
}

/** Prometheus scrapes istiod (a ServiceMonitor) and every sidecar and gateway (a PodMonitor). */
export class MeshMonitors extends pulumi.ComponentResource {
  readonly monitors: k8s.apiextensions.CustomResource[];

  constructor(name: string, args: MeshMonitorsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:mesh:MeshMonitors", name, {}, opts);
    // The operator serves no admission webhook for monitors: the CRDs release is all they wait for.
    this.monitors = declareCustomResources(
      [istiodServiceMonitor(args.namespace), envoyPodMonitor(args.namespace)],
      {
        parent: this,
        dependsOn: [args.crds],
        ...(args.namespaces !== undefined ? { namespaces: args.namespaces } : {}),
      },
    );
    this.registerOutputs({ namespace: args.namespace });
  }
}
