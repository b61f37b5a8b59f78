import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Fields, Flow, FlowSource, Infer, KeyDeclaration, PodGroup, STACK_LABELS } from "../kit";

/** The label Kubernetes puts on every namespace, with the namespace's name. */
const NAMESPACE_NAME = "kubernetes.io/metadata.name";
export const DEFAULT_DENY_POLICY = "default-deny-ingress";
/** The annotation that says, on each ingress rule's policy, why its flows are allowed. */
export const FLOWS_ANNOTATION = "observability-stack/flows";

type NetworkPolicy = k8s.types.input.networking.v1.NetworkPolicy;

export const NETWORK_POLICIES_FIELDS = {
  enabled: {
    kind: "boolean",
    default: true,
    description:
      "Deny every ingress into the stack's namespaces but the flows the stack needs (each part lists its own in its network code). Needs a CNI that enforces NetworkPolicy: kind's kindnet does since kind v0.24.0 (docs/air-gapped.md).",
  },
} as const satisfies Fields;

/** Kubernetes NetworkPolicies in the stack's namespaces. */
export type NetworkPoliciesConfig = Infer<typeof NETWORK_POLICIES_FIELDS>;

export const NETWORK_POLICIES_KEY: KeyDeclaration = {
  kind: "object",
  description: "Default-deny ingress in every namespace the stack owns, plus exactly the flows it needs.",
  fields: NETWORK_POLICIES_FIELDS,
};

type Obj = Record<string, unknown>;

function podSelector(group: PodGroup): Obj {
  return {
    matchLabels: { ...group.labels },
    ...(group.oneOf !== undefined
      ? { matchExpressions: [{ key: group.oneOf.key, operator: "In", values: [...group.oneOf.values] }] }
      : {}),
  };
}

/** The `from` peers of a flow's source; undefined for any address (a rule without `from`). */
function peers(source: FlowSource): Obj[] | undefined {
  if ("anywhere" in source) return undefined;
  if ("anyPod" in source) return [{ namespaceSelector: {} }];
  return [
    {
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: source.pods.namespace } },
      podSelector: podSelector(source.pods),
    },
  ];
}

/** Denies all ingress to every pod of the namespace that no other policy allows. */
export function defaultDenyPolicy(namespace: string): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: DEFAULT_DENY_POLICY, namespace, labels: { ...STACK_LABELS } },
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
  };
}

/**
 * The NetworkPolicies of a set of flows: per namespace the default deny, and per receiving pod
 * group one `allow-<group>` policy with one ingress rule per flow into it. Sorted by namespace and
 * name, so the same flows give the same objects in the same order.
 */
export function networkPolicyManifests(
  namespaces: readonly string[],
  flows: readonly Flow[],
): NetworkPolicy[] {
  const byTarget = new Map<string, { group: PodGroup; flows: Flow[] }>();
  for (const f of flows) {
    if (!namespaces.includes(f.to.namespace)) {
      throw new Error(`flow to ${f.to.name} in namespace ${f.to.namespace}, which the stack does not own`);
    }
    const key = `${f.to.namespace}/${f.to.name}`;
    const entry = byTarget.get(key) ?? { group: f.to, flows: [] };
    entry.flows.push(f);
    byTarget.set(key, entry);
  }
  const allows = [...byTarget.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { group, flows: into }]): NetworkPolicy => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: {
        name: `allow-${group.name}`,
        namespace: group.namespace,
        labels: { ...STACK_LABELS },
        annotations: { [FLOWS_ANNOTATION]: into.map((f) => f.why).join("; ") },
      },
      spec: {
        podSelector: podSelector(group),
        policyTypes: ["Ingress"],
        ingress: into.map((f) => {
          const from = peers(f.from);
          return {
            ...(from !== undefined ? { from } : {}),
            ports: f.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" })),
          };
        }),
      },
    }));
  return [...[...namespaces].sort().map(defaultDenyPolicy), ...allows];
}

export interface NetworkPoliciesArgs {
  /** The stack's namespaces, each with its Namespace resource. */
  namespaces: ReadonlyMap<string, k8s.core.v1.Namespace>;
  /** The flows to allow (stackFlows). */
  flows: readonly Flow[];
}

/**
 * Default-deny ingress in every namespace the stack owns, and exactly the flows the stack needs.
 * Istio's AuthorizationPolicies cover meshed pods only; these cover every pod, meshed or not.
 */
export class NetworkPolicies extends pulumi.ComponentResource {
  readonly policies: k8s.networking.v1.NetworkPolicy[];

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:core:NetworkPolicies", name, {}, opts);
    const manifests = networkPolicyManifests([...args.namespaces.keys()], args.flows);
    this.policies = manifests.map((m) => {
      const meta = m.metadata as { name: string; namespace: string };
      const ns = args.namespaces.get(meta.namespace);
      return new k8s.networking.v1.NetworkPolicy(`${name}-${meta.namespace}-${meta.name}`, m, {
        parent: this,
        ...(ns !== undefined ? { dependsOn: [ns] } : {}),
      });
    });
    this.registerOutputs({ policies: manifests.length });
  }
}
