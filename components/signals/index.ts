export { Signals } from "./signals";
export type { SignalsArgs, SignalsSummary } from "./signals";
export { signalsPlan, stackSignals } from "./plan";
export type { SignalsPlan, SignalsPlanArgs, StackSignalsArgs } from "./plan";
export { readSignals, SIGNALS_KEY, SIGNALS_FIELDS, DEFAULT_SIGNALS_DIRECTORY } from "./config";
export type { LatencySli, RatioSli, ScrapeTargetConfig, SignalsConfig, SliConfig, SloConfig } from "./config";
export { projectRoot, readSignalFiles } from "./files";
export type { SignalFiles } from "./files";
export { checkDashboardFile, dashboardConfigMapName, CONFIGMAP_LIMIT } from "./dashboard-files";
export type { KnownDatasource, SignalDashboard } from "./dashboard-files";
export { checkRuleFile, durationProblem, ruleFileSpec, ruleResourceName } from "./rules";
export type { PromRule, PromRuleGroup, RuleFile } from "./rules";
export { promqlSyntaxError } from "./promql";
export { formatFileProblem, SignalsFileError } from "./problems";
export type { FileProblem } from "./problems";
export { scrapeTargetMonitor, scrapeTargetName } from "./scrape-targets";
export {
  ALERT_WINDOWS,
  BURN_ALERTS,
  burnExpr,
  errorBudget,
  errorRatioExpr,
  errorRatioRecord,
  sliSelectors,
  sloGroupName,
  sloResourceName,
  sloRuleGroup,
} from "./slo";
export {
  burnSeries,
  parseSelector,
  sloPromtoolTests,
  PAGE_DETECTION_MINUTES,
  PAGE_TEST_BURN,
  QUIET_TEST_BURN,
} from "./slo-tests";
export { sloDashboard, SLO_DASHBOARD_UID, SLO_DASHBOARD_CONFIGMAP } from "./slo-dashboard";
export { signalsPart } from "./part";
export type { SignalsRuns, SignalsSlice, SignalsView } from "./part";
