import { ContainerId, ContainerResources, ContainerSlot, Sizing, toK8s } from "../kit";

/** The release name, fixed: the chart names its Deployments, Services and webhook after it. */
export const CERT_MANAGER_RELEASE = "cert-manager";
/** The port cert-manager's webhook serves admission reviews on (the chart's `webhook.securePort`). */
export const CERT_MANAGER_WEBHOOK_PORT = 10250;

export interface CertManagerValuesArgs {
  /** The cert-manager namespace, where the leader-election leases go too. */
  namespace: string;
  sizing: Sizing;
  resources: Readonly<Record<ContainerId, ContainerResources>>;
}

/**
 * Values for the cert-manager chart (keys checked against its values.yaml at v1.21.1). The CRDs
 * are templates of this release: installed first with it, upgraded with it, and kept
 * (`helm.sh/resource-policy: keep`) when it goes, since deleting them would delete every
 * Certificate in the cluster.
 */
export function certManagerValues(args: CertManagerValuesArgs): Record<string, unknown> {
  const { resources: res } = args;
  // Two webhook replicas in production: every Certificate and Issuer change is admitted by it.
  const webhookReplicas = args.sizing === "production" ? 2 : 1;
  return {
    crds: { enabled: true, keep: true },
    // Leader election in cert-manager's own namespace, not kube-system.
    global: { leaderElection: { namespace: args.namespace } },
    // A certificate's Secret goes with its Certificate, so destroying the stack leaves no key behind.
    enableCertificateOwnerRef: true,
    replicaCount: 1,
    resources: toK8s(res.certManagerController),
    webhook: {
      replicaCount: webhookReplicas,
      resources: toK8s(res.certManagerWebhook),
      ...(webhookReplicas > 1 ? { podDisruptionBudget: { enabled: true, minAvailable: 1 } } : {}),
    },
    cainjector: { replicaCount: 1, resources: toK8s(res.certManagerCainjector) },
    // A post-install Job that only waits for the webhook; the release's own wait covers that.
    startupapicheck: { enabled: false },
  };
}

export const CERT_MANAGER_CONTAINERS: readonly ContainerSlot[] = [
  { container: "cert-manager controller", resources: "resources", replicas: "replicaCount" },
  { container: "webhook", resources: "webhook.resources", replicas: "webhook.replicaCount" },
  { container: "cainjector", resources: "cainjector.resources", replicas: "cainjector.replicaCount" },
];
