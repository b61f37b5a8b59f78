import { ConfigProblem } from "./errors";

/** A Prometheus duration, the format the operator's CRDs accept (`30s`, `15m`, `12h`, `10d`, `2w`, `1y`). */
const DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;
/** A Kubernetes resource quantity (`500m`, `256Mi`, `20Gi`, `1.5`). */
const QUANTITY = /^(\d+(\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
/**
 * A Kubernetes object name that is a DNS-1123 label (namespaces, StorageClasses, services): at
 * most 63 lowercase letters, digits and -, starting and ending with a letter or digit.
 */
const K8S_NAME = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Milliseconds of a Prometheus duration already matched by DURATION. */
function durationMilliseconds(d: string): number {
  const units: Record<string, number> = {
    y: 365 * 24 * 3600e3,
    w: 7 * 24 * 3600e3,
    d: 24 * 3600e3,
    h: 3600e3,
    m: 60e3,
    s: 1e3,
    ms: 1,
  };
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) total += Number(m[1]) * (units[m[2] ?? ""] ?? 0);
  return total;
}

const QUANTITY_FACTORS: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const MIN_VOLUME_BYTES = 2 ** 20;
const MAX_VOLUME_BYTES = 64 * 2 ** 40;

/** The value of a quantity already matched by QUANTITY, in base units (bytes, cores). */
export function quantityValue(q: string): number {
  const m = QUANTITY.exec(q);
  return m === null ? NaN : Number(m[1]) * (QUANTITY_FACTORS[m[3] ?? ""] ?? 1);
}

/**
 * Whether a raw value reads as true: `pulumi config set` without --path stores text, so a rule
 * across keys sees "true" as the reader does.
 */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Longer text is cut in messages: a pasted 10,000-character value would drown the message. */
const SHOWN_CHARACTERS = 64;

/** A config value as an error message shows it. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    return value.length > SHOWN_CHARACTERS
      ? `${JSON.stringify(`${value.slice(0, SHOWN_CHARACTERS)}…`)} (${value.length} characters)`
      : JSON.stringify(value);
  }
  return typeof value === "number" || typeof value === "boolean" ? String(value) : typeof value;
}

/** `pulumi config set --path <path> <example>`, with the path quoted when the shell would glob it. */
export function setCommand(path: string, example: string): string {
  // A list index (`nodeSets[0]`) is a glob pattern to zsh: quote such a path.
  const quoted = path.includes("[") ? `'${path}'` : path;
  return `pulumi config set --path ${quoted} ${example}`;
}

/**
 * Reads one object of stack config at a key path, collecting every problem instead of stopping at
 * the first, so a user fixes all of them in one go. Each read names the full key path.
 */
export class Section {
  private readonly seen = new Set<string>();
  private readonly value: Record<string, unknown>;

  constructor(
    readonly path: string,
    raw: unknown,
    private readonly problems: ConfigProblem[],
  ) {
    if (raw === undefined || raw === null) {
      this.value = {};
    } else if (typeof raw !== "object" || Array.isArray(raw)) {
      this.value = {};
      problems.push({
        path,
        problem: `must be an object, got ${describe(raw)}`,
        fix: `set its fields one by one, e.g. \`${setCommand(`${path}.<field>`, "<value>")}\``,
      });
    } else {
      this.value = raw as Record<string, unknown>;
    }
  }

  /** True when the user set anything under this path. */
  get isSet(): boolean {
    return Object.keys(this.value).length > 0;
  }

  /** The raw value of a field, marking it as known. */
  raw(key: string): unknown {
    this.seen.add(key);
    return this.value[key];
  }

  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  child(key: string): Section {
    return new Section(this.join(key), this.raw(key), this.problems);
  }

  /** Each field of a map-like object (`resources.<container>`), as its own section. */
  entries(key: string): [string, Section][] {
    const map = this.child(key);
    return map.keys().map((k) => [k, map.child(k)]);
  }

  /** The raw items of a list field; undefined when unset. Anything but a list is reported. */
  private rawList(key: string, example: string): unknown[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.problem(
        key,
        `must be a list, got ${describe(v)}`,
        `set its items one by one, e.g. \`${setCommand(`${this.join(key)}${example}`, "<value>")}\``,
      );
      return undefined;
    }
    return v as unknown[];
  }

  /** Each object of a list (`elastic.nodeSets[0]`), as its own section; undefined when unset. */
  list(key: string): Section[] | undefined {
    return this.rawList(key, "[0].<field>")?.map(
      (item, i) => new Section(`${this.join(key)}[${i}]`, item, this.problems),
    );
  }

  /** A list of strings, each one of `allowed`; undefined when unset, invalid entries dropped. */
  stringList<T extends string>(key: string, allowed: readonly T[]): T[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const example = `${this.join(key)}[0]`;
    if (!Array.isArray(v)) {
      this.problem(
        key,
        `must be a list of ${allowed.join(", ")}, got ${describe(v)}`,
        `set its items one by one, e.g. \`${setCommand(example, allowed[0] ?? "")}\``,
      );
      return undefined;
    }
    const out: T[] = [];
    v.forEach((item: unknown, i) => {
      if (typeof item === "string" && (allowed as readonly string[]).includes(item)) out.push(item as T);
      else
        this.problem(
          `${key}[${i}]`,
          `must be one of ${allowed.join(", ")}, got ${describe(item)}`,
          `set one of them, e.g. \`${setCommand(`${this.join(key)}[${i}]`, allowed[0] ?? "")}\``,
        );
    });
    return out;
  }

  keys(): string[] {
    return Object.keys(this.value).sort();
  }

  /** Each item of a list of objects, as its own section at `<path>[<index>]`. */
  items(key: string): Section[] {
    return this.list(key) ?? [];
  }

  /** A list of distinct strings, each matching the pattern; a bad or repeated item is reported and left out. */
  strings(key: string, pattern: { re: RegExp; what: string; example: string }): string[] {
    const out: string[] = [];
    (this.rawList(key, "[0]") ?? []).forEach((item, i) => {
      const at = `${key}[${i}]`;
      if (typeof item !== "string" || !pattern.re.test(item)) {
        this.problem(
          at,
          `must be ${pattern.what}, got ${describe(item)}`,
          `set e.g. \`${setCommand(this.join(at), pattern.example)}\``,
        );
      } else if (out.includes(item)) {
        this.problem(at, `repeats ${describe(item)}`, "list each value once");
      } else {
        out.push(item);
      }
    });
    return out;
  }

  join(key: string): string {
    return `${this.path}.${key}`;
  }

  problem(key: string, problem: string, fix: string): void {
    this.problems.push({ path: this.join(key), problem, fix });
  }

  /** A problem at a path outside this section, e.g. a top-level secret key a rule here depends on. */
  problemAt(path: string, problem: string, fix: string): void {
    this.problems.push({ path, problem, fix });
  }

  string(key: string, fallback: string): string {
    const v = this.optionalString(key);
    return v ?? fallback;
  }

  optionalString(key: string, pattern?: { re: RegExp; what: string; example: string }): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") {
      this.problem(
        key,
        `must be a non-empty string, got ${describe(v)}`,
        `set a string, e.g. \`${setCommand(this.join(key), pattern?.example ?? "<value>")}\``,
      );
      return undefined;
    }
    if (pattern && !pattern.re.test(v)) {
      this.problem(
        key,
        `must be ${pattern.what}, got ${describe(v)}`,
        `set e.g. \`${setCommand(this.join(key), pattern.example)}\``,
      );
      return undefined;
    }
    return v;
  }

  requiredString(key: string, example: string): string | undefined {
    if (this.raw(key) === undefined) {
      this.problem(key, "is required but not set", `set it, e.g. \`${setCommand(this.join(key), example)}\``);
      return undefined;
    }
    return this.optionalString(key, { re: /./, what: "a string", example });
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T | undefined): T | undefined {
    const v = this.raw(key);
    if (v === undefined) {
      if (fallback === undefined) {
        this.problem(
          key,
          "is required but not set",
          `set one of ${allowed.join(", ")}, e.g. \`${setCommand(this.join(key), allowed[0] ?? "")}\``,
        );
      }
      return fallback;
    }
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      // `strict` for `STRICT`: suggest what was meant, not the default.
      const meant =
        typeof v === "string" ? allowed.find((a) => a.toLowerCase() === v.toLowerCase()) : undefined;
      this.problem(
        key,
        `must be one of ${allowed.join(", ")}, got ${describe(v)}`,
        meant !== undefined
          ? `did you mean ${meant}? set \`${setCommand(this.join(key), meant)}\``
          : `set one of them, e.g. \`${setCommand(this.join(key), fallback ?? allowed[0] ?? "")}\``,
      );
      return fallback;
    }
    return v as T;
  }

  int(key: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    // `pulumi config set` without --path stores text, so "2" counts as 2.
    const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      this.problem(
        key,
        `must be a whole number ${range}, got ${describe(v)}`,
        `set e.g. \`${setCommand(this.join(key), String(Math.max(min, fallback)))}\``,
      );
      return fallback;
    }
    return n;
  }

  /**
   * A number that need not be whole, or one written as text (`pulumi config set` stores text);
   * `what` names the constraint `valid` checks, e.g. "a ratio above 0 and at most 1". The message
   * suggests `example` (default: the fallback), followed by `effect` when given.
   */
  number(
    key: string,
    fallback: number,
    spec: { what: string; valid: (n: number) => boolean; example?: string; effect?: string },
  ): number {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    const n = typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isFinite(n) || !spec.valid(n)) {
      this.problem(
        key,
        `must be ${spec.what}, got ${describe(v)}`,
        `set e.g. \`${setCommand(this.join(key), spec.example ?? String(fallback))}\`${spec.effect !== undefined ? ` ${spec.effect}` : ""}`,
      );
      return fallback;
    }
    return n;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (isTrue(v)) return true;
    if (v === false || v === "false") return false;
    this.problem(
      key,
      `must be true or false, got ${describe(v)}`,
      `set e.g. \`${setCommand(this.join(key), String(fallback))}\``,
    );
    return fallback;
  }

  duration(key: string, fallback: string): string {
    const v = this.value[key];
    // YAML reads an unquoted `0` or `30` as a number: a duration needs its unit.
    if (typeof v === "number") {
      this.raw(key);
      this.problem(
        key,
        `must be a duration with a unit such as 30s, 15m, 12h, 10d or 2w, got the number ${String(v)}`,
        `set e.g. \`${setCommand(this.join(key), fallback)}\``,
      );
      return fallback;
    }
    return (
      this.optionalString(key, {
        re: DURATION,
        what: "a duration such as 30s, 15m, 12h, 10d or 2w",
        example: fallback,
      }) ?? fallback
    );
  }

  /** A duration above zero: a range of `[0s]` or a zero repeat interval is an error. */
  positiveDuration(key: string, fallback: string): string {
    const d = this.duration(key, fallback);
    if (DURATION.test(d) && durationMilliseconds(d) === 0) {
      this.problem(
        key,
        `must be longer than 0, got ${JSON.stringify(d)}`,
        `set e.g. \`${setCommand(this.join(key), fallback)}\``,
      );
      return fallback;
    }
    return d;
  }

  optionalQuantity(key: string, example: string): string | undefined {
    const v = this.raw(key);
    // `10GB` is how disks are sold; Kubernetes writes 10Gi (binary) or 10G (decimal), never a B.
    const bytes = typeof v === "string" ? /^(\d+(?:\.\d+)?)\s*([KMGTPE])i?B$/i.exec(v) : null;
    if (typeof v === "string" && bytes !== null) {
      const meant = `${bytes[1] ?? ""}${(bytes[2] ?? "").toUpperCase()}i`;
      this.problem(
        key,
        `must be a Kubernetes quantity such as 500m, 256Mi or 20Gi, got ${describe(v)}`,
        `did you mean ${meant}? Kubernetes quantities carry no B: set \`${setCommand(this.join(key), meant)}\``,
      );
      return undefined;
    }
    // `10gi` for 10Gi: the binary suffixes are case-sensitive.
    const cased = typeof v === "string" ? /^(\d+(?:\.\d+)?)([kmgtpe])i$/i.exec(v) : null;
    if (typeof v === "string" && cased !== null && !QUANTITY.test(v)) {
      const meant = `${cased[1] ?? ""}${(cased[2] ?? "").toUpperCase()}i`;
      this.raw(key);
      this.problem(
        key,
        `must be a Kubernetes quantity such as 500m, 256Mi or 20Gi, got ${describe(v)}`,
        `did you mean ${meant}? the suffixes are case-sensitive: set \`${setCommand(this.join(key), meant)}\``,
      );
      return undefined;
    }
    return this.optionalString(key, {
      re: QUANTITY,
      what: "a Kubernetes quantity such as 500m, 256Mi or 20Gi",
      example,
    });
  }

  /**
   * A volume size: a quantity from 1Mi to 64Ti. A claim of 0 cannot be bound, `500m` is half a
   * byte (m is milli), and 64Ti is the largest single disk EBS, Persistent Disk and Azure offer.
   */
  optionalSize(key: string, example: string): string | undefined {
    const size = this.optionalQuantity(key, example);
    if (size === undefined) return undefined;
    const m = QUANTITY.exec(size);
    const bytes = quantityValue(size);
    if (bytes <= 0) {
      this.problem(
        key,
        `must be more than 0, got ${describe(size)}`,
        `set a size, e.g. \`${setCommand(this.join(key), example)}\``,
      );
      return undefined;
    }
    if (m?.[3] === "m" || bytes < MIN_VOLUME_BYTES) {
      const meant = `${m?.[1] ?? ""}${m?.[3] === "m" ? "Mi" : "Gi"}`;
      this.problem(
        key,
        m?.[3] === "m"
          ? `is ${size}, thousandths of a byte (m means milli in a Kubernetes quantity)`
          : `is ${size} bytes, too small for a volume (at least 1Mi)`,
        `did you mean ${meant}? set \`${setCommand(this.join(key), meant)}\``,
      );
      return undefined;
    }
    if (bytes > MAX_VOLUME_BYTES) {
      this.problem(
        key,
        `is ${size}, more than 64Ti, the largest single disk EBS, Persistent Disk and Azure Disk offer`,
        `set a size of at most 64Ti, e.g. \`${setCommand(this.join(key), example)}\``,
      );
      return undefined;
    }
    return size;
  }

  size(key: string, fallback: string): string {
    return this.optionalSize(key, fallback) ?? fallback;
  }

  quantity(key: string, fallback: string): string {
    return this.optionalQuantity(key, fallback) ?? fallback;
  }

  /** Reports every key the program does not read: a typo must not silently do nothing. */
  done(): void {
    for (const key of this.keys()) {
      if (!this.seen.has(key)) {
        const known = [...this.seen].sort().join(", ");
        this.problem(key, "is not a known key", `remove it or use one of: ${known}`);
      }
    }
  }
}

export const patterns = { DURATION, QUANTITY, K8S_NAME };
