import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CustomResourceObject, STACK_LABELS } from "../kit";

export type { CustomResourceObject };

/** Metadata of an object the stack owns: an explicit namespace and the stack's labels. */
export function ownedMetadata(
  name: string,
  namespace: string,
  annotations?: Record<string, string>,
): CustomResourceObject["metadata"] {
  return {
    name,
    namespace,
    labels: { ...STACK_LABELS },
    ...(annotations !== undefined ? { annotations } : {}),
  };
}

/** A Pulumi name unique per kind, namespace and name, as the Kubernetes object itself is. */
export function customResourceName(obj: CustomResourceObject): string {
  return `${obj.kind.toLowerCase()}-${obj.metadata.namespace}-${obj.metadata.name}`;
}

export interface DeclareOptions {
  parent: pulumi.Resource;
  /** What every resource waits for: the release that installs its CRD and the one serving its webhook. */
  dependsOn: pulumi.Resource[];
  /** Namespaces the stack owns, by name: a resource in one of them waits for it too. Defaults to none. */
  namespaces?: Readonly<Record<string, pulumi.Resource>>;
}

/** Declares the object as a CustomResource with its explicit namespace and dependencies. */
export function declareCustomResource(
  obj: CustomResourceObject,
  opts: DeclareOptions,
): k8s.apiextensions.CustomResource {
  const ns = opts.namespaces?.[obj.metadata.namespace];
  return new k8s.apiextensions.CustomResource(
    customResourceName(obj),
    { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata, spec: obj.spec },
    { parent: opts.parent, dependsOn: [...opts.dependsOn, ...(ns !== undefined ? [ns] : [])] },
  );
}

/** Declares each object, all with the same options. */
export function declareCustomResources(
  objects: readonly CustomResourceObject[],
  opts: DeclareOptions,
): k8s.apiextensions.CustomResource[] {
  return objects.map((obj) => declareCustomResource(obj, opts));
}
