import Mocha from "mocha";

/**
 * Mocha's spec reporter, then one line CI reads: `N passed, N failed` (and how many were skipped).
 * Used by both suites: .mocharc.json and test/e2e/.mocharc.json.
 */
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const stats = runner.stats;
      const passed = stats?.passes ?? 0;
      const failed = stats?.failures ?? 0;
      const skipped = stats?.pending ?? 0;
      console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
    });
  }
}

export = SummaryReporter;
