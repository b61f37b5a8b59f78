import * as fs from "fs";
import * as path from "path";
import { Document, parseDocument, YAMLError } from "yaml";
import { SECRET_PLACEHOLDER } from "./run-program";

export interface StackConfigInput {
  project: string;
  stack: string;
  /** `<namespace>:<key>` to the string Pulumi would hand the program (objects as JSON). */
  config: Record<string, string>;
  secretKeys: string[];
}

function isSecure(v: unknown): boolean {
  return (
    v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v
  );
}

/** Replaces `secure:` leaves with "[secret]"; reports whether it found any. */
function stripSecure(v: unknown): { value: unknown; secret: boolean } {
  if (isSecure(v)) return { value: SECRET_PLACEHOLDER, secret: true };
  if (Array.isArray(v)) {
    const parts = v.map(stripSecure);
    return { value: parts.map((p) => p.value), secret: parts.some((p) => p.secret) };
  }
  if (v !== null && typeof v === "object") {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      const p = stripSecure(child);
      out[k] = p.value;
      secret ||= p.secret;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}

/** What to do about each kind of YAML mistake a hand-edited stack file shows. */
const YAML_FIXES: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: "a tab indents this line, and YAML indents with spaces only; replace the tab with spaces",
  BAD_INDENT:
    "this line is indented differently from the keys beside it; indent the keys of one block by the same number of spaces",
  DUPLICATE_KEY: "this key appears twice in one block, which the Pulumi CLI refuses; keep one of them",
  BLOCK_AS_IMPLICIT_KEY:
    "this line is indented deeper than the key above it, which has a value already; indent it as that key's sibling, or move the value under the key",
  MULTILINE_IMPLICIT_KEY: "a key runs over more than one line; put each key and its colon on one line",
};

/**
 * The first syntax error of a YAML file as one line, `file:line:column: what to fix`, or none.
 * The Pulumi CLI parses stack files before the program runs; the offline plan does it here.
 */
export function yamlSyntaxError(file: string, text: string): string | undefined {
  return syntaxErrorOf(file, text, parseDocument(text, { uniqueKeys: true }));
}

function syntaxErrorOf(file: string, text: string, doc: Document.Parsed): string | undefined {
  const err: YAMLError | undefined = doc.errors[0];
  if (err === undefined) return undefined;
  // YAML notices an unclosed [ or { only where the next key starts: point at the bracket instead.
  if (/^Flow (sequence|map)/.test(err.message)) {
    const open = unclosedBracket(text, err.pos[0]);
    if (open !== undefined) {
      const what = open.char === "[" ? "list" : "map";
      const close = open.char === "[" ? "]" : "}";
      return `${file}:${open.line}:${open.col}: this ${open.char} opens a ${what} that is never closed; end it with ${close} on the same line`;
    }
  }
  const at = err.linePos?.[0];
  const where = at !== undefined ? `${file}:${at.line}:${at.col}` : file;
  // YAML's own words, without the position it repeats, when there is no fix of ours.
  const own = err.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? err.code;
  return `${where}: ${YAML_FIXES[err.code] ?? `${own}; check this line's indentation and quoting`}`;
}

/** The innermost [ or { before `end` that no bracket closes, outside quotes and comments. */
function unclosedBracket(text: string, end: number): { char: string; line: number; col: number } | undefined {
  const open: { char: string; at: number }[] = [];
  let quote: string | undefined;
  for (let i = 0; i < end && i < text.length; i++) {
    const c = text.charAt(i);
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(text.charAt(i - 1)))) {
      while (i < end && text.charAt(i) !== "\n") i++;
    } else if (c === "[" || c === "{") {
      open.push({ char: c, at: i });
    } else if (c === "]" || c === "}") {
      open.pop();
    }
  }
  const last = open.at(-1);
  if (last === undefined) return undefined;
  const before = text.slice(0, last.at).split("\n");
  return { char: last.char, line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

/** A YAML file as data; a syntax error is one line that says where and what to fix. */
function parseYamlFile(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  let data = parsedFiles.get(text);
  if (data === undefined) {
    const doc = parseDocument(text, { uniqueKeys: true });
    const error = syntaxErrorOf(path.basename(file), text, doc);
    if (error !== undefined) throw new StackFileError(error);
    data = doc.toJS() as unknown;
    parsedFiles.set(text, data);
  }
  return structuredClone(data);
}

/** Parsed files by their text: tests and tools read the same stack files many times a run. */
const parsedFiles = new Map<string, unknown>();

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI would hand them to the
 * program, without a backend or passphrase: a `secure:` value is never decrypted; it becomes
 * "[secret]" and its key is marked secret, so the program treats it exactly as a real secret.
 */
export function readStackConfig(dir: string, stack: string): StackConfigInput {
  const projectFile = path.join(dir, "Pulumi.yaml");
  const projectDoc = parseYamlFile(projectFile) as {
    name?: unknown;
    config?: Record<string, { default?: unknown; value?: unknown } | null>;
  };
  const project = projectDoc.name;
  if (typeof project !== "string") throw new Error(`${projectFile} has no project name`);
  const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    const known = fs
      .readdirSync(dir)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort();
    throw new StackFileError(`no stack file ${path.basename(stackFile)}; known stacks: ${known.join(", ")}`);
  }
  const doc = (parseYamlFile(stackFile) ?? {}) as { config?: unknown };
  const name = path.basename(stackFile);
  if (
    doc.config !== undefined &&
    doc.config !== null &&
    (typeof doc.config !== "object" || Array.isArray(doc.config))
  ) {
    throw new StackFileError(
      `${name}: config: must be a mapping of keys to values, got ${Array.isArray(doc.config) ? "a list" : typeof doc.config}; write each key as \`  ${project}:<key>: <value>\` under config:, without a leading -`,
    );
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const spelledAs = new Map<string, string>();
  for (const [rawKey, rawValue] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    // `loki` is `observability:loki`: one of the two would silently win.
    const other = spelledAs.get(key);
    if (other !== undefined) {
      throw new StackFileError(
        `${name}: config: ${other} and ${rawKey} are the same key (a key without a prefix is the project's); keep one of them`,
      );
    }
    spelledAs.set(key, rawKey);
    const { value, secret } = stripSecure(rawValue);
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
    if (secret) secretKeys.push(key);
  }
  // Like the CLI: a key Pulumi.yaml declares with a default (or value) gets it when the stack lacks it.
  for (const [rawKey, decl] of Object.entries(projectDoc.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    const value = decl?.default ?? decl?.value;
    if (key in config || value === undefined) continue;
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { project, stack, config, secretKeys: secretKeys.sort() };
}

/** The project directory: the nearest folder above `from` that holds Pulumi.yaml. */
export function findProjectDir(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no Pulumi.yaml above ${from}`);
    dir = up;
  }
}

/** A stack that cannot be read: a user mistake, reported without a stack trace. */
export class StackFileError extends Error {}
