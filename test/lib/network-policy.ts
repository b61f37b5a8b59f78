/**
 * A small NetworkPolicy evaluator with the Kubernetes semantics the stack relies on: a pod that
 * some policy with policyType Ingress selects is isolated, and then takes a connection only when
 * an ingress rule of a policy selecting it matches both the source and the port. Namespaces carry
 * only their `kubernetes.io/metadata.name` label here.
 */

export interface Pod {
  /** A name for messages. */
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

/** Where a connection comes from: a pod, or an address outside every pod (the API server, a load balancer). */
export type Source = Pod | "outside";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function matches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isObj(selector)) return false;
  const ml = isObj(selector["matchLabels"]) ? selector["matchLabels"] : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  const exprs = Array.isArray(selector["matchExpressions"]) ? (selector["matchExpressions"] as Obj[]) : [];
  for (const e of exprs) {
    const key = String(e["key"]);
    const values = (e["values"] as string[] | undefined) ?? [];
    const has = key in labels;
    switch (e["operator"]) {
      case "In":
        if (!has || !values.includes(labels[key] ?? "")) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key] ?? "")) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        throw new Error(`unknown operator ${String(e["operator"])}`);
    }
  }
  return true;
}

function peerMatches(peer: Obj, policyNamespace: string, src: Source): boolean {
  if (src === "outside") return isObj(peer["ipBlock"]);
  if (isObj(peer["ipBlock"])) return false;
  const nsSel = peer["namespaceSelector"];
  const podSel = peer["podSelector"];
  const nsOk =
    nsSel === undefined
      ? src.namespace === policyNamespace
      : matches(nsSel, { "kubernetes.io/metadata.name": src.namespace });
  const podOk = podSel === undefined ? true : matches(podSel, src.labels);
  return nsOk && podOk;
}

/** Whether the policy applies to the pod: same namespace, and its pod selector matches. */
export function selects(policy: Obj, pod: Pod): boolean {
  return (
    (policy["metadata"] as Obj)["namespace"] === pod.namespace &&
    matches((policy["spec"] as Obj)["podSelector"], pod.labels)
  );
}

/** Whether the policies let `src` open a connection to `dst` on the port. */
export function allowed(
  policies: readonly Obj[],
  src: Source,
  dst: Pod,
  port: number,
  protocol: "TCP" | "UDP",
): boolean {
  const selecting = policies.filter((p) => {
    const meta = p["metadata"] as Obj;
    const spec = p["spec"] as Obj;
    const types = (spec["policyTypes"] as string[] | undefined) ?? ["Ingress"];
    return (
      meta["namespace"] === dst.namespace &&
      types.includes("Ingress") &&
      matches(spec["podSelector"], dst.labels)
    );
  });
  if (selecting.length === 0) return true;
  return selecting.some((p) => {
    const ns = String((p["metadata"] as Obj)["namespace"]);
    const rules = ((p["spec"] as Obj)["ingress"] as Obj[] | undefined) ?? [];
    return rules.some((r) => {
      const ports = r["ports"] as Obj[] | undefined;
      const portOk =
        ports === undefined ||
        ports.some(
          (pp) => (pp["port"] === undefined || pp["port"] === port) && (pp["protocol"] ?? "TCP") === protocol,
        );
      const from = r["from"] as Obj[] | undefined;
      const fromOk = from === undefined || from.some((peer) => peerMatches(peer, ns, src));
      return portOk && fromOk;
    });
  });
}

/** One required flow: from a pod, from any pod in any namespace, or from anywhere (pods and outside). */
export interface RequiredFlow {
  from: Pod | "any pod" | "anywhere";
  to: Pod;
  port: number;
  protocol?: "UDP";
}

function describe(src: Source): string {
  return src === "outside" ? "outside" : `${src.namespace}/${src.name}`;
}

/**
 * Every difference between what the policies allow and the table: each required flow that is
 * denied ("missing: ..."), and each connection between the known pods (plus an application pod
 * and the outside) on any port the table or the policies name that is allowed but not required
 * ("extra: ..."). Empty when the policies open exactly the table.
 */
export function discrepancies(
  policies: readonly Obj[],
  pods: readonly Pod[],
  table: readonly RequiredFlow[],
  appPod: Pod,
): string[] {
  const out: string[] = [];
  const sources: Source[] = [...pods, appPod, "outside"];
  const required = (src: Source, dst: Pod, port: number, protocol: "TCP" | "UDP") =>
    table.some(
      (f) =>
        f.to === dst &&
        f.port === port &&
        (f.protocol ?? "TCP") === protocol &&
        (f.from === "anywhere" || (f.from === "any pod" ? src !== "outside" : f.from === src)),
    );
  const ports = new Set<string>(table.map((f) => `${f.port}/${f.protocol ?? "TCP"}`));
  for (const p of policies) {
    for (const r of ((p["spec"] as Obj)["ingress"] as Obj[] | undefined) ?? []) {
      for (const pp of (r["ports"] as Obj[] | undefined) ?? []) {
        ports.add(`${Number(pp["port"])}/${pp["protocol"] === "UDP" ? "UDP" : "TCP"}`);
      }
    }
  }
  for (const dst of pods) {
    for (const key of [...ports].sort()) {
      const [portText, proto] = key.split("/");
      const port = Number(portText);
      const protocol = proto === "UDP" ? "UDP" : "TCP";
      for (const src of sources) {
        const want = required(src, dst, port, protocol);
        const got = allowed(policies, src, dst, port, protocol);
        if (want && !got) out.push(`missing: ${describe(src)} -> ${dst.namespace}/${dst.name} ${key}`);
        if (got && !want) out.push(`extra: ${describe(src)} -> ${dst.namespace}/${dst.name} ${key}`);
      }
    }
  }
  return out;
}
