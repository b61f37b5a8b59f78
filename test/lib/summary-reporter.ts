import * as Mocha from "mocha";
import { upstreamSkipSummary } from "./upstream";

/**
 * Mocha's spec reporter, plus one last line CI reads: `<suite>: N passed, N failed, N skipped`;
 * before it, when checks were skipped for want of the upstream files, one line with their count
 * and the command that gets the files.
 * The suite's name comes from `--reporter-option suite=<name>` (default `tests`).
 */
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const settings: unknown = options?.reporterOptions;
    const named = typeof settings === "object" && settings !== null && "suite" in settings;
    const suite = named ? String(settings.suite) : "tests";
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => (passed += 1));
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => (failed += 1));
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, () => (skipped += 1));
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const upstream = upstreamSkipSummary();
      if (upstream !== undefined) console.log(upstream);
      console.log(`${suite}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    });
  }
}

export = SummaryReporter;
