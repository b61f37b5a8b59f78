/**
 * A namespaced custom resource as plain data: what the pure builders of every part return, what
 * `k8s.apiextensions.CustomResource` takes and what the tests check against the CRD schemas.
 */
export interface CustomResourceObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: Record<string, unknown>;
}
