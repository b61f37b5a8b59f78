import { RenderedObject } from "./render";

/**
 * What a chart bump changes in the CustomResourceDefinitions a release renders: the versions the
 * API server serves, and the fields each served version's schema declares. Helm upgrades these
 * only where they are templates (prometheus-operator-crds, Istio's base), and every custom
 * resource of the stack must fit them, so a review reads them before anything else.
 */
export interface CrdChange {
  /** The release that renders the CRD. */
  release: string;
  /** `prometheuses.monitoring.coreos.com`. */
  name: string;
  change: "added" | "removed" | "changed";
  /** Versions served after the change and not before. */
  servedAdded: string[];
  /** Versions served before the change and not after. */
  servedRemoved: string[];
  /** `v1 spec.schedulerName`: fields a served version declares after the change and not before. */
  fieldsAdded: string[];
  /** Fields a served version declared before and no longer does: stored values of them are pruned. */
  fieldsRemoved: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Every field path a schema declares (`spec.endpoints[].port`). */
function schemaFields(node: unknown, at: string, out: Set<string>): void {
  if (!isRecord(node)) return;
  const props = node["properties"];
  if (isRecord(props)) {
    for (const [k, v] of Object.entries(props)) {
      const p = at === "" ? k : `${at}.${k}`;
      out.add(p);
      schemaFields(v, p, out);
    }
  }
  if (node["items"] !== undefined) schemaFields(node["items"], `${at}[]`, out);
}

interface ServedVersion {
  name: string;
  fields: Set<string>;
}

function servedVersions(crd: RenderedObject): Map<string, ServedVersion> {
  const spec = isRecord(crd.body["spec"]) ? crd.body["spec"] : {};
  const versions = Array.isArray(spec["versions"]) ? spec["versions"] : [];
  const out = new Map<string, ServedVersion>();
  for (const v of versions) {
    if (!isRecord(v) || v["served"] !== true || typeof v["name"] !== "string") continue;
    const fields = new Set<string>();
    const schema = isRecord(v["schema"]) ? v["schema"]["openAPIV3Schema"] : undefined;
    schemaFields(schema, "", fields);
    out.set(v["name"], { name: v["name"], fields });
  }
  return out;
}

function crdName(o: RenderedObject): string {
  const meta = isRecord(o.body["metadata"]) ? o.body["metadata"] : {};
  return typeof meta["name"] === "string" ? meta["name"] : o.id;
}

/** The CRDs that differ between two renderings of a release, by name; unchanged ones are left out. */
export function crdChanges(release: string, base: RenderedObject[], head: RenderedObject[]): CrdChange[] {
  const crds = (objs: RenderedObject[]) =>
    new Map(objs.filter((o) => o.kind === "CustomResourceDefinition").map((o) => [crdName(o), o]));
  const before = crds(base);
  const after = crds(head);
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: CrdChange[] = [];
  for (const name of names) {
    const old = before.get(name);
    const now = after.get(name);
    const vOld = old !== undefined ? servedVersions(old) : new Map<string, ServedVersion>();
    const vNew = now !== undefined ? servedVersions(now) : new Map<string, ServedVersion>();
    const servedAdded = [...vNew.keys()].filter((v) => !vOld.has(v));
    const servedRemoved = [...vOld.keys()].filter((v) => !vNew.has(v));
    const fieldsAdded: string[] = [];
    const fieldsRemoved: string[] = [];
    for (const [version, v] of vNew) {
      const prev = vOld.get(version);
      if (prev === undefined) continue;
      for (const f of [...v.fields].sort()) if (!prev.fields.has(f)) fieldsAdded.push(`${version} ${f}`);
      for (const f of [...prev.fields].sort()) if (!v.fields.has(f)) fieldsRemoved.push(`${version} ${f}`);
    }
    const change = old === undefined ? "added" : now === undefined ? "removed" : "changed";
    const differs =
      change !== "changed" ||
      servedAdded.length + servedRemoved.length + fieldsAdded.length + fieldsRemoved.length > 0;
    if (differs) out.push({ release, name, change, servedAdded, servedRemoved, fieldsAdded, fieldsRemoved });
  }
  return out;
}

/** The Markdown section that opens a `--render` review: every CRD change, before the objects. */
export function crdChangeLines(changes: readonly CrdChange[]): string[] {
  if (changes.length === 0) return [];
  const code = (s: string) => `\`${s}\``;
  const out = ["#### CRD changes (`--render`)", ""];
  for (const c of changes) {
    const served =
      c.servedAdded.length + c.servedRemoved.length === 0
        ? "served versions unchanged"
        : [
            ...c.servedAdded.map((v) => `newly served ${code(v)}`),
            ...c.servedRemoved.map((v) => `no longer served ${code(v)}`),
          ].join(", ");
    out.push(
      `- ${code(c.name)} (release ${code(c.release)}): ${c.change}; ${served}; ${String(c.fieldsAdded.length)} fields added, ${String(c.fieldsRemoved.length)} removed`,
    );
  }
  const fieldLines = changes.flatMap((c) => [
    ...c.fieldsAdded.map((f) => `+ ${c.name} ${f}`),
    ...c.fieldsRemoved.map((f) => `- ${c.name} ${f}`),
  ]);
  if (fieldLines.length > 0) {
    out.push("", "<details><summary>fields</summary>", "", "```diff", ...fieldLines, "```", "", "</details>");
  }
  out.push("");
  return out;
}
