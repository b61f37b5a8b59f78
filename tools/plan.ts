/**
 * The offline plan: `npm run plan -- --stack <name> [--json]` runs the program under the Pulumi
 * mocks runtime with the stack's real config file and prints every resource it would declare,
 * with parents, dependsOn and inputs (Helm values in full). No cluster, backend or passphrase.
 */
import * as pulumi from "@pulumi/pulumi";
import { planWithWarnings, renderJson, renderText } from "./lib/plan";
import { parseCli, runMain } from "./lib/cli";
import { findProjectDir, readStackConfig, StackFileError } from "./lib/stack-file";

const USAGE = "usage: npm run plan -- --stack <name> [--json]";

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv, { usage: USAGE, values: ["stack"], flags: ["json"] });
  if (args.kind === "exit") return args.code;
  const { stack } = args.values;
  const { json } = args.flags;
  try {
    const { plan, warnings } = await planWithWarnings(readStackConfig(findProjectDir(__dirname), stack));
    // As `pulumi preview` shows them: apart from the plan, so `--json` stays one document.
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    process.stdout.write(json ? renderJson(plan) : renderText(plan));
    return 0;
  } catch (err) {
    // A user mistake gets its message alone; anything else is a bug and keeps its stack trace.
    // A ConfigError is a RunError from a fresh load of the program (runProgram reloads it), so
    // `instanceof ConfigError` would not match it: RunError.isInstance checks its marker.
    if (pulumi.RunError.isInstance(err) || err instanceof StackFileError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

runMain(() => main(process.argv.slice(2)));
