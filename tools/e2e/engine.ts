import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as auto from "@pulumi/pulumi/automation";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

/**
 * The real Pulumi engine on the program, through the Automation API with an inline program: the
 * Node process runs the program and serves it to the CLI, so no Node.js language host is needed.
 * State lives in the local backend that tools/e2e/run.sh sets up (PULUMI_BACKEND_URL=file://...).
 */

export type StackName = "dev" | "prod";

/** The repository root: the revision under test. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * The inline program of one revision of the project, compiled into `<root>/bin`. A revision that
 * has components/program.ts exports the program as `observabilityProgram`; an older one declared
 * its resources when index.ts was loaded, which the inline program does by loading it.
 * The revision's own modules are unloaded first, so each run declares everything afresh.
 */
export function programOf(root: string, transform?: pulumi.ResourceTransformation): auto.PulumiFn {
  const bin = path.join(root, "bin");
  return async () => {
    for (const id of Object.keys(require.cache)) {
      if (id.startsWith(bin + path.sep)) {
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
        delete require.cache[id];
      }
    }
    if (transform !== undefined) pulumi.runtime.registerStackTransformation(transform);
    const programFile = path.join(bin, "components", "program.js");
    if (fs.existsSync(programFile)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(programFile) as { observabilityProgram: () => Promise<Record<string, unknown>> };
      return mod.observabilityProgram();
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(bin, "index.js")) as unknown;
    if (typeof mod === "function") return (mod as () => Promise<Record<string, unknown>>)();
    return mod as Record<string, unknown>;
  };
}

/** Plain objects are merged key by key; anything else in `over` replaces what is in `base`. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** What a test overlay holds: plain config merged into the stack file, and secret config. */
export interface Overlay {
  config: Record<string, unknown>;
  secrets: Record<string, string>;
}

/**
 * Reads tools/e2e/overlays/<stack>.yaml (kind-<stack>.yaml on kind), filling in `${VAR}` from the environment (the test
 * cluster's context, the chart mirror's URL).
 */
export function readOverlay(stack: string): Overlay {
  // On kind (the GitHub workflow) the stack runs as users run it, from the public repositories.
  const prefix = process.env["E2E_TARGET"] === "kind" ? "kind-" : "";
  const file = path.join(REPO_ROOT, "tools", "e2e", "overlays", `${prefix}${stack}.yaml`);
  const text = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((line) =>
      line.trimStart().startsWith("#")
        ? line
        : line.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
            const value = process.env[name];
            if (value === undefined) throw new Error(`${file}: ${name} is not set in the environment`);
            return value;
          }),
    )
    .join("\n");
  const doc = parseYaml(text) as { config?: Record<string, unknown>; secrets?: Record<string, string> };
  return { config: doc.config ?? {}, secrets: doc.secrets ?? {} };
}

export interface OpenStackOptions {
  stack: StackName;
  /** The stack's name in the backend; defaults to `stack`. */
  backendStackName?: string;
  /** The revision whose Pulumi.yaml, stack file and compiled program run. */
  root: string;
  /** Where the workspace's Pulumi.yaml and stack file are written. */
  workDir: string;
  overlay: Overlay;
  transform?: pulumi.ResourceTransformation;
}

let pulumiCommand: Promise<auto.PulumiCommand> | undefined;

/** The CLI that tools/e2e/build-binaries.sh built (E2E_PULUMI_ROOT/bin/pulumi). */
export function cli(): Promise<auto.PulumiCommand> {
  const root = process.env["E2E_PULUMI_ROOT"];
  if (root === undefined) throw new Error("E2E_PULUMI_ROOT is unset: run through tools/e2e/run.sh");
  pulumiCommand ??= auto.PulumiCommand.get({ root });
  return pulumiCommand;
}

/**
 * A stack of the given revision in a fresh workspace: its Pulumi.yaml, its stack file with the
 * test overlay merged in, the overlay's secrets set with `--secret`.
 */
export async function openStack(opts: OpenStackOptions): Promise<auto.Stack> {
  fs.mkdirSync(opts.workDir, { recursive: true });
  fs.copyFileSync(path.join(opts.root, "Pulumi.yaml"), path.join(opts.workDir, "Pulumi.yaml"));
  const name = opts.backendStackName ?? opts.stack;
  const stack = await auto.LocalWorkspace.createOrSelectStack(
    { stackName: name, projectName: "observability", program: programOf(opts.root, opts.transform) },
    { workDir: opts.workDir, pulumiCommand: await cli() },
  );
  // The stack file of the revision, with the overlay over it; `stack init` wrote its salt there.
  const stackFile = path.join(opts.workDir, `Pulumi.${name}.yaml`);
  const written = (fs.existsSync(stackFile) ? parseYaml(fs.readFileSync(stackFile, "utf8")) : {}) as Record<
    string,
    unknown
  >;
  const source = parseYaml(fs.readFileSync(path.join(opts.root, `Pulumi.${opts.stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const overlayConfig = Object.fromEntries(
    Object.entries(opts.overlay.config).map(([k, v]) => [k.includes(":") ? k : `observability:${k}`, v]),
  );
  const config = deepMerge(source.config ?? {}, overlayConfig);
  fs.writeFileSync(stackFile, stringifyYaml({ ...written, config }));
  for (const [key, value] of Object.entries(opts.overlay.secrets)) {
    await stack.setConfig(`observability:${key}`, { value, secret: true });
  }
  return stack;
}

/** One step the engine took, from its event stream. */
export interface Step {
  seq: number;
  /** "pre" when the step started, "outputs" when it finished, "failed" when it failed. */
  phase: "pre" | "outputs" | "failed";
  op: auto.OpType;
  urn: string;
  type: string;
}

/** Collects the engine's steps and diagnostics of one operation. */
export class EventLog {
  readonly steps: Step[] = [];
  readonly diagnostics: string[] = [];
  private seq = 0;

  readonly onEvent = (e: auto.EngineEvent): void => {
    const push = (phase: Step["phase"], m: auto.StepEventMetadata | undefined) => {
      if (m === undefined) return;
      this.steps.push({ seq: this.seq++, phase, op: m.op, urn: m.urn, type: m.type });
    };
    if (e.resourcePreEvent !== undefined) push("pre", e.resourcePreEvent.metadata);
    if (e.resOutputsEvent !== undefined) push("outputs", e.resOutputsEvent.metadata);
    if (e.resOpFailedEvent !== undefined) push("failed", e.resOpFailedEvent.metadata);
    if (e.diagnosticEvent !== undefined && ["error", "warning"].includes(e.diagnosticEvent.severity)) {
      this.diagnostics.push(
        `${e.diagnosticEvent.severity}: ${e.diagnosticEvent.urn ?? ""} ${e.diagnosticEvent.message.trim()}`,
      );
    }
  };

  /** Steps that are not "same", by operation: what the engine changed. */
  changes(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const s of this.steps) {
      if (s.phase !== "pre" || s.op === "same" || s.op === "read" || s.op === "refresh") continue;
      const list = out.get(s.op) ?? [];
      list.push(s.urn);
      out.set(s.op, list);
    }
    return out;
  }
}

/** The last part of a URN: the resource's name. */
export function urnName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** The resource type of a URN (the last `$`-separated part of its type path). */
export function urnType(urn: string): string {
  const typePath = urn.split("::")[2] ?? "";
  return typePath.split("$").pop() ?? typePath;
}

/** Seconds since `start`, to one decimal. */
export function since(start: number): number {
  return Math.round((Date.now() - start) / 100) / 10;
}
