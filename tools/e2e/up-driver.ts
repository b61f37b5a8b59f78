/**
 * One `pulumi up` of a stack in a process of its own, for the fault-injection suite
 * (test/e2e/interruptions.e2e.ts): the suite starts it in a new process group and kills that group
 * (this Node process, which serves the inline program, the Pulumi CLI and the provider it runs)
 * the way a CI job timeout or a Ctrl-C ends `pulumi up`.
 *
 *   node bin/tools/e2e/up-driver.js '<json of DriverArgs>'
 *
 * Every engine step is written to stdout as one JSON line `{"step": {...}}`, and the outcome last
 * as `{"result": "succeeded"}` or `{"error": "..."}`.
 */
import { EventLog, openStack, REPO_ROOT, StackName, Step } from "./engine";
import { deepMerge, readOverlay } from "./engine";

export interface DriverArgs {
  stack: StackName;
  backendStackName: string;
  workDir: string;
  /** Config merged over the test overlay (e.g. a changed value for an upgrade). */
  config?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as DriverArgs;
  const overlay = readOverlay(args.stack);
  const stack = await openStack({
    stack: args.stack,
    backendStackName: args.backendStackName,
    root: REPO_ROOT,
    workDir: args.workDir,
    overlay: { ...overlay, config: deepMerge(overlay.config, args.config ?? {}) as Record<string, unknown> },
  });
  const log = new EventLog();
  let written = 0;
  const flush = () => {
    for (const s of log.steps.slice(written))
      process.stdout.write(`${JSON.stringify({ step: s satisfies Step })}\n`);
    written = log.steps.length;
  };
  try {
    await stack.up({
      color: "never",
      onEvent: (e) => {
        log.onEvent(e);
        flush();
      },
    });
    flush();
    process.stdout.write(`${JSON.stringify({ result: "succeeded" })}\n`);
  } catch (e) {
    flush();
    const diagnostics = log.diagnostics.filter((d) => d.startsWith("error")).slice(-5);
    process.stdout.write(
      `${JSON.stringify({ error: diagnostics.length > 0 ? diagnostics : [String(e).slice(0, 2000)] })}\n`,
    );
    process.exitCode = 1;
  }
}

void main();
