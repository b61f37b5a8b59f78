/**
 * The URN lists: `npm run urns` writes urns/<stack>.txt for every stack file, the reviewed list of
 * the names under which the engine knows each resource. Run it when a rename is deliberate (with
 * its alias) or resources are added or removed on purpose, and commit the change with the code.
 */
import * as fs from "fs";
import * as path from "path";
import { parseCli, runMain } from "./lib/cli";
import { buildPlan } from "./lib/plan";
import { findProjectDir, readStackConfig } from "./lib/stack-file";
import { renderUrnList, URN_DIR, urnListFile } from "./lib/urn-list";

const USAGE = "usage: npm run urns";

async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv, { usage: USAGE, values: [], flags: [] });
  if (args.kind === "exit") return args.code;
  const dir = findProjectDir(__dirname);
  const stacks = fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
  fs.mkdirSync(path.join(dir, URN_DIR), { recursive: true });
  for (const stack of stacks) {
    const plan = await buildPlan(dir, stack);
    const file = urnListFile(dir, stack);
    fs.writeFileSync(file, renderUrnList(plan, readStackConfig(dir, stack).project));
    process.stdout.write(`wrote ${path.relative(dir, file)}: ${String(plan.resources.length)} URNs\n`);
  }
  return 0;
}

runMain(() => main(process.argv.slice(2)));
