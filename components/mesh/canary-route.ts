import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { canaryDestinationRule, canaryProblems, CanaryRouteSpec, canaryVirtualService } from "./canary";
import { declareCustomResource } from "./custom-resources";

export interface CanaryRouteArgs extends CanaryRouteSpec {
  /**
   * What both objects wait for: the release that installs the Istio CRDs and the one serving their
   * validating webhook (`Istio.customResourceDependencies`). Defaults to none, for a cluster where
   * Istio is already installed.
   */
  istio?: pulumi.Resource[];
}

/**
 * A canary release for an application team: a DestinationRule with one subset per version and a
 * VirtualService that sends header-matched requests (say `end-user: test-user`) to the new version
 * and splits the rest by weight.
 */
export class CanaryRoute extends pulumi.ComponentResource {
  readonly destinationRule: k8s.apiextensions.CustomResource;
  readonly virtualService: k8s.apiextensions.CustomResource;

  constructor(name: string, args: CanaryRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:mesh:CanaryRoute", name, {}, opts);
    const problems = canaryProblems(args);
    if (problems.length > 0) {
      throw new Error(`CanaryRoute ${args.namespace}/${args.name}: ${problems.join("; ")}`);
    }
    const istio = args.istio ?? [];
    this.destinationRule = declareCustomResource(canaryDestinationRule(args), {
      parent: this,
      dependsOn: istio,
    });
    // Subsets before the route that names them: a route to an unknown subset fails requests.
    this.virtualService = declareCustomResource(canaryVirtualService(args), {
      parent: this,
      dependsOn: [...istio, this.destinationRule],
    });
    this.registerOutputs({ namespace: args.namespace, name: args.name });
  }
}
