import { PlanDocument, PlanResource } from "./plan";
import { SECRET_PLACEHOLDER } from "./run-program";

/**
 * Which input changes the engine can only carry out by replacing a resource (delete and create),
 * and which resources hold data. Checked against @pulumi/kubernetes 4.34 (provider/pkg/provider:
 * `forceNew` in diff.go, `forceNewFields` of the Helm release's Diff) and the Kubernetes API's
 * immutable fields.
 */

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
export const K8S_PROVIDER = "pulumi:providers:kubernetes";

type Inputs = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function at(value: unknown, path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (!isRecord(v)) return undefined;
    v = v[key];
  }
  return v;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `kubernetes:core/v1:Service` -> `core/v1:Service`; undefined for other packages. */
function k8sKind(type: string): string | undefined {
  return type.startsWith("kubernetes:") ? type.slice("kubernetes:".length) : undefined;
}

/**
 * Fields Kubernetes refuses to change in place, so the only way to apply a change to them is a
 * new object. The first group is what the provider itself forces (diff.go); the rest are fields
 * the API server rejects as immutable, which a `pulumi up` can only carry out as a replacement.
 * Not here, because they are mutable: a Service's `spec.selector` (and its ports), a
 * Deployment's template, a ConfigMap's data when the provider sets `enableConfigMapMutable`.
 */
const IMMUTABLE: Record<string, string[][]> = {
  "core/v1:Service": [
    ["spec", "clusterIP"],
    ["spec", "type"],
  ],
  "core/v1:Secret": [["type"]],
  // Any change to a claim's spec replaces it (the provider forces `.spec`): a claim cannot shrink,
  // change class or access modes, and the provider does not grow it in place either.
  "core/v1:PersistentVolumeClaim": [["spec"]],
  "apps/v1:StatefulSet": [
    ["spec", "selector"],
    ["spec", "serviceName"],
    ["spec", "volumeClaimTemplates"],
    ["spec", "podManagementPolicy"],
  ],
  "apps/v1:Deployment": [["spec", "selector"]],
  "apps/v1:DaemonSet": [["spec", "selector"]],
  "batch/v1:Job": [
    ["spec", "selector"],
    ["spec", "template"],
    ["spec", "completionMode"],
  ],
  "rbac.authorization.k8s.io/v1:RoleBinding": [["roleRef"]],
  "rbac.authorization.k8s.io/v1:ClusterRoleBinding": [["roleRef"]],
  "storage.k8s.io/v1:StorageClass": [["parameters"], ["provisioner"]],
};

/**
 * For a rendered object (`apiVersion`, `kind` and its body): the immutable fields that change.
 * Helm cannot apply such a change: the upgrade fails (this stack's releases are atomic, so it is
 * rolled back) until the object is deleted by hand.
 */
export function immutableFieldChanges(apiVersion: string, kind: string, a: unknown, b: unknown): string[] {
  const group = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  return (IMMUTABLE[`${group}:${kind}`] ?? [])
    .filter((p) => !same(at(a, p), at(b, p)))
    .map((p) => p.join("."));
}

/** Provider settings, read from the plan's provider resource. */
function providerFlag(plan: PlanDocument, provider: string | undefined, key: string): boolean {
  const p = plan.resources.find((r) => r.type === K8S_PROVIDER && r.name === provider);
  const v = p?.inputs[key];
  return v === true || v === "true";
}

/** The reasons a matched resource would be replaced; empty when it is updated in place (or same). */
export function replacementReasons(old: PlanResource, now: PlanResource, headPlan: PlanDocument): string[] {
  const reasons: string[] = [];
  const a: Inputs = old.inputs;
  const b: Inputs = now.inputs;
  if (now.type === K8S_PROVIDER) return providerReplacement(a, b);
  if (now.type === HELM_RELEASE) {
    for (const key of ["name", "namespace"]) {
      if (!same(a[key], b[key])) {
        reasons.push(
          `the release's ${key} changes (${show(a[key])} → ${show(b[key])}): Helm installs a new release`,
        );
      }
    }
    return reasons;
  }
  const kind = k8sKind(now.type);
  if (kind === undefined) {
    if (now.type.startsWith("random:") && !same(a, b)) {
      reasons.push("a generated value's inputs change: @pulumi/random generates a new value");
    }
    return reasons;
  }
  for (const key of ["name", "namespace"]) {
    const before = at(a, ["metadata", key]);
    const after = at(b, ["metadata", key]);
    if (!same(before, after)) reasons.push(`metadata.${key} changes (${show(before)} → ${show(after)})`);
  }
  for (const path of IMMUTABLE[kind] ?? []) {
    const before = at(a, path);
    const after = at(b, path);
    if (!same(before, after)) {
      reasons.push(
        `${path.join(".")} changes, which Kubernetes does not change in place${detail(kind, path, before, after)}`,
      );
    }
  }
  if (kind === "core/v1:ConfigMap" && !providerFlag(headPlan, now.provider, "enableConfigMapMutable")) {
    if (!same(a["data"], b["data"]) || !same(a["binaryData"], b["binaryData"])) {
      reasons.push("its data changes and the provider does not set enableConfigMapMutable");
    }
  }
  if (kind === "core/v1:Secret" && !providerFlag(headPlan, now.provider, "enableSecretMutable")) {
    if (!same(a["data"], b["data"]) || !same(a["stringData"], b["stringData"])) {
      reasons.push("its data changes and the provider does not set enableSecretMutable");
    }
  }
  if ((kind === "core/v1:ConfigMap" || kind === "core/v1:Secret") && a["immutable"] === true && !same(a, b)) {
    reasons.push("it is marked immutable");
  }
  return reasons;
}

function show(v: unknown): string {
  return v === undefined ? "unset" : JSON.stringify(v);
}

/** For a claim, says whether it shrinks: Kubernetes never shrinks a volume. */
function detail(kind: string, path: string[], before: unknown, after: unknown): string {
  if (kind !== "core/v1:PersistentVolumeClaim" || path.join(".") !== "spec") return "";
  const parts: string[] = [];
  const sizeA = at(before, ["resources", "requests", "storage"]);
  const sizeB = at(after, ["resources", "requests", "storage"]);
  if (!same(sizeA, sizeB)) {
    const a = quantityBytes(sizeA);
    const b = quantityBytes(sizeB);
    const way =
      a !== undefined && b !== undefined ? (b < a ? ", it shrinks" : b > a ? ", it grows" : "") : "";
    parts.push(`size ${show(sizeA)} → ${show(sizeB)}${way}`);
  }
  const classA = at(before, ["storageClassName"]);
  const classB = at(after, ["storageClassName"]);
  if (!same(classA, classB)) parts.push(`storageClassName ${show(classA)} → ${show(classB)}`);
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}

const UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

function quantityBytes(q: unknown): number | undefined {
  if (typeof q !== "string") return undefined;
  const m = /^(\d+(?:\.\d+)?)([kMGT]i?)?$/.exec(q);
  if (m === null) return undefined;
  const unit = UNITS[m[2] ?? ""];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/**
 * The Kubernetes provider resource (its DiffConfig, checked against the provider's own tests):
 * with `clusterIdentifier` on both sides, only a change of it replaces the provider (and with it
 * every object it manages); adding or removing it is an update. Otherwise the provider's
 * heuristics replace it when the cluster it points at (kubeconfig, context, cluster) may differ;
 * offline, a change of any of them counts.
 */
function providerReplacement(a: Inputs, b: Inputs): string[] {
  if (a["clusterIdentifier"] !== undefined && b["clusterIdentifier"] !== undefined) {
    return same(a["clusterIdentifier"], b["clusterIdentifier"])
      ? []
      : [
          `clusterIdentifier changes (${show(a["clusterIdentifier"])} → ${show(b["clusterIdentifier"])}): another cluster`,
        ];
  }
  return ["kubeconfig", "context", "cluster"]
    .filter((k) => !same(a[k], b[k]))
    .map((k) => `${k} changes (${show(a[k])} → ${show(b[k])}): the provider treats it as another cluster`);
}

/** Paths in Helm values that ask for persistent volumes, e.g. `singleBinary.persistence`. */
export function persistentValuePaths(values: unknown, path = ""): string[] {
  const out: string[] = [];
  if (Array.isArray(values)) {
    values.forEach((v, i) => out.push(...persistentValuePaths(v, `${path}[${String(i)}]`)));
  } else if (isRecord(values)) {
    for (const [k, v] of Object.entries(values)) {
      const here = path === "" ? k : `${path}.${k}`;
      if (k === "persistence" && isRecord(v) && v["enabled"] !== false) out.push(here);
      else if ((k === "volumeClaimTemplate" || k === "volumeClaimTemplates") && v !== undefined)
        out.push(here);
      else out.push(...persistentValuePaths(v, here));
    }
  }
  return out;
}

/** The namespace a resource lives in, if any. */
export function namespaceOf(r: PlanResource): string | undefined {
  const ns = r.type === HELM_RELEASE ? r.inputs["namespace"] : at(r.inputs, ["metadata", "namespace"]);
  return typeof ns === "string" ? ns : undefined;
}

/** Why a resource holds data that a delete or a replacement loses; undefined when it holds none. */
export function dataHeld(r: PlanResource, plan: PlanDocument): string | undefined {
  switch (r.type) {
    case "kubernetes:core/v1:PersistentVolumeClaim":
      return "a volume claim: deleting it deletes its volume (with the usual Delete reclaim policy)";
    case "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch":
      return "an Elasticsearch cluster: ECK deletes its volume claims with it";
    case "random:index/randomPassword:RandomPassword":
      return "a generated password: a new one locks out every client that has the old one";
    case HELM_RELEASE: {
      const paths = persistentValuePaths(r.inputs["values"]);
      return paths.length > 0 ? `a Helm release with persistent volumes (${paths.join(", ")})` : undefined;
    }
    case "kubernetes:core/v1:Secret": {
      const generated = plan.resources.some(
        (p) => p.type === "random:index/randomPassword:RandomPassword" && p.parent === r.parent,
      );
      return generated && r.inputs["stringData"] === SECRET_PLACEHOLDER
        ? "a Secret with a generated password: its replacement starts from a new password"
        : undefined;
    }
    case "kubernetes:core/v1:Namespace": {
      const name = at(r.inputs, ["metadata", "name"]);
      const holders = plan.resources.filter(
        (p) =>
          p.type !== "kubernetes:core/v1:Namespace" &&
          namespaceOf(p) === name &&
          dataHeld(p, plan) !== undefined,
      );
      return holders.length > 0
        ? `a namespace that holds data (${holders.map((h) => h.name).join(", ")}): deleting it deletes everything in it`
        : undefined;
    }
    default:
      return undefined;
  }
}
