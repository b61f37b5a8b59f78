import { PlanDocument, planFromRun } from "../../tools/lib/plan";
import { DeclaredResource, ProgramRun, runProgram } from "../../tools/lib/run-program";
import { findProjectDir, readStackConfig, StackConfigInput } from "../../tools/lib/stack-file";

export const PROJECT_DIR = findProjectDir(__dirname);
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** The stack file's config as the program receives it, with overrides (`observability:<key>`). */
export function stackInput(
  stack: string,
  overrides: Record<string, unknown> = {},
  secrets: Record<string, string> = {},
): StackConfigInput {
  const input = readStackConfig(PROJECT_DIR, stack);
  const config = { ...input.config };
  for (const [key, value] of Object.entries(overrides)) {
    config[`observability:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  for (const [key, value] of Object.entries(secrets)) config[`observability:${key}`] = value;
  const secretKeys = [...input.secretKeys, ...Object.keys(secrets).map((k) => `observability:${k}`)].sort();
  return { ...input, config, secretKeys };
}

/** The stack file's own config objects, parsed (`cluster`, `prometheus`, ...). */
export function stackRawConfig(stack: string): Record<string, unknown> {
  const input = readStackConfig(PROJECT_DIR, stack);
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input.config)) {
    const short = key.replace(/^observability:/, "");
    raw[short] = value.startsWith("{") || value.startsWith("[") ? (JSON.parse(value) as unknown) : value;
  }
  return raw;
}

/** Freezes a value and everything in it, so a test that edits a shared run fails loudly. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/**
 * One frozen result per input and test process, shared by every caller. A failure is not kept:
 * the next caller sees it again.
 */
function shared<T>(
  cache: Map<string, Promise<T>>,
  input: StackConfigInput,
  make: () => Promise<T>,
): Promise<T> {
  const key = JSON.stringify(input);
  let result = cache.get(key);
  if (result === undefined) {
    result = make().then(deepFreeze);
    cache.set(key, result);
    result.catch(() => cache.delete(key));
  }
  return result;
}

const runs = new Map<string, Promise<ProgramRun>>();

/**
 * The program under mocks with this config. The program is a pure function of its config, so
 * the same input is run once per test process and its (frozen) result shared; a test that needs
 * the run itself (what it logs, a failure) calls runProgram.
 */
export async function run(input: StackConfigInput): Promise<ProgramRun> {
  return shared(runs, input, () => runProgram(input));
}

/** The message the program fails with under this config; fails itself when the program runs. */
export async function programError(input: StackConfigInput): Promise<string> {
  try {
    await runProgram(input);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the program to fail");
}

/** The plan of a stack file's config, from the shared run (frozen like it). */
export async function plan(stack: string): Promise<PlanDocument> {
  return planOf(readStackConfig(PROJECT_DIR, stack));
}

const plans = new Map<string, Promise<PlanDocument>>();

/** The plan under this config, from the shared run; built once per test process. */
export async function planOf(input: StackConfigInput): Promise<PlanDocument> {
  return shared(plans, input, async () => planFromRun(input, await run(input)));
}

/** The one resource of that type and name; fails loudly when there is none or more. */
export function find(resources: readonly DeclaredResource[], type: string, name: string): DeclaredResource {
  const found = resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    const names = resources.filter((r) => r.type === type).map((r) => r.name);
    throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${names.join(", ")})`);
  }
  return found[0] as DeclaredResource;
}

export function releases(resources: readonly DeclaredResource[]): DeclaredResource[] {
  return resources.filter((r) => r.type === HELM_RELEASE);
}

export function release(resources: readonly DeclaredResource[], name: string): DeclaredResource {
  return find(resources, HELM_RELEASE, name);
}

/** A values path of a release, e.g. `prometheus.prometheusSpec.replicas`. */
export function valueOf(r: DeclaredResource, dotted: string): unknown {
  let cur: unknown = r.inputs["values"];
  for (const part of dotted.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
