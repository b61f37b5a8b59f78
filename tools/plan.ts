/**
 * The offline plan: `npm run plan -- --stack <name> [--json]` runs the program under the Pulumi
 * mocks runtime with the stack's real config file and prints every resource it would declare,
 * with parents, dependsOn and inputs (Helm values in full). No cluster, backend or passphrase.
 */
import * as pulumi from "@pulumi/pulumi";
import { buildPlan, renderJson, renderText } from "./lib/plan";
import { findProjectDir, StackFileError } from "./lib/stack-file";

const USAGE = "usage: npm run plan -- --stack <name> [--json]";

async function main(argv: string[]): Promise<number> {
  let stack: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--stack") stack = argv[++i];
    else if (arg?.startsWith("--stack=")) stack = arg.slice("--stack=".length);
    else if (arg === "--json") json = true;
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else {
      process.stderr.write(`unknown argument ${String(arg)}\n${USAGE}\n`);
      return 2;
    }
  }
  if (stack === undefined || stack === "") {
    process.stderr.write(`--stack is required\n${USAGE}\n`);
    return 2;
  }
  try {
    const plan = await buildPlan(findProjectDir(__dirname), stack);
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

main(process.argv.slice(2)).then(
  // Exit once stdout has drained: process.exit() would cut a large plan written to a pipe.
  (code) => process.stdout.write("", () => process.exit(code)),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
