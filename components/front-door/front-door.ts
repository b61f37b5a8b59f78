import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmRelease, OwnedNamespace, PlatformConfig } from "../kit";
import { declareCustomResource } from "../mesh";
import { FRONT_DOOR_CHARTS } from "./charts";
import { CERT_MANAGER_RELEASE, certManagerValues } from "./cert-manager-values";
import { FrontDoorRunning } from "./config";
import { FrontDoorObject, gatewayCertificate, issuerManifests, routeManifests } from "./manifests";
import { FrontDoorUi } from "./uis";

export interface FrontDoorArgs {
  /** cert-manager's namespace (its release, the CA and the ACME account key). */
  certManagerNamespace: OwnedNamespace;
  /** The ingress gateway's namespace: the certificate's Secret, the Gateway and the routes. */
  gatewayNamespace: OwnedNamespace;
  /** Labels of the ingress gateway's pods. */
  gatewaySelector: Readonly<Record<string, string>>;
  /** What every Istio resource waits for: the Istio CRDs and validating webhook releases. */
  istio: pulumi.Resource[];
  /** The UIs that run, each with its host. */
  uis: readonly FrontDoorUi[];
  /** The stack config; this component reads charts, images, resources, sizing and the front door. */
  config: Pick<PlatformConfig, "charts" | "images" | "resources" | "sizing">;
  frontDoor: FrontDoorRunning;
}

/**
 * The front door: cert-manager (its CRDs inside its release), the ClusterIssuer the stack config
 * asks for, one certificate for every UI's host, and the gateway's HTTPS server with a route per
 * UI and the redirect from HTTP.
 */
export class FrontDoor extends pulumi.ComponentResource {
  /** cert-manager: its CRDs, controller and the admission webhook every Issuer and Certificate passes. */
  readonly certManager: k8s.helm.v3.Release;
  readonly issuers: k8s.apiextensions.CustomResource[];
  readonly certificate: k8s.apiextensions.CustomResource;
  readonly routes: k8s.apiextensions.CustomResource[];

  constructor(name: string, args: FrontDoorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:front-door:FrontDoor", name, {}, opts);
    const { config } = args;
    const cmNamespace = args.certManagerNamespace.name;
    const gatewayNamespace = args.gatewayNamespace.name;

    this.certManager = helmRelease(
      CERT_MANAGER_RELEASE,
      {
        chart: FRONT_DOOR_CHARTS.certManager,
        releaseName: CERT_MANAGER_RELEASE,
        namespace: args.certManagerNamespace.resource.metadata.name,
        values: certManagerValues({
          namespace: cmNamespace,
          sizing: config.sizing,
          resources: config.resources,
        }),
        charts: config.charts,
        images: config.images,
      },
      { parent: this, dependsOn: [...args.certManagerNamespace.ready] },
    );

    // Each issuer waits for the one it chains from, and all for the release (CRDs and webhook).
    const declare = (obj: FrontDoorObject, after: pulumi.Resource[]) =>
      new k8s.apiextensions.CustomResource(
        // As the mesh names its custom resources: unique per kind, namespace and name.
        [obj.kind.toLowerCase(), obj.metadata.namespace, obj.metadata.name]
          .filter((p) => p !== undefined)
          .join("-"),
        { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata, spec: obj.spec },
        { parent: this, dependsOn: after },
      );
    this.issuers = [];
    for (const obj of issuerManifests(args.frontDoor.signer, cmNamespace, config.images.pullSecrets)) {
      const previous = this.issuers[this.issuers.length - 1];
      this.issuers.push(
        declare(obj, [
          this.certManager,
          ...args.certManagerNamespace.ready,
          ...(previous !== undefined ? [previous] : []),
        ]),
      );
    }
    this.certificate = declare(gatewayCertificate(args.uis, gatewayNamespace), [
      this.certManager,
      ...args.gatewayNamespace.ready,
      ...this.issuers,
    ]);

    this.routes = routeManifests({
      uis: args.uis,
      gatewayNamespace,
      gatewaySelector: args.gatewaySelector,
    }).map((obj) =>
      declareCustomResource(obj, {
        parent: this,
        dependsOn: [...args.istio, ...args.gatewayNamespace.ready],
      }),
    );

    this.registerOutputs({
      certManager: this.certManager.name,
      hosts: args.uis.map((ui) => ui.host),
    });
  }
}
