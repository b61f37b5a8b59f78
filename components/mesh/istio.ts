import * as k8s from "@pulumi/kubernetes";
import type { OwnedNamespace } from "../kit";
import * as pulumi from "@pulumi/pulumi";
import { istioGatewayValues, istiodValues } from "./istio-values";
import { helmRelease } from "../kit";
import type { PlatformConfig } from "../kit";
import type { MeshConfig } from "./config";
import { MESH_CHARTS } from "./charts";

export interface IstioArgs {
  /** The namespace of the CRDs release and istiod (istio-system, the mesh's root namespace). */
  systemNamespace: OwnedNamespace;
  /** The namespace of the ingress gateway. Defaults to none: required when the gateway is enabled. */
  gatewayNamespace?: OwnedNamespace;
  /** The stack config; this component reads charts, resources and mesh. */
  config: Pick<PlatformConfig, "charts" | "images" | "resources"> & { mesh: MeshConfig };
  /** Other parts' external providers for the mesh config (MESH_EXTENSION_PROVIDERS_SLOT). Defaults to none. */
  extensionProviders?: readonly unknown[];
}

/** Release names, fixed: the charts name their objects, and the gateway its pods' labels, after them. */
export const ISTIO_BASE_RELEASE = "istio-base";
export const ISTIOD_RELEASE = "istiod";
export const ISTIO_GATEWAY_RELEASE = "istio-ingressgateway";
/** The gateway chart labels its pods `istio: <release name without "istio-">`. */
export const ISTIO_GATEWAY_SELECTOR = { istio: "ingressgateway" } as const;
/** The label that opts a namespace into sidecar injection. */
export const INJECTION_LABEL = { "istio-injection": "enabled" } as const;

/**
 * Istio in order: the CRDs (base), then istiod (which serves the validating webhook and injects
 * sidecars), then the ingress gateway (whose pods istiod injects). Application namespaces are
 * opted into injection with a label patch: the program labels them but does not own them.
 */
export class Istio extends pulumi.ComponentResource {
  /** The release that installs the Istio CRDs. */
  readonly base: k8s.helm.v3.Release;
  /** istiod: the validating webhook for Istio resources and the sidecar injector. */
  readonly istiod: k8s.helm.v3.Release;
  readonly gateway?: k8s.helm.v3.Release;
  /** The `istio-injection=enabled` label on each of `mesh.injectNamespaces`. */
  readonly injectionLabels: k8s.core.v1.NamespacePatch[];

  constructor(name: string, args: IstioArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:mesh:Istio", name, {}, opts);
    const { config } = args;
    const { mesh } = config;
    const systemNamespace = args.systemNamespace.resource.metadata.name;

    this.base = helmRelease(
      ISTIO_BASE_RELEASE,
      {
        chart: MESH_CHARTS.istioBase,
        releaseName: ISTIO_BASE_RELEASE,
        namespace: systemNamespace,
        values: {},
        charts: config.charts,
        images: config.images,
      },
      { parent: this, dependsOn: [...args.systemNamespace.ready] },
    );

    this.istiod = helmRelease(
      ISTIOD_RELEASE,
      {
        chart: MESH_CHARTS.istiod,
        releaseName: ISTIOD_RELEASE,
        namespace: systemNamespace,
        values: istiodValues({
          mesh,
          resources: config.resources,
          ...(args.extensionProviders !== undefined ? { extensionProviders: args.extensionProviders } : {}),
        }),
        charts: config.charts,
        images: config.images,
      },
      { parent: this, dependsOn: [...args.systemNamespace.ready, this.base] },
    );

    if (mesh.gateway.enabled) {
      if (args.gatewayNamespace === undefined) throw new Error("Istio: the gateway needs gatewayNamespace");
      this.gateway = helmRelease(
        ISTIO_GATEWAY_RELEASE,
        {
          chart: MESH_CHARTS.istioGateway,
          releaseName: ISTIO_GATEWAY_RELEASE,
          namespace: args.gatewayNamespace.resource.metadata.name,
          values: istioGatewayValues({ mesh, resources: config.resources }),
          charts: config.charts,
          images: config.images,
        },
        { parent: this, dependsOn: [...args.gatewayNamespace.ready, this.istiod] },
      );
    }

    // A patch, not a Namespace: application namespaces belong to their teams. Destroying the stack
    // removes the label and leaves the namespace (and its workloads) where they are. The label
    // waits for istiod, so no pod is created against an injector that is not there yet.
    this.injectionLabels = mesh.injectNamespaces.map(
      (ns) =>
        new k8s.core.v1.NamespacePatch(
          `${name}-inject-${ns}`,
          { metadata: { name: ns, labels: { ...INJECTION_LABEL } } },
          { parent: this, dependsOn: [this.istiod] },
        ),
    );

    this.registerOutputs({
      base: this.base.name,
      istiod: this.istiod.name,
      gateway: this.gateway?.name,
      injectNamespaces: mesh.injectNamespaces,
    });
  }

  /** What every Istio custom resource depends on: its CRD (base) and the validating webhook (istiod). */
  get customResourceDependencies(): pulumi.Resource[] {
    return [this.base, this.istiod];
  }
}
