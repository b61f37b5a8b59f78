import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { readFromArchive } from "../../tools/lib/chart-index";
import { upstreamPath } from "./upstream";

/** The upstream CRDs the stack's custom resources must satisfy (../shared/crds or the fetched copy). */
export const CRD_DIR = upstreamPath("crds");

/**
 * Charts whose CRDs are templates of the chart itself (behind `crds.enabled`), read from the
 * pinned archive in ../shared/charts (or the fetched copy): the CRDs the release really installs.
 */
export const CRD_CHARTS: readonly { archive: string; members: readonly string[] }[] = [
  {
    archive: "cert-manager-v1.21.1.tgz",
    members: ["issuers", "clusterissuers", "certificates", "certificaterequests"].map(
      (plural) => `cert-manager/templates/crd-cert-manager.io_${plural}.yaml`,
    ),
  },
];

/** A CRD template without its Helm directives: each sits on a line of its own in these charts. */
function untemplated(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s*\{\{.*\}\}\s*$/.test(line))
    .join("\n");
}

interface CrdVersion {
  name: string;
  served?: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}
interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; scope: string; versions: CrdVersion[] };
}

/** The CRD documents of the shared folder. */
function sharedCrdTexts(): string[] {
  return fs
    .readdirSync(CRD_DIR, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => fs.readFileSync(path.join(CRD_DIR, f), "utf8"));
}

/** The CRD templates of CRD_CHARTS, read only when a resource of theirs is checked (they are large). */
function chartCrdTexts(): string[] {
  return CRD_CHARTS.flatMap(({ archive, members }) => {
    const file = path.join(upstreamPath("charts"), archive);
    return members.map((m) => {
      const text = readFromArchive(file, m);
      if (text === undefined) throw new Error(`${file} has no ${m}`);
      return untemplated(text);
    });
  });
}

/**
 * The API server prunes fields a structural schema does not declare; a typo in a custom
 * resource would silently do nothing. Checking against a closed copy of the schema turns that
 * into an error.
 */
function closeSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeSchema);
  if (node === null || typeof node !== "object") return node;
  const schema: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    schema[k] =
      k === "properties"
        ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closeSchema(s)]))
        : closeSchema(v);
  }
  if (
    schema["properties"] !== undefined &&
    schema["additionalProperties"] === undefined &&
    schema["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    schema["additionalProperties"] = false;
  }
  return schema;
}

/**
 * Every object has apiVersion, kind and metadata, which the API server validates itself; some
 * CRDs (Istio's) declare only spec and status, and a closed root would reject them.
 */
function withObjectMeta(root: unknown): object {
  const schema = root as { properties?: Record<string, unknown> };
  return {
    ...schema,
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      ...(schema.properties ?? {}),
    },
  };
}

/**
 * CRD patterns are Go regular expressions; some use the inline flag `(?i)`, which JavaScript
 * lacks. Such a pattern is matched case-insensitively as a whole, a slightly looser check.
 */
const goRegExp = Object.assign(
  (pattern: string, flags: string): RegExp =>
    pattern.includes("(?i)")
      ? new RegExp(pattern.replaceAll("(?i)", ""), `${flags}i`)
      : new RegExp(pattern, flags),
  { code: "goRegExp" },
);

interface Entry {
  schema: object;
  namespaced: boolean;
  validate?: ValidateFunction;
}

let entries: Map<string, Entry> | undefined;
let chartsLoaded = false;
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
for (const kw of [
  "x-kubernetes-int-or-string",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
  "x-kubernetes-embedded-resource",
]) {
  ajv.addKeyword(kw);
}

function addCrds(map: Map<string, Entry>, texts: readonly string[]): void {
  for (const text of texts) {
    for (const doc of parseAllDocuments(text)) {
      const crd = doc.toJS() as Crd | null;
      if (crd?.kind !== "CustomResourceDefinition") continue;
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (schema === undefined) continue;
        const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
        map.set(key, {
          schema: withObjectMeta(closeSchema(schema)),
          namespaced: crd.spec.scope === "Namespaced",
        });
      }
    }
  }
}

function load(): Map<string, Entry> {
  if (entries) return entries;
  const map = new Map<string, Entry>();
  addCrds(map, sharedCrdTexts());
  entries = map;
  return map;
}

/** The entries with the chart CRDs too. */
function loadAll(): Map<string, Entry> {
  const map = load();
  if (!chartsLoaded) {
    addCrds(map, chartCrdTexts());
    chartsLoaded = true;
  }
  return map;
}

/** Problems of one custom resource against its CRD's schema: an empty list means it is valid. */
export function validateCustomResource(resource: Record<string, unknown>): string[] {
  const apiVersion = String(resource["apiVersion"]);
  const kind = String(resource["kind"]);
  const entry = load().get(`${apiVersion}/${kind}`) ?? loadAll().get(`${apiVersion}/${kind}`);
  if (entry === undefined) return [`no CRD in ${CRD_DIR} serves ${apiVersion} ${kind}`];
  const problems: string[] = [];
  const metadata = (resource["metadata"] ?? {}) as Record<string, unknown>;
  if (typeof metadata["name"] !== "string") problems.push("metadata.name is not set");
  if (entry.namespaced && typeof metadata["namespace"] !== "string")
    problems.push("metadata.namespace is not set on a namespaced resource");
  // Compiled on first use: compiling every CRD up front costs seconds.
  entry.validate ??= ajv.compile(entry.schema);
  if (!entry.validate(resource)) {
    for (const e of entry.validate.errors ?? []) {
      const extra =
        e.keyword === "additionalProperties"
          ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
          : "";
      problems.push(`${e.instancePath || "/"} ${e.message ?? e.keyword}${extra}`);
    }
  }
  return problems;
}

/** The CRD kinds the shared folder serves, as `<group>/<version>/<Kind>`. */
export function knownKinds(): string[] {
  return [...loadAll().keys()].sort();
}
