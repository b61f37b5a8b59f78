import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { API_VERSIONS, KUBE_VERSION } from "../../tools/lib/render";

/**
 * Whether each values key a release sets is read by its chart: the key's value is changed alone
 * and the release rendered again; a key whose change leaves every rendered object as it was is
 * ignored by the chart (a key that moved or went away in a new major does exactly that).
 */

/** A values key as its path of map keys (keys may hold dots: `grafana.ini`, label names). */
export type KeyPath = readonly string[];

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Every leaf a values tree sets: scalars, lists (a list is one value) and empty maps. */
export function leafPaths(values: unknown, prefix: KeyPath = []): KeyPath[] {
  if (isRecord(values) && Object.keys(values).length > 0) {
    return Object.entries(values).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  }
  return prefix.length > 0 ? [prefix] : [];
}

/** A value of the same kind that differs from `v`, so a chart that reads the key renders otherwise. */
export function perturbed(v: unknown): unknown {
  if (typeof v === "boolean") return !v;
  if (typeof v === "number") return v + 1;
  if (typeof v === "string") return `${v}-perturbed`;
  if (Array.isArray(v)) return v.length > 0 ? v.slice(0, -1) : ["perturbed"];
  if (isRecord(v)) return { perturbed: "perturbed" };
  return "perturbed";
}

/** A copy of `values` without the leaf at `key` (the chart's default takes its place). */
export function withoutLeaf(values: Record<string, unknown>, key: KeyPath): Record<string, unknown> {
  const [head, ...rest] = key;
  if (head === undefined) throw new Error("empty key path");
  if (rest.length === 0) return Object.fromEntries(Object.entries(values).filter(([k]) => k !== head));
  const inner = values[head];
  return isRecord(inner) ? { ...values, [head]: withoutLeaf(inner, rest) } : values;
}

/** A copy of `values` with the leaf at `key` replaced. */
export function withLeaf(
  values: Record<string, unknown>,
  key: KeyPath,
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = key;
  if (head === undefined) throw new Error("empty key path");
  const out = { ...values };
  out[head] = rest.length === 0 ? value : withLeaf(isRecord(values[head]) ? values[head] : {}, rest, value);
  return out;
}

export function leafAt(values: unknown, key: KeyPath): unknown {
  let cur = values;
  for (const k of key) cur = isRecord(cur) ? cur[k] : undefined;
  return cur;
}

export interface RenderArgs {
  helm: string;
  archive: string;
  release: string;
  namespace: string;
  values: unknown;
}

/** `helm template` as plan:diff --render runs it, unmasked; resolves to stdout, or to an error's text. */
export function renderText(
  a: RenderArgs,
): Promise<{ ok: true; text: string } | { ok: false; error: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "values-keys-"));
  const file = path.join(dir, "values.json");
  fs.writeFileSync(file, JSON.stringify(a.values ?? {}));
  const args = [
    "template",
    a.release,
    a.archive,
    "--namespace",
    a.namespace,
    "--values",
    file,
    "--kube-version",
    KUBE_VERSION,
    ...API_VERSIONS.flatMap((v) => ["--api-versions", v]),
    // The crds/ folder and the test hooks too: keys that switch them are read at install.
    "--include-crds",
  ];
  return new Promise((resolve) => {
    const child = spawn(a.helm, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("close", (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve(
        code === 0
          ? { ok: true, text: Buffer.concat(out).toString("utf8") }
          : { ok: false, error: Buffer.concat(err).toString("utf8").trim() },
      );
    });
  });
}

/**
 * Lines that differ between two renders of the same values (a chart's random or time-based
 * output); a comparison ignores them. Undefined when the renders differ in length, which no
 * comparison can see through.
 */
export function noisyLines(a: string, b: string): Set<number> | undefined {
  const la = a.split("\n");
  const lb = b.split("\n");
  if (la.length !== lb.length) return undefined;
  const noisy = new Set<number>();
  la.forEach((line, i) => {
    if (line !== lb[i]) noisy.add(i);
  });
  return noisy;
}

/** Whether `other` renders anything other than `base`, outside the noisy lines. */
export function differs(base: string, other: string, noisy: ReadonlySet<number>): boolean {
  const lb = base.split("\n");
  const lo = other.split("\n");
  if (lb.length !== lo.length) return true;
  return lb.some((line, i) => !noisy.has(i) && line !== lo[i]);
}

/** Runs `jobs` with at most `width` at a time, results in order. */
export async function pool<T>(jobs: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i];
      if (job !== undefined) results[i] = await job();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, jobs.length)) }, worker));
  return results;
}
