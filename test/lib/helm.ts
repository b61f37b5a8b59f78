import { findHelm } from "../../tools/lib/helm";

/**
 * Lets a test that needs helm run, and returns the binary. Under CI=true a missing helm fails the
 * test, as missing charts do: CI must never pass by skipping the render. Elsewhere the test is
 * skipped and says why.
 */
export function requireHelm(ctx: Mocha.Context): string {
  const found = findHelm();
  if ("helm" in found) return found.helm;
  if (process.env["CI"] === "true") throw new Error(`${found.missing} (CI=true: CI must provide helm)`);
  console.warn(`      skipped: ${found.missing}`);
  ctx.skip();
}
