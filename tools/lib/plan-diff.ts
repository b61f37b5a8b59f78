import { parse, stringify } from "yaml";
import { canonical, PlanDocument, PlanResource } from "./plan";
import { SECRET_PLACEHOLDER } from "./run-program";

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
  added: AddedResource[];
  removed: ResourceRef[];
  changed: ResourceChange[];
  /** Stack outputs that differ. */
  outputs: ValueChange[];
  secretConfig: SecretConfigChange[];
}

export interface ResourceRef {
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
  /** The resource's inputs as the plan shows them (secrets as "[secret]"). */
  inputs: Record<string, unknown>;
}

export interface ResourceChange extends ResourceRef {
  /** A chart version bump of a Helm release, reported on its own. */
  chartVersion?: { old: string; new: string };
  /** Changed Helm values, paths relative to the release's values. */
  values: ValueChange[];
  /** Changed inputs, paths relative to the inputs; a release's values and version are above. */
  inputs: ValueChange[];
  /** Changed parent, dependsOn or provider. */
  options: ValueChange[];
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
 * arrays index by index; a subtree that appears or goes is listed leaf by leaf.
 */
export function diffValues(a: unknown, b: unknown, at = ""): ValueChange[] {
  const out: ValueChange[] = [];
  walk(a, b, at, out);
  return out;
}

function walk(a: unknown, b: unknown, at: string, out: ValueChange[]): void {
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
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], childPath(at, k), out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], childPath(at, i), out);
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

function ref(r: PlanResource): ResourceRef {
  const release = releaseSummary(r);
  return { type: r.type, name: r.name, ...(release !== undefined ? { release } : {}) };
}

function keyOf(r: PlanResource): string {
  return `${r.type}::${r.name}`;
}

function index(plan: PlanDocument, side: string): Map<string, PlanResource> {
  const byKey = new Map<string, PlanResource>();
  for (const r of plan.resources) {
    if (byKey.has(keyOf(r))) throw new Error(`the ${side} plan declares ${r.type} ${r.name} twice`);
    byKey.set(keyOf(r), r);
  }
  return byKey;
}

function diffResource(a: PlanResource, b: PlanResource): ResourceChange | undefined {
  const options = [
    ...diffValues(a.parent, b.parent, "parent"),
    ...diffDependsOn(a.dependsOn, b.dependsOn),
    ...diffValues(a.provider, b.provider, "provider"),
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
  if (options.length + values.length + inputs.length === 0 && chartVersion === undefined) return undefined;
  return { ...ref(b), ...(chartVersion !== undefined ? { chartVersion } : {}), values, inputs, options };
}

/** dependsOn is a list whose order carries no meaning: compared as a whole, sorted. */
function diffDependsOn(a: string[], b: string[]): ValueChange[] {
  const sa = [...a].sort();
  const sb = [...b].sort();
  return deepEqual(sa, sb) ? [] : [{ path: "dependsOn", kind: "changed", old: sa, new: sb }];
}

/**
 * What changes from the base plan to the head plan: resources added (head order), removed
 * (base order) and changed (head order), keyed by type and name as Pulumi's URNs are.
 */
export function diffPlans(base: PlanDocument, head: PlanDocument, labels: DiffLabels = {}): PlanDiff {
  if (base.stack !== head.stack) {
    throw new Error(`cannot diff plans of different stacks: ${base.stack} and ${head.stack}`);
  }
  const before = index(base, "base");
  const after = index(head, "head");
  const addedResources: AddedResource[] = [];
  const changed: ResourceChange[] = [];
  for (const r of head.resources) {
    const old = before.get(keyOf(r));
    if (old === undefined) {
      addedResources.push({ ...ref(r), inputs: canonical(r.inputs) as Record<string, unknown> });
    } else {
      const change = diffResource(old, r);
      if (change !== undefined) changed.push(change);
    }
  }
  const removedResources = base.resources.filter((r) => !after.has(keyOf(r))).map(ref);
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
    added: addedResources,
    removed: removedResources,
    changed,
    outputs,
    secretConfig,
  };
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

/** One line when nothing differs; otherwise a Markdown section for a pull request comment. */
export function renderMarkdown(diff: PlanDiff): string {
  const where = `${code(diff.base)} and ${code(diff.head)}`;
  if (diff.identical) {
    return `No difference in the offline plan of stack ${code(diff.stack)} between ${where}.\n`;
  }
  const out: string[] = [
    `### Stack ${code(diff.stack)}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`,
    "",
    `Offline plan of ${code(diff.head)} against ${code(diff.base)}. Secrets show as ${code(SECRET_PLACEHOLDER)}; a secret whose value changed looks the same on both sides.`,
    "",
  ];
  if (diff.added.length > 0) {
    out.push("#### Added", "");
    for (const r of diff.added) {
      out.push(heading(r), "");
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
