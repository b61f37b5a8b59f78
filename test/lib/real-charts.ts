import * as fs from "fs";
import * as path from "path";
import { findHelm, renderRelease } from "../../tools/lib/render";
import { DeclaredResource } from "../../tools/lib/run-program";
import { PROJECT_DIR } from "./helpers";
import { requireUpstream, upstreamPath } from "./upstream";

/**
 * The real charts at their pinned versions, from the archives in ../shared/charts (the Helm
 * repository `charts.mirror` would serve), rendered with the values the program sends. Nothing
 * leaves the machine.
 */
export class RealCharts {
  private helm = "";

  /**
   * Finds the chart archives and Helm (the pinned devDependency). Under CI=true a missing chart
   * folder or Helm fails with what to do; elsewhere the suite is skipped, saying why.
   */
  start(ctx: Mocha.Context): void {
    requireUpstream(ctx, "charts");
    try {
      this.helm = findHelm(PROJECT_DIR);
    } catch (err) {
      const why = `${(err as Error).message}: the real-chart checks need Helm`;
      if (process.env["CI"] === "true")
        throw new Error(`${why} (CI=true: CI must provide it)`, { cause: err });
      console.warn(`      skipped: ${why}`);
      ctx.skip();
    }
  }

  /** Every object a Helm release of the program renders to (hooks included; `helm test` pods not). */
  render(release: DeclaredResource): unknown[] {
    const { type, name, dependsOn, inputs } = release;
    const chart = String(inputs["chart"]).split("/").pop() ?? "";
    const archive = path.join(upstreamPath("charts"), `${chart}-${String(inputs["version"])}.tgz`);
    if (!fs.existsSync(archive)) throw new Error(`no chart archive ${archive}`);
    // The release as the program declares it, its chart taken from the archive instead of a repository.
    const local = Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== "repositoryOpts"));
    return renderRelease(this.helm, { type, name, dependsOn, inputs: { ...local, chart: archive } }).map(
      (o) => o.body,
    );
  }
}
