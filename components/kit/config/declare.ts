import { Section, setCommand } from "./reader";
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
  /**
   * Replicas of a part that its sibling `enabled` turns on (declare `min: 1`): 0 runs nothing, so
   * it is refused with both ways out. The name is the part's, as the message shows it.
   */
  replicasOf?: string;
}

/** A number that need not be whole (a ratio, milliseconds, a percentage), between bounds. */
export interface NumberField extends Described {
  kind: "number";
  default: number;
  /** The default on a kind cluster, when it differs. */
  defaultOnKind?: number;
  min: number;
  /** The value must be above `min`, not equal to it. */
  aboveMin?: boolean;
  /** Absent: no upper bound. */
  max?: number;
  /** Only whole numbers. */
  whole?: boolean;
  /** The constraint in the words of the message, e.g. "a ratio above 0 and at most 1". */
  what: string;
  /**
   * The value the message suggests instead of the default, and what it does there, e.g.
   * `{ value: 10, effect: "to keep one trace in ten" }`.
   */
  example?: { value: number; effect: string };
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
  /** Unset is reported; a set value is checked against the format like any other. */
  required?: boolean;
  /** What the message of a required field without a format suggests, e.g. `eu-west-1`. */
  example?: string;
  /** `size`: a volume's size, a quantity from 1Mi to 64Ti. */
  format?: "duration" | "quantity" | "size" | TextFormat;
  /** How the reference shows an absent default, e.g. "the cluster's default class". */
  defaultText?: string;
  /** A sibling field whose value it takes when unset (cluster.identifier takes the context). */
  defaultsTo?: string;
  /** With format duration: 0 is refused (a range of `[0s]`, a zero repeat interval). */
  aboveZero?: boolean;
}

export interface EnumField<V extends string = string> extends Described {
  kind: "enum";
  values: readonly V[];
  default?: V;
  /** The default on a kind cluster, when it differs (no LoadBalancer there). */
  defaultOnKind?: V;
  required?: boolean;
}

/** A list of distinct strings of one format, set item by item (`'mesh.injectNamespaces[0]'`). */
export interface StringListField extends Described {
  kind: "strings";
  format: TextFormat;
  /** What an unset list reads as. */
  default: readonly string[];
}

/** `<field>.size`: a PersistentVolumeClaim; unset means an emptyDir. */
export interface StorageField extends Described {
  kind: "storage";
  /** The size the error message suggests. */
  example: string;
}

/**
 * A field its own reader reads (a map or a list of objects, a default from other keys, an object
 * whose shape depends on one of its fields): declared here for its type in the reference, its
 * default and its description. `readFields` leaves it to that reader.
 */
export interface CustomField extends Described {
  kind: "custom";
  /** Its type as the reference shows it, e.g. "map of {gnetId, revision, datasourceInput, enabled}". */
  type: string;
  defaultText: string;
  /** The constraints its reader checks, in the words of the reference. Absent: none shown. */
  constraints?: string;
  /**
   * The fields of an object the reader reads with `readFields` (all of them, or those the object's
   * `type` picks): the reference lists them below the field, each with its own declaration.
   */
  fields?: Fields;
}

/** A nested object of fields (`mesh.gateway`, `alerting.rules.highLatency`), always present. */
export interface GroupField<F extends Fields = Fields> extends Described {
  kind: "group";
  fields: F;
}

export type Field =
  | BooleanField
  | IntegerField
  | NumberField
  | StringField
  | EnumField
  | StringListField
  | StorageField
  | CustomField
  | GroupField;
export type Fields = Readonly<Record<string, Field>>;

/**
 * A top-level key that is a map from a fixed set of names to objects of the same fields
 * (`resources.<container>.cpu`); the caller gives each entry's defaults.
 */
export interface MapDeclaration<F extends Fields = Fields> {
  kind: "map";
  description: string;
  /** What one entry is, in messages and the reference: "container". */
  entry: string;
  /** The names an entry may have. */
  names: readonly string[];
  /** What an entry is, for the reference. */
  entryDescription: string;
  fields: F;
}

/**
 * One top-level config key: an object of fields, a map, a plain value, or a secret. Every plain
 * key is declared field by field; only a secret, which is never read as plain config, is a text.
 */
export type KeyDeclaration =
  | { kind: "object"; description: string; fields: Fields; required?: boolean }
  | MapDeclaration
  | { kind: "value"; description: string; field: Field }
  | { kind: "secret"; description: string };

type ValueOf<F> = F extends BooleanField
  ? boolean
  : F extends IntegerField | NumberField
    ? number
    : F extends EnumField<infer V>
      ? V
      : F extends StringField
        ? string
        : F extends StringListField
          ? string[]
          : F extends StorageField
            ? StorageConfig
            : F extends GroupField<infer G>
              ? Infer<G>
              : never;

type IsOptional<F> = F extends StorageField
  ? true
  : F extends GroupField
    ? false
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

/** What a default may depend on, and what the caller reads itself. */
export interface ReadContext {
  clusterType?: string;
  /**
   * The readers of custom fields, by field path (`route.routes`): each is called in declaration
   * order with the section that holds the field, and keeps what it read itself.
   */
  readers?: Readonly<Record<string, (s: Section, key: string) => void>>;
  /**
   * Rules across fields, by the path of a field or group: each runs right after that field is
   * read, so its problems come where the hand-written order put them.
   */
  checks?: Readonly<Record<string, (s: Section, key: string, value: unknown) => void>>;
  /**
   * Defaults the caller computes, by field path, for string fields declared with a `defaultText`
   * (a container's sizing preset); the message's example is that default.
   */
  defaults?: Readonly<Record<string, string>>;
}

function readField(
  s: Section,
  key: string,
  f: Exclude<Field, CustomField>,
  ctx: ReadContext,
  path: string,
): unknown {
  const kind = ctx.clusterType === "kind";
  switch (f.kind) {
    case "boolean":
      return s.bool(key, kind && f.defaultOnKind !== undefined ? f.defaultOnKind : f.default);
    case "integer": {
      const raw = s.raw(key);
      if (f.replicasOf !== undefined && (raw === 0 || raw === "0")) {
        s.problem(
          key,
          `is 0, which runs no ${f.replicasOf} while ${s.join("enabled")} is true`,
          `set at least 1 with \`${setCommand(s.join(key), String(Math.max(1, f.default)))}\`, or turn it off with \`${setCommand(s.join("enabled"), "false")}\``,
        );
        return f.default;
      }
      return s.int(key, f.default, f.min, f.max);
    }
    case "number": {
      const { min, max, aboveMin, whole } = f;
      return s.number(key, kind && f.defaultOnKind !== undefined ? f.defaultOnKind : f.default, {
        what: f.what,
        ...(f.example !== undefined ? { example: String(f.example.value), effect: f.example.effect } : {}),
        valid: (n) =>
          (aboveMin === true ? n > min : n >= min) &&
          (max === undefined || n <= max) &&
          (whole !== true || Number.isInteger(n)),
      });
    }
    case "group":
      return readGroup(s.child(key), f.fields, ctx, `${path}.`);
    case "enum":
      if (f.required === true) return s.oneOf(key, f.values, undefined);
      return s.oneOf(key, f.values, kind && f.defaultOnKind !== undefined ? f.defaultOnKind : f.default);
    case "strings":
      // Set: its items; an unset list is the default.
      if (s.has(key)) return s.strings(key, f.format);
      s.raw(key);
      return [...f.default];
    case "storage":
      return readStorage(s, key, f.example);
    case "string": {
      if (f.required === true && (typeof f.format !== "object" || !s.has(key))) {
        return s.requiredString(key, exampleOf(f));
      }
      const dflt = f.default ?? ctx.defaults?.[path];
      if (f.format === "duration") {
        return f.aboveZero === true ? s.positiveDuration(key, dflt ?? "") : s.duration(key, dflt ?? "");
      }
      if (f.format === "quantity") return s.optionalQuantity(key, dflt ?? "") ?? dflt;
      if (f.format === "size") return s.optionalSize(key, dflt ?? "") ?? dflt;
      const v = f.format !== undefined ? s.optionalString(key, f.format) : s.optionalString(key);
      return v ?? dflt;
    }
  }
}

function exampleOf(f: StringField): string {
  if (typeof f.format === "object") return f.format.example;
  return f.example ?? f.default ?? "<value>";
}

/**
 * Reads every declared field of a section, in declaration order, with the declared defaults, and
 * reports unknown keys; custom fields are read by the caller first. Problems go to the section's
 * list; with problems, parseStackConfig throws before anything reads the result, so a field that
 * failed is simply left at its default.
 */
export function readFields<F extends Fields>(s: Section, fields: F, ctx: ReadContext = {}): Infer<F> {
  return readGroup(s, fields, ctx, "") as Infer<F>;
}

function readGroup(s: Section, fields: Fields, ctx: ReadContext, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    const path = `${prefix}${key}`;
    if (f.kind === "custom") {
      const reader = ctx.readers?.[path];
      if (reader !== undefined) reader(s, key);
      else s.raw(key); // the caller read it before
    } else {
      const v = readField(s, key, f, ctx, path);
      if (v !== undefined) out[key] = v;
    }
    ctx.checks?.[path]?.(s, key, out[key]);
  }
  for (const [key, f] of Object.entries(fields)) {
    if (f.kind === "string" && f.defaultsTo !== undefined && out[key] === undefined)
      out[key] = out[f.defaultsTo];
  }
  s.done();
  return out;
}

/**
 * Reads a map key: each entry's fields as the declaration says, with the defaults `defaultsOf`
 * gives for that entry; a name outside the declared set is reported with the names it may take.
 */
export function readMap<F extends Fields>(
  s: Section,
  decl: MapDeclaration<F>,
  defaultsOf: (name: string) => Readonly<Record<string, string>>,
): Record<string, Infer<F>> {
  const out: Record<string, Infer<F>> = {};
  for (const name of s.keys()) {
    if (!decl.names.includes(name)) {
      s.raw(name);
      s.problem(name, `is not a known ${decl.entry}`, `use one of: ${decl.names.join(", ")}`);
      continue;
    }
    out[name] = readFields(s.child(name), decl.fields, { defaults: defaultsOf(name) });
  }
  return out;
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
    case "number":
      return f.whole === true ? "integer" : "number";
    case "group":
      return "object";
    case "enum":
      return f.values.join(" | ");
    case "strings":
      return "list of strings";
    case "storage":
      return "quantity";
    case "string":
      return f.format === "duration"
        ? "duration"
        : f.format === "quantity" || f.format === "size"
          ? "quantity"
          : "string";
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
    case "number":
      return f.defaultOnKind !== undefined && f.defaultOnKind !== f.default
        ? `${String(f.defaultOnKind)} on kind, ${String(f.default)} on cloud`
        : String(f.default);
    case "group":
      return ""; // each field says its own
    case "storage":
      return "none (emptyDir)";
    case "custom":
      return f.defaultText;
    case "strings":
      return f.default.length === 0 ? "none" : `[${f.default.join(", ")}]`;
    case "enum":
      if (f.defaultOnKind !== undefined && f.defaultOnKind !== f.default) {
        return `${f.defaultOnKind} on kind, ${f.default ?? "none"} on cloud`;
      }
      if (f.required === true) return "required";
      return f.default ?? "none";
    case "string":
      if (f.required === true) return "required";
      return f.default ?? f.defaultText ?? "none";
  }
}

function constraintText(f: Field): string {
  switch (f.kind) {
    case "integer":
      return `from ${f.min} to ${f.max}`;
    case "number":
      return f.what;
    case "strings":
      return `each ${f.format.what}, listed once`;
    case "storage":
      return `a volume size such as ${f.example}, from 1Mi to 64Ti`;
    case "string":
      if (f.format === "duration") {
        return `a duration such as 30s, 15m, 12h, 10d or 2w${f.aboveZero === true ? ", longer than 0" : ""}`;
      }
      if (f.format === "quantity") return "a Kubernetes quantity such as 500m, 256Mi or 20Gi";
      if (f.format === "size") return "a volume size such as 10Gi, from 1Mi to 64Ti";
      return f.format !== undefined ? f.format.what : "";
    case "custom":
      return f.constraints ?? "";
    default:
      return "";
  }
}

/**
 * The reference rows of a key, one per field (a plain value is one row at the key itself); a group,
 * or a custom field with declared fields, has its own row, followed by the rows of its fields.
 */
export function docRows(key: string, decl: KeyDeclaration): DocRow[] {
  const row = (path: string, f: Field): DocRow => ({
    // A storage field is set through its size.
    path: f.kind === "storage" ? `${path}.size` : path,
    type: typeText(f),
    default: defaultText(f),
    constraints: constraintText(f),
    description: f.description,
  });
  const rows = (prefix: string, fields: Fields): DocRow[] =>
    Object.entries(fields).flatMap(([k, f]) => {
      const below = f.kind === "group" || f.kind === "custom" ? f.fields : undefined;
      return [row(`${prefix}.${k}`, f), ...(below !== undefined ? rows(`${prefix}.${k}`, below) : [])];
    });
  if (decl.kind === "object") return rows(key, decl.fields);
  if (decl.kind === "map") {
    const entry = `${key}.<${decl.entry}>`;
    return [
      {
        path: entry,
        type: "object",
        default: "",
        constraints: `one of ${decl.names.join(", ")}`,
        description: decl.entryDescription,
      },
      ...rows(entry, decl.fields),
    ];
  }
  if (decl.kind === "value") return [row(key, decl.field)];
  return [];
}
