import * as fs from "fs";
import { UpstreamPart, upstreamPath } from "../../tools/lib/upstream";

export { upstreamPath };

/** Why the upstream `part` cannot be read, or undefined when it can. */
export function upstreamMissing(part: UpstreamPart): string | undefined {
  const dir = upstreamPath(part);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) return undefined;
  return `the upstream ${part} are not at ${dir}; put ../shared beside the clone or run \`npm run fetch:upstream\` (needs network)`;
}

/**
 * Lets a test that needs the upstream files run. Under CI=true a missing folder fails the test:
 * CI must never pass by skipping the schema and chart checks. Elsewhere the test is skipped and
 * says why and what to run.
 */
export function requireUpstream(ctx: Mocha.Context, part: UpstreamPart): void {
  const why = upstreamMissing(part);
  if (why === undefined) return;
  if (process.env["CI"] === "true") throw new Error(`${why} (CI=true: CI must provide them)`);
  console.warn(`      skipped: ${why}`);
  ctx.skip();
}
