import { parse, stringify } from "yaml";
import { canonical, PlanDocument, PlanResource } from "./plan";
import { dataHeld, immutableFieldChanges, replacementReasons } from "./replacements";
import type { RenderedObject } from "./render";
import { SECRET_PLACEHOLDER } from "./run-program";
import { createUrn, matchUrns, NewResource } from "./urn";
import { CrdChange, crdChangeLines } from "./crd-diff";

/**
 * The difference between two offline plans of one stack, resource by resource. Pure: the same
 * two plans give the same diff and the renderers print the same bytes.
 *
 * Secrets: the plans hold "[secret]" in place of every secret value, so a secret whose value
 * changed looks the same on both sides and does not appear here. Where a value is secret on one
 * side only, the other side's plain value is hidden too. Changed `secure:` values in the stack
 * file are listed by key (see secretConfigChanges), never with their values.
 */
export interface PlanDiff {
  stack: string;
  /** What the plan was built from, e.g. "main (0b886b0)". */
  base: string;
  head: string;
  /** True when the two plans and the stack file's secure values are the same. */
  identical: boolean;
  /**
   * What the engine would replace or delete, base order: first in both renderings, and the
   * part a reviewer must not miss. Resources that hold data say so.
   */
  replaceOrDelete: Hazard[];
  /** True when a resource that holds data would be replaced, or deleted without being retained. */
  dataAtRisk: boolean;
  added: AddedResource[];
  removed: ResourceRef[];
  changed: ResourceChange[];
  /** Stack outputs that differ. */
  outputs: ValueChange[];
  secretConfig: SecretConfigChange[];
  /**
   * With `--render`: the CustomResourceDefinitions the releases render that change (served
   * versions, fields), listed before anything else the charts render.
   */
  crds?: CrdChange[];
}

export interface ResourceRef {
  /** The URN in the head plan (in the base plan for a removed resource). */
  urn: string;
  type: string;
  name: string;
  /** For a Helm release: which chart, where. */
  release?: ReleaseSummary;
}

export interface ReleaseSummary {
  name: string;
  namespace: string;
  chart: string;
  version: string;
  repo?: string;
}

export interface AddedResource extends ResourceRef {
  /** The base URN this resource takes over, when it is the same object under a new URN. */
  replaces?: string;
  /** The resource's inputs as the plan shows them (secrets as "[secret]"). */
  inputs: Record<string, unknown>;
}

/** A resource the engine would replace (delete and create) or delete. */
export interface Hazard {
  action: "replace" | "delete";
  /** Its URN in the base plan: what exists in the stack's state now. */
  urn: string;
  type: string;
  name: string;
  /** For a resource whose URN changed without an alias: the URN created in its place. */
  newUrn?: string;
  /** Why the engine does this, one line each. */
  reasons: string[];
  /** Why it holds data, when it does. */
  data?: string;
  /** `retainOnDelete` in the base plan: the delete leaves the object in the cluster. */
  retained: boolean;
  /** `protect` in the base plan: the engine refuses the delete and the update fails. */
  protected: boolean;
}

export interface ResourceChange extends ResourceRef {
  /** The URN it had in the base plan, when the engine finds it there through an alias. */
  previousUrn?: string;
  /** A chart version bump of a Helm release, reported on its own. */
  chartVersion?: { old: string; new: string };
  /** Changed Helm values, paths relative to the release's values. */
  values: ValueChange[];
  /** Changed inputs, paths relative to the inputs; a release's values and version are above. */
  inputs: ValueChange[];
  /** Changed parent, dependsOn, provider, protect or retainOnDelete. */
  options: ValueChange[];
  /** With `--render`, for a release: the Kubernetes objects its chart renders that change. */
  objects?: ObjectChange[];
  /** With `--render`: why the release could not be rendered. */
  renderError?: string;
}

/** A Kubernetes object rendered from a release's chart that appears, goes or changes. */
export interface ObjectChange {
  /** `apps/v1 StatefulSet logging/loki`. */
  id: string;
  change: "added" | "removed" | "changed";
  /** The changed fields of a changed object. */
  fields: ValueChange[];
  /** What the cluster will make of it: an immutable field that changes, a claim that goes. */
  warnings: string[];
}

/** The objects that differ between two renderings of a release, by id. */
export function diffRendered(base: RenderedObject[], head: RenderedObject[]): ObjectChange[] {
  const before = new Map(base.map((o) => [o.id, o]));
  const after = new Map(head.map((o) => [o.id, o]));
  const out: ObjectChange[] = [];
  for (const o of base) {
    if (after.has(o.id)) continue;
    const warnings =
      o.kind === "PersistentVolumeClaim" ? ["Helm deletes this claim, and with it its volume's data"] : [];
    out.push({ id: o.id, change: "removed", fields: [], warnings });
  }
  for (const o of head) {
    const old = before.get(o.id);
    if (old === undefined) {
      out.push({ id: o.id, change: "added", fields: [], warnings: [] });
      continue;
    }
    const fields = diffValues(old.body, o.body);
    if (fields.length === 0) continue;
    const warnings = immutableFieldChanges(String(o.body["apiVersion"]), o.kind, old.body, o.body).map(
      (f) =>
        `${f} changes, which Kubernetes does not change in place: the Helm upgrade fails (and is rolled back)`,
    );
    out.push({ id: o.id, change: "changed", fields, warnings });
  }
  return out;
}

export interface ValueChange {
  /** `a.b[0]["app.kubernetes.io/name"]`; empty for the whole value. */
  path: string;
  kind: "added" | "removed" | "changed";
  old?: unknown;
  new?: unknown;
}

export interface SecretConfigChange {
  /** The config key path in the stack file, e.g. `grafanaAdminPassword`. */
  key: string;
  kind: "added" | "removed" | "changed";
}

export interface DiffLabels {
  /** Defaults to "base". */
  base?: string;
  /** Defaults to "head". */
  head?: string;
  /** Changed `secure:` values of the stack file. Defaults to none. */
  secretConfig?: SecretConfigChange[];
}

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** Shown in place of a plain value whose other side is a secret: it may be the secret itself. */
export const HIDDEN_PLAIN = "[hidden: secret on the other side]";

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return Array.isArray(v) ? v.length > 0 : isRecord(v) && Object.keys(v).length > 0;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (PLAIN_KEY.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Every leaf of a value (scalars and empty containers) with its path. */
function leaves(value: unknown, at: string, out: [string, unknown][]): void {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => {
      leaves(v, childPath(at, i), out);
    });
  } else if (isRecord(value) && Object.keys(value).length > 0) {
    for (const k of Object.keys(value).sort()) leaves(value[k], childPath(at, k), out);
  } else {
    out.push([at, value]);
  }
}

function added(value: unknown, at: string, out: ValueChange[]): void {
  const found: [string, unknown][] = [];
  leaves(value, at, found);
  for (const [path, v] of found) out.push({ path, kind: "added", new: v });
}

function removed(value: unknown, at: string, out: ValueChange[]): void {
  const found: [string, unknown][] = [];
  leaves(value, at, found);
  for (const [path, v] of found) out.push({ path, kind: "removed", old: v });
}

/**
 * The leaf-level changes from `a` to `b`, in path order. Objects are compared key by key and
 * arrays index by index; a subtree that appears or goes is listed leaf by leaf. A string that
 * holds a JSON document on both sides (a Grafana dashboard in a ConfigMap) is compared as that
 * document (see walkJson), so one changed query is one line, not two copies of the whole string.
 */
export function diffValues(a: unknown, b: unknown, at = ""): ValueChange[] {
  const out: ValueChange[] = [];
  walk(a, b, at, out, false);
  return out;
}

/** A JSON object or array held in a string; undefined for anything else. */
function jsonDocument(v: unknown): Record<string, unknown> | unknown[] | undefined {
  if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return undefined;
  try {
    const parsed = JSON.parse(v) as unknown;
    return isRecord(parsed) || Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Keys that name an element of a list in a JSON document, best first: a panel's title, a variable's name, a query's refId. */
const ELEMENT_KEYS = ["title", "name", "refId", "uid", "id"] as const;

/** The key every element of both lists has, with values unique within each list; undefined if none. */
function elementKey(a: unknown[], b: unknown[]): string | undefined {
  for (const key of ELEMENT_KEYS) {
    const ok = [a, b].every((list) => {
      const values = list.map((e) => (isRecord(e) ? e[key] : undefined));
      return (
        values.every((v) => typeof v === "string" || typeof v === "number") &&
        new Set(values).size === values.length
      );
    });
    if (ok) return key;
  }
  return undefined;
}

/** `panels[title="Errors"]`; an element matched by another key also shows its title, when it has one. */
function keyedPath(at: string, key: string, element: unknown): string {
  const e = element as Record<string, unknown>;
  const title =
    key !== "title" && typeof e["title"] === "string" ? ` title=${JSON.stringify(e["title"])}` : "";
  return `${at}[${key}=${JSON.stringify(e[key])}${title}]`;
}

/**
 * Inside a JSON document, lists of objects are matched by a naming key (ELEMENT_KEYS) rather than
 * by position, so a panel inserted above does not make every later panel look changed, and the
 * path names the panel: `panels[title="Error rate"].targets[refId="A"].expr`.
 */
function walkJsonList(a: unknown[], b: unknown[], at: string, out: ValueChange[]): boolean {
  const key = elementKey(a, b);
  if (key === undefined) return false;
  const name = (e: unknown) => (e as Record<string, unknown>)[key];
  const before = new Map(a.map((e) => [name(e), e]));
  const after = new Map(b.map((e) => [name(e), e]));
  for (const e of a) if (!after.has(name(e))) removed(e, keyedPath(at, key, e), out);
  for (const e of b) walk(before.get(name(e)), e, keyedPath(at, key, e), out, true);
  const order = (list: unknown[], other: Map<unknown, unknown>) => list.map(name).filter((n) => other.has(n));
  const orderA = order(a, after);
  const orderB = order(b, before);
  if (!deepEqual(orderA, orderB))
    out.push({ path: `${at} (order)`, kind: "changed", old: orderA, new: orderB });
  return true;
}

function walk(a: unknown, b: unknown, at: string, out: ValueChange[], inJson: boolean): void {
  if (deepEqual(a, b)) return;
  if (a === undefined) {
    added(b, at, out);
    return;
  }
  if (b === undefined) {
    removed(a, at, out);
    return;
  }
  // A value that is secret on one side: one entry, and the plain side is not shown either.
  if (a === SECRET_PLACEHOLDER || b === SECRET_PLACEHOLDER) {
    out.push({
      path: at,
      kind: "changed",
      old: a === SECRET_PLACEHOLDER ? a : HIDDEN_PLAIN,
      new: b === SECRET_PLACEHOLDER ? b : HIDDEN_PLAIN,
    });
    return;
  }
  const docA = jsonDocument(a);
  const docB = jsonDocument(b);
  if (docA !== undefined && docB !== undefined) {
    walk(docA, docB, `${at} (JSON)`, out, true);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], childPath(at, k), out, inJson);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (inJson && walkJsonList(a, b, at, out)) return;
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], childPath(at, i), out, inJson);
    return;
  }
  if (isContainer(a) || isContainer(b)) {
    // A change of shape (object to scalar, list to object): what went, then what came.
    removed(a, at, out);
    added(b, at, out);
    return;
  }
  out.push({ path: at, kind: "changed", old: a, new: b });
}

function releaseSummary(r: PlanResource): ReleaseSummary | undefined {
  if (r.type !== HELM_RELEASE) return undefined;
  const i = r.inputs;
  const repo = (i["repositoryOpts"] as { repo?: unknown } | undefined)?.repo;
  return {
    name: String(i["name"]),
    namespace: String(i["namespace"]),
    chart: String(i["chart"]),
    version: String(i["version"]),
    ...(typeof repo === "string" ? { repo } : {}),
  };
}

/** A plan resource with its URN, computed from its parents when the plan predates recorded URNs. */
type Located = PlanResource & { urn: string };

function ref(r: Located): ResourceRef {
  const release = releaseSummary(r);
  return { urn: r.urn, type: r.type, name: r.name, ...(release !== undefined ? { release } : {}) };
}

/**
 * Every resource of a plan with its URN. A plan made before URNs were recorded names parents
 * only: their URNs are computed the engine's way (see urn.ts), a parent before its children.
 */
/** Located resources as the URN matcher takes them: each with its parent's URN and its aliases. */
export function asNewResources(located: readonly Located[]): NewResource[] {
  return located.map((r) => {
    const parentUrn = r.parent === undefined ? undefined : located.find((p) => p.name === r.parent)?.urn;
    return {
      urn: r.urn,
      type: r.type,
      name: r.name,
      ...(parentUrn !== undefined ? { parentUrn } : {}),
      aliases: r.aliases ?? [],
    };
  });
}

export function locate(plan: PlanDocument, project: string, side: string): Located[] {
  const byName = new Map<string, Located>();
  const out: Located[] = [];
  const seen = new Set<string>();
  for (const r of plan.resources) {
    let urn = r.urn;
    if (urn === undefined) {
      // A parent the plan does not declare (a hand-made plan) counts as the stack: both sides
      // compute the same URN for it, which is all the matching needs.
      const parent = r.parent === undefined ? undefined : byName.get(r.parent);
      urn = createUrn(plan.stack, project, parent?.urn, r.type, r.name);
    }
    if (seen.has(urn)) throw new Error(`the ${side} plan declares ${r.type} ${r.name} twice`);
    seen.add(urn);
    const located = { ...r, urn };
    byName.set(r.name, located);
    out.push(located);
  }
  return out;
}

/** The same Kubernetes object or Helm release: kind and where it lives, whatever its URN. */
function objectKey(r: PlanResource): string | undefined {
  if (r.type === HELM_RELEASE)
    return `${r.type}|${String(r.inputs["namespace"])}|${String(r.inputs["name"])}`;
  const meta = r.inputs["metadata"];
  if (!r.type.startsWith("kubernetes:") || !isRecord(meta) || typeof meta["name"] !== "string")
    return undefined;
  const namespace = typeof meta["namespace"] === "string" ? meta["namespace"] : "";
  return `${r.type}|${namespace}|${meta["name"]}`;
}

function diffResource(a: Located, b: Located): ResourceChange | undefined {
  const options = [
    ...diffValues(a.parent, b.parent, "parent"),
    ...diffDependsOn(a.dependsOn, b.dependsOn),
    ...diffValues(a.provider, b.provider, "provider"),
    ...diffValues(a.protect, b.protect, "protect"),
    ...diffValues(a.retainOnDelete, b.retainOnDelete, "retainOnDelete"),
  ];
  let values: ValueChange[] = [];
  let chartVersion: { old: string; new: string } | undefined;
  let inputs: ValueChange[];
  if (a.type === HELM_RELEASE) {
    const { values: va, version: ra, ...restA } = a.inputs;
    const { values: vb, version: rb, ...restB } = b.inputs;
    values = diffValues(va ?? {}, vb ?? {});
    if (!deepEqual(ra, rb)) chartVersion = { old: String(ra), new: String(rb) };
    inputs = diffValues(restA, restB);
  } else {
    inputs = diffValues(a.inputs, b.inputs);
  }
  const moved = a.urn !== b.urn;
  if (options.length + values.length + inputs.length === 0 && chartVersion === undefined && !moved)
    return undefined;
  return {
    ...ref(b),
    ...(moved ? { previousUrn: a.urn } : {}),
    ...(chartVersion !== undefined ? { chartVersion } : {}),
    values,
    inputs,
    options,
  };
}

/** dependsOn is a list whose order carries no meaning: compared as a whole, sorted. */
function diffDependsOn(a: string[], b: string[]): ValueChange[] {
  const sa = [...a].sort();
  const sb = [...b].sort();
  return deepEqual(sa, sb) ? [] : [{ path: "dependsOn", kind: "changed", old: sa, new: sb }];
}

/**
 * What changes from the base plan to the head plan, matched by URN as the engine matches them:
 * a head resource takes over the base resource with its URN or, failing that, with one of its
 * aliases (its own, then those inherited from a parent found through an alias). Added resources
 * are in head order, removed ones in base order, changed ones in head order; replaceOrDelete lists
 * what the engine would replace or delete, in base order.
 */
export function diffPlans(base: PlanDocument, head: PlanDocument, labels: DiffLabels = {}): PlanDiff {
  if (base.stack !== head.stack) {
    throw new Error(`cannot diff plans of different stacks: ${base.stack} and ${head.stack}`);
  }
  const project = head.project ?? base.project ?? "observability";
  const before = locate(base, project, "base");
  const after = locate(head, project, "head");
  const byUrn = new Map(before.map((r) => [r.urn, r]));
  const matches = matchUrns(head.stack, project, new Set(byUrn.keys()), asNewResources(after));
  const taken = new Set<string>();
  const pairs: [Located | undefined, Located][] = after.map((r, i) => {
    const old = matches[i]?.old;
    if (old !== undefined) taken.add(old);
    return [old === undefined ? undefined : byUrn.get(old), r];
  });
  const gone = before.filter((r) => !taken.has(r.urn));
  // A base resource that is gone and a head resource that is new for the same object: the URN
  // changed without an alias, and the engine creates the new one before it deletes the old one.
  const newByObject = new Map<string, Located>();
  for (const [old, r] of pairs) {
    const key = objectKey(r);
    if (old === undefined && key !== undefined) newByObject.set(key, r);
  }
  // Without a Kubernetes identity (a component, a generated password): the same name, whatever
  // its type or parents now are.
  const sameName = (r: Located) => pairs.find(([old, n]) => old === undefined && n.name === r.name)?.[1];
  const successor = new Map<string, Located>();
  for (const r of gone) {
    const key = objectKey(r);
    const next = (key !== undefined ? newByObject.get(key) : undefined) ?? sameName(r);
    if (next !== undefined) successor.set(r.urn, next);
  }
  const predecessor = new Map([...successor].map(([oldUrn, r]) => [r.urn, oldUrn]));

  const addedResources: AddedResource[] = [];
  const changed: ResourceChange[] = [];
  const replaced = new Map<string, Hazard>();
  for (const [old, r] of pairs) {
    if (old === undefined) {
      const was = predecessor.get(r.urn);
      addedResources.push({
        ...ref(r),
        ...(was !== undefined ? { replaces: was } : {}),
        inputs: canonical(r.inputs) as Record<string, unknown>,
      });
      continue;
    }
    const change = diffResource(old, r);
    if (change !== undefined) changed.push(change);
    const reasons = replacementReasons(old, r, head);
    if (reasons.length > 0) replaced.set(old.urn, hazard("replace", old, reasons, base, head));
  }
  // Every resource of a replaced provider is replaced with it: it is created anew on that cluster.
  const replacedProviders = new Set(
    [...replaced.values()].filter((h) => h.type === "pulumi:providers:kubernetes").map((h) => h.name),
  );
  for (const [old] of pairs) {
    if (old === undefined || old.provider === undefined || !replacedProviders.has(old.provider)) continue;
    const why = `its provider ${old.provider} is replaced: the object is created anew where the provider now points`;
    const known = replaced.get(old.urn);
    if (known !== undefined) known.reasons.push(why);
    else replaced.set(old.urn, hazard("replace", old, [why], base, head));
  }
  const replaceOrDelete: Hazard[] = [];
  for (const r of before) {
    const h = replaced.get(r.urn);
    if (h !== undefined) {
      replaceOrDelete.push(h);
    } else if (!taken.has(r.urn)) {
      const next = successor.get(r.urn);
      const reasons =
        next !== undefined
          ? [
              `its URN changed without an alias: the engine creates ${next.urn} first, which fails while this one exists (AlreadyExists; for a Helm release "cannot re-use a name"), and would then delete this one`,
            ]
          : ["it is no longer declared"];
      replaceOrDelete.push({
        ...hazard("delete", r, reasons, base, head),
        ...(next !== undefined ? { newUrn: next.urn } : {}),
      });
    }
  }
  const removedResources = gone.map(ref);
  const outputs = diffValues(base.outputs, head.outputs);
  const secretConfig = labels.secretConfig ?? [];
  return {
    stack: head.stack,
    base: labels.base ?? "base",
    head: labels.head ?? "head",
    identical:
      addedResources.length +
        removedResources.length +
        changed.length +
        outputs.length +
        secretConfig.length ===
      0,
    replaceOrDelete,
    dataAtRisk: replaceOrDelete.some(atRisk),
    added: addedResources,
    removed: removedResources,
    changed,
    outputs,
    secretConfig,
  };
}

function hazard(
  action: Hazard["action"],
  r: Located,
  reasons: string[],
  base: PlanDocument,
  head: PlanDocument,
): Hazard {
  // What it holds is judged where it still exists: a namespace emptied by this change held data.
  const data = dataHeld(r, base) ?? (action === "replace" ? dataHeld(r, head) : undefined);
  return {
    action,
    urn: r.urn,
    type: r.type,
    name: r.name,
    reasons,
    ...(data !== undefined ? { data } : {}),
    retained: r.retainOnDelete === true,
    protected: r.protect === true,
  };
}

/**
 * Data is at risk when a resource that holds it is replaced (the new one starts empty), or
 * deleted without retainOnDelete. A protected resource is not deleted: the update fails instead.
 */
export function atRisk(h: Hazard): boolean {
  if (h.data === undefined || h.protected) return false;
  return h.action === "replace" || !h.retained;
}

function secureLeaves(value: unknown, at: string, out: Map<string, string>): void {
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "secure") {
      out.set(at, String(value["secure"]));
      return;
    }
    for (const k of keys) secureLeaves(value[k], childPath(at, k), out);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      secureLeaves(v, childPath(at, i), out);
    });
  }
}

/** `secure:` ciphertexts of a stack file by key path (project prefix dropped). */
function secureValues(stackFile: string): Map<string, string> {
  const doc = (parse(stackFile) ?? {}) as { config?: unknown };
  const out = new Map<string, string>();
  const config = isRecord(doc.config) ? doc.config : {};
  for (const [rawKey, value] of Object.entries(config)) {
    secureLeaves(value, rawKey.replace(/^[^:]*:/, ""), out);
  }
  return out;
}

/**
 * Which `secure:` values of a stack file differ between two versions of it, by key only. The
 * plan cannot see a secret's value; the ciphertext can say that it was set again. Pulumi
 * encrypts with a fresh nonce, so setting the same value again also counts as changed.
 */
export function secretConfigChanges(baseStackFile: string, headStackFile: string): SecretConfigChange[] {
  const a = secureValues(baseStackFile);
  const b = secureValues(headStackFile);
  const out: SecretConfigChange[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const old = a.get(key);
    const now = b.get(key);
    if (old === undefined) out.push({ key, kind: "added" });
    else if (now === undefined) out.push({ key, kind: "removed" });
    else if (old !== now) out.push({ key, kind: "changed" });
  }
  return out;
}

export function renderJson(diff: PlanDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const tick = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${tick}${pad}${text}${pad}${tick}`;
}

/** A fenced block that no line of the content can close. */
function fenced(lang: string, lines: string[]): string[] {
  const longest = Math.max(0, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((m) => m.length)));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...lines, fence];
}

function show(value: unknown): string {
  return value === undefined ? "undefined" : JSON.stringify(value);
}

function changeLines(changes: ValueChange[]): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    const at = c.path === "" ? "(whole value)" : c.path;
    if (c.kind !== "added") lines.push(`- ${at}: ${show(c.old)}`);
    if (c.kind !== "removed") lines.push(`+ ${at}: ${show(c.new)}`);
  }
  return lines;
}

function heading(r: ResourceRef): string {
  return `**${code(r.name)}** ${code(r.type)}`;
}

function releaseLine(s: ReleaseSummary): string {
  const from = s.repo !== undefined ? ` from ${code(s.repo)}` : "";
  return `Helm release ${code(s.name)} in namespace ${code(s.namespace)}: chart ${code(s.chart)} ${s.version}${from}`;
}

function renderedLines(objects: ObjectChange[]): string[] {
  if (objects.length === 0) return ["Rendered objects (helm template): none changes.", ""];
  const lines: string[] = [];
  for (const o of objects) {
    const mark = o.change === "added" ? "+" : o.change === "removed" ? "-" : "~";
    lines.push(`${mark} ${o.id}${o.change === "changed" ? "" : ` (${o.change})`}`);
    for (const w of o.warnings) lines.push(`! ${w}`);
    for (const l of changeLines(o.fields)) lines.push(`${l.slice(0, 1)}   ${l.slice(2)}`);
  }
  return [
    `Rendered objects (helm template), ${String(objects.length)} differ:`,
    "",
    ...fenced("diff", lines),
    "",
  ];
}

/** The label a pull request carries to acknowledge that data is replaced or deleted. */
export const DATA_LOSS_LABEL = "data-loss-acknowledged";

function hazardLine(h: Hazard): string[] {
  const verb = h.action === "replace" ? "**replace**" : "**delete**";
  const lines = [`- ${verb} ${code(h.name)} ${code(h.type)}`, `  - URN ${code(h.urn)}`];
  if (h.newUrn !== undefined) lines.push(`  - new URN ${code(h.newUrn)}`);
  for (const why of h.reasons) lines.push(`  - ${why}`);
  if (h.data !== undefined) {
    const fate = h.protected
      ? "protected: the engine refuses to delete it and the update fails"
      : h.action === "delete" && h.retained
        ? "retained: the delete leaves it and its data in the cluster"
        : h.action === "replace"
          ? "the replacement starts without its data"
          : "its data is deleted with it";
    lines.push(`  - :warning: **holds data**: ${h.data}; ${fate}`);
  }
  return lines;
}

/** `--render` warnings (an immutable field, a claim Helm deletes), repeated at the top. */
function renderedWarnings(diff: PlanDiff): string[] {
  return diff.changed.flatMap((c) =>
    (c.objects ?? []).flatMap((o) => o.warnings.map((w) => `- ${code(c.name)}: ${code(o.id)}: ${w}`)),
  );
}

/**
 * True when a rendered claim would go: Helm deletes a claim its chart no longer renders. With
 * `--render` this adds to `dataAtRisk`.
 */
export function renderedDataLoss(diff: PlanDiff): boolean {
  return diff.changed.some((c) =>
    (c.objects ?? []).some((o) => o.change === "removed" && o.id.includes(" PersistentVolumeClaim ")),
  );
}

/** The first section: what the engine would replace or delete, or one line saying nothing. */
function replaceOrDeleteSection(diff: PlanDiff): string[] {
  const rendered = renderedWarnings(diff);
  const inCharts =
    rendered.length > 0
      ? ["Inside the charts (`--render`), the cluster will refuse or lose:", "", ...rendered, ""]
      : [];
  if (diff.replaceOrDelete.length === 0) {
    const dataNote = diff.dataAtRisk
      ? [
          `:warning: **Data would be lost.** Merge only on purpose: the pull request needs the label ${code(DATA_LOSS_LABEL)} (see docs/reviewing-changes.md).`,
          "",
        ]
      : [];
    return [
      "#### Replaced or deleted",
      "",
      "Nothing: every resource is kept or updated in place.",
      "",
      ...dataNote,
      ...inCharts,
    ];
  }
  const out = ["#### Replaced or deleted", ""];
  if (diff.dataAtRisk) {
    out.push(
      `:warning: **Data would be lost.** Merge only on purpose: the pull request needs the label ${code(DATA_LOSS_LABEL)} (see docs/reviewing-changes.md).`,
      "",
    );
  }
  for (const h of diff.replaceOrDelete) out.push(...hazardLine(h));
  out.push("", ...inCharts);
  return out;
}

/** One line when nothing differs; otherwise a Markdown section for a pull request comment. */
export function renderMarkdown(diff: PlanDiff): string {
  const where = `${code(diff.base)} and ${code(diff.head)}`;
  if (diff.identical) {
    return `No difference in the offline plan of stack ${code(diff.stack)} between ${where}.\n`;
  }
  const replaces = diff.replaceOrDelete.filter((h) => h.action === "replace").length;
  const deletes = diff.replaceOrDelete.length - replaces;
  const out: string[] = [
    `### Stack ${code(diff.stack)}: ${String(replaces)} replaced, ${String(deletes)} deleted; ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`,
    "",
    `Offline plan of ${code(diff.head)} against ${code(diff.base)}. Secrets show as ${code(SECRET_PLACEHOLDER)}; a secret whose value changed looks the same on both sides.`,
    "",
    ...replaceOrDeleteSection(diff),
    ...crdChangeLines(diff.crds ?? []),
  ];
  if (diff.added.length > 0) {
    out.push("#### Added", "");
    for (const r of diff.added) {
      out.push(heading(r), "");
      if (r.replaces !== undefined) out.push(`Takes the place of ${code(r.replaces)} (see above).`, "");
      if (r.release !== undefined) out.push(releaseLine(r.release), "");
      const yaml = stringify(r.inputs, { sortMapEntries: true }).trimEnd().split("\n");
      out.push(
        `<details><summary>inputs of ${r.name}</summary>`,
        "",
        ...fenced("yaml", yaml),
        "",
        "</details>",
        "",
      );
    }
  }
  if (diff.removed.length > 0) {
    out.push("#### Removed", "");
    for (const r of diff.removed) {
      out.push(`- ${heading(r)}${r.release !== undefined ? `: ${releaseLine(r.release)}` : ""}`);
    }
    out.push("");
  }
  if (diff.changed.length > 0) {
    out.push("#### Changed", "");
    for (const r of diff.changed) {
      out.push(heading(r), "");
      if (r.previousUrn !== undefined) {
        out.push(
          `Found through an alias: it was ${code(r.previousUrn)}; the engine keeps the same object under its new URN.`,
          "",
        );
      }
      if (r.release !== undefined) out.push(releaseLine(r.release), "");
      if (r.chartVersion !== undefined && r.release !== undefined) {
        out.push(`Chart ${code(r.release.chart)} version: ${r.chartVersion.old} → ${r.chartVersion.new}`, "");
      }
      const sections: [string, ValueChange[]][] = [
        ["Values", r.values],
        ["Inputs", r.inputs],
        ["Resource options", r.options],
      ];
      for (const [title, changes] of sections) {
        if (changes.length > 0) out.push(`${title}:`, "", ...fenced("diff", changeLines(changes)), "");
      }
      if (r.renderError !== undefined) {
        out.push(
          "Rendered objects: could not render the chart:",
          "",
          ...fenced("text", r.renderError.split("\n")),
          "",
        );
      } else if (r.objects !== undefined) {
        out.push(...renderedLines(r.objects));
      }
    }
  }
  if (diff.outputs.length > 0) {
    out.push("#### Stack outputs", "", ...fenced("diff", changeLines(diff.outputs)), "");
  }
  if (diff.secretConfig.length > 0) {
    out.push("#### Secret config", "");
    for (const s of diff.secretConfig) {
      const what =
        s.kind === "changed" ? "set again (the value may or may not differ; it is never shown)" : s.kind;
      out.push(`- ${code(s.key)}: ${what}`);
    }
    out.push("");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
