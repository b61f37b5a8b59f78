import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
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

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI would hand them to the
 * program, without a backend or passphrase: a `secure:` value is never decrypted; it becomes
 * "[secret]" and its key is marked secret, so the program treats it exactly as a real secret.
 */
export function readStackConfig(dir: string, stack: string): StackConfigInput {
  const projectFile = path.join(dir, "Pulumi.yaml");
  const projectDoc = parse(fs.readFileSync(projectFile, "utf8")) as {
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
  const doc = (parse(fs.readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(doc.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
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
