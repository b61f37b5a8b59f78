import { Section } from "./reader";
import { readStorage, StorageConfig } from "./storage";

/**
 * Config keys declared once: each field's type, default, constraints and description. The
 * TypeScript type (`Infer`), the reader with its messages (`readFields`), the `config:` block of
 * Pulumi.yaml and docs/config.md (`docRows`, used by `npm run gen`) all come from a declaration.
 */
interface Described {
  /** One sentence or two for the reference: what the field does. */
  description: string;
}

export interface BooleanField extends Described {
  kind: "boolean";
  default: boolean;
  /** The default on a kind cluster, when it differs (kind's self-signed kubelet certificates etc.). */
  defaultOnKind?: boolean;
}

export interface IntegerField extends Described {
  kind: "integer";
  default: number;
  min: number;
  max: number;
}

/** A text format the reader checks, with the words its message uses. */
export interface TextFormat {
  re: RegExp;
  what: string;
  example: string;
}

export interface StringField extends Described {
  kind: "string";
  /** Absent: the field is optional (or `required`). */
  default?: string;
  required?: boolean;
  format?: "duration" | "quantity" | TextFormat;
  /** How the reference shows an absent default, e.g. "the cluster's default class". */
  defaultText?: string;
  /** A sibling field whose value it takes when unset (cluster.identifier takes the context). */
  defaultsTo?: string;
}

export interface EnumField<V extends string = string> extends Described {
  kind: "enum";
  values: readonly V[];
  default?: V;
  required?: boolean;
}

/** `<field>.size`: a PersistentVolumeClaim; unset means an emptyDir. */
export interface StorageField extends Described {
  kind: "storage";
  /** The size the error message suggests. */
  example: string;
}

/**
 * A structured field (a map or a list of objects) whose own reader reads it: declared here for
 * its type in the reference, its default and its description. `readFields` leaves it to that reader.
 */
export interface CustomField extends Described {
  kind: "custom";
  /** Its type as the reference shows it, e.g. "map of {gnetId, revision, datasourceInput, enabled}". */
  type: string;
  defaultText: string;
}

export type Field = BooleanField | IntegerField | StringField | EnumField | StorageField | CustomField;
export type Fields = Readonly<Record<string, Field>>;

/** One top-level config key: an object of fields, a plain value, a secret, or a block of prose. */
export type KeyDeclaration =
  | { kind: "object"; description: string; fields: Fields; required?: boolean }
  | { kind: "value"; description: string; field: Field }
  | { kind: "secret"; description: string }
  /**
   * A structured key whose fields are still read by a hand-written reader; its description lists
   * them. test/config-declarations.test.ts checks that it names every field the reader knows.
   */
  | { kind: "prose"; description: string };

type ValueOf<F> = F extends BooleanField
  ? boolean
  : F extends IntegerField
    ? number
    : F extends EnumField<infer V>
      ? V
      : F extends StringField
        ? string
        : F extends StorageField
          ? StorageConfig
          : never;

type IsOptional<F> = F extends StorageField
  ? true
  : F extends { default: unknown }
    ? false
    : F extends { required: true }
      ? false
      : true;

/**
 * The TypeScript type of an object of declared fields: fields without a default are optional;
 * custom fields are left to their reader's type.
 */
export type Infer<F extends Fields> = {
  -readonly [
    K in keyof F as F[K] extends CustomField ? never : IsOptional<F[K]> extends true ? never : K
  ]: ValueOf<F[K]>;
} & {
  -readonly [
    K in keyof F as F[K] extends CustomField ? never : IsOptional<F[K]> extends true ? K : never
  ]?: ValueOf<F[K]>;
};

/** What a default may depend on. */
export interface ReadContext {
  clusterType?: string;
}

function readField(s: Section, key: string, f: Exclude<Field, CustomField>, ctx: ReadContext): unknown {
  switch (f.kind) {
    case "boolean":
      return s.bool(
        key,
        ctx.clusterType === "kind" && f.defaultOnKind !== undefined ? f.defaultOnKind : f.default,
      );
    case "integer":
      return s.int(key, f.default, f.min, f.max);
    case "enum":
      return s.oneOf(key, f.values, f.required === true ? undefined : f.default);
    case "storage":
      return readStorage(s, key, f.example);
    case "string": {
      if (f.required === true) return s.requiredString(key, exampleOf(f));
      if (f.format === "duration") return s.duration(key, f.default ?? "");
      if (f.format === "quantity") return s.optionalQuantity(key, f.default ?? "") ?? f.default;
      const v = f.format !== undefined ? s.optionalString(key, f.format) : s.optionalString(key);
      return v ?? f.default;
    }
  }
}

function exampleOf(f: StringField): string {
  if (typeof f.format === "object") return f.format.example;
  return f.default ?? "<value>";
}

/**
 * Reads every declared field of a section, in declaration order, with the declared defaults, and
 * reports unknown keys; custom fields are read by the caller first. Problems go to the section's
 * list; with problems, parseStackConfig throws before anything reads the result, so a field that
 * failed is simply left at its default.
 */
export function readFields<F extends Fields>(s: Section, fields: F, ctx: ReadContext = {}): Infer<F> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    if (f.kind === "custom") {
      s.raw(key); // its reader has read it
      continue;
    }
    const v = readField(s, key, f, ctx);
    if (v !== undefined) out[key] = v;
  }
  for (const [key, f] of Object.entries(fields)) {
    if (f.kind === "string" && f.defaultsTo !== undefined && out[key] === undefined)
      out[key] = out[f.defaultsTo];
  }
  s.done();
  return out as Infer<F>;
}

/** Replicas beyond this are a typo, not a plan: each one is a pod, often with the full data set. */
export const MAX_REPLICAS = 100;

/** One row of the reference: a field's path, type, default, constraints and description. */
export interface DocRow {
  path: string;
  type: string;
  default: string;
  constraints: string;
  description: string;
}

function typeText(f: Field): string {
  switch (f.kind) {
    case "boolean":
      return "boolean";
    case "integer":
      return "integer";
    case "enum":
      return f.values.join(" | ");
    case "storage":
      return "quantity";
    case "string":
      return f.format === "duration" ? "duration" : f.format === "quantity" ? "quantity" : "string";
    case "custom":
      return f.type;
  }
}

function defaultText(f: Field): string {
  switch (f.kind) {
    case "boolean":
      return f.defaultOnKind !== undefined && f.defaultOnKind !== f.default
        ? `${String(f.defaultOnKind)} on kind, ${String(f.default)} on cloud`
        : String(f.default);
    case "integer":
      return String(f.default);
    case "storage":
      return "none (emptyDir)";
    case "custom":
      return f.defaultText;
    case "enum":
    case "string":
      if (f.required === true) return "required";
      return f.default ?? (f.kind === "string" ? (f.defaultText ?? "none") : "none");
  }
}

function constraintText(f: Field): string {
  switch (f.kind) {
    case "integer":
      return `from ${f.min} to ${f.max}`;
    case "storage":
      return `a Kubernetes quantity such as ${f.example}`;
    case "string":
      if (f.format === "duration") return "a duration such as 30s, 15m, 12h, 10d or 2w";
      if (f.format === "quantity") return "a Kubernetes quantity such as 500m, 256Mi or 20Gi";
      return f.format !== undefined ? f.format.what : "";
    default:
      return "";
  }
}

/** The reference rows of a key, one per field (a plain value is one row at the key itself). */
export function docRows(key: string, decl: KeyDeclaration): DocRow[] {
  const row = (path: string, f: Field): DocRow => ({
    // A storage field is set through its size.
    path: f.kind === "storage" ? `${path}.size` : path,
    type: typeText(f),
    default: defaultText(f),
    constraints: constraintText(f),
    description: f.description,
  });
  if (decl.kind === "object") return Object.entries(decl.fields).map(([k, f]) => row(`${key}.${k}`, f));
  if (decl.kind === "value") return [row(key, decl.field)];
  return [];
}
