import * as fs from "fs";
import { UpstreamPart, upstreamPath } from "../../tools/lib/upstream";

export { upstreamPath };

/** Why the upstream `part` cannot be read, or undefined when it can. */
export function upstreamMissing(part: UpstreamPart): string | undefined {
  const dir = upstreamPath(part);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) return undefined;
  return `the upstream ${part} are not at ${dir}`;
}

/** What gets the upstream files, in the skip summary and the CI failure alike. */
export const UPSTREAM_COMMAND = "npm run fetch:upstream";

/**
 * The checks skipped in this mocha process for want of upstream files, by reason. Kept on
 * globalThis: the summary reporter reads it, and mocha may load this module more than once.
 */
const SKIPS = Symbol.for("observability-stack.upstream-skips");

function skips(): Map<string, number> {
  const g = globalThis as { [SKIPS]?: Map<string, number> };
  return (g[SKIPS] ??= new Map<string, number>());
}

/**
 * The one summary line for checks skipped without the upstream files (the count, where they were
 * looked for, the command that gets them), or undefined when none was skipped.
 */
export function upstreamSkipSummary(counts: ReadonlyMap<string, number> = skips()): string | undefined {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const checks = total === 1 ? "1 check" : `${total} checks`;
  return `${checks} skipped: ${[...counts.keys()].sort().join("; ")}; run \`${UPSTREAM_COMMAND}\` (needs network) or put ../shared beside the clone`;
}

/**
 * How many tests a skip from this context skips: the test itself, or, from a `before` hook, every
 * test of its suite (mocha reports each of them as pending).
 */
function checksSkippedBy(ctx: Mocha.Context): number {
  const runnable = ctx.test;
  // Mocha sets currentTest in a `before all` hook too, so the hook is told by its kind and title.
  const kind = (runnable as { type?: string } | undefined)?.type;
  if (runnable === undefined || kind !== "hook" || !runnable.title.startsWith('"before all" hook')) return 1;
  return runnable.parent?.total() ?? 1;
}

/**
 * Lets a test that needs the upstream files run. Under CI=true a missing folder fails the test:
 * CI must never pass by skipping the schema and chart checks. Elsewhere the test is skipped, and
 * the suite's summary says in one line how many were skipped and what gets the files.
 */
export function requireUpstream(ctx: Mocha.Context, part: UpstreamPart): void {
  const why = upstreamMissing(part);
  if (why === undefined) return;
  if (process.env["CI"] === "true") {
    throw new Error(`${why}; run \`${UPSTREAM_COMMAND}\` (CI=true: CI must provide them)`);
  }
  skips().set(why, (skips().get(why) ?? 0) + checksSkippedBy(ctx));
  ctx.skip();
}
