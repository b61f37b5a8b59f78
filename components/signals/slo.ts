import { LatencySli, RatioSli, SELECTOR, SloConfig } from "./config";
import { PromRule, PromRuleGroup } from "./rules";

/** The windows the burn-rate alerts look at, shortest first. */
export const ALERT_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type AlertWindow = (typeof ALERT_WINDOWS)[number];

/** One condition of a burn-rate alert: the error ratio above `factor` × budget over both windows. */
export interface BurnWindow {
  long: AlertWindow;
  short: AlertWindow;
  factor: number;
}

/**
 * The multi-window, multi-burn-rate alerts of the Google SRE workbook (chapter 5, "Alerting on
 * SLOs", table 5-8): a page when 2% of a 30-day budget goes in an hour or 5% in six hours, a
 * ticket when 10% goes in a day or in three days. The short window makes an alert stop soon after
 * the burn stops.
 */
export const BURN_ALERTS = [
  {
    alert: "ErrorBudgetBurnPage",
    severity: "critical",
    windows: [
      { long: "1h", short: "5m", factor: 14.4 },
      { long: "6h", short: "30m", factor: 6 },
    ],
  },
  {
    alert: "ErrorBudgetBurnTicket",
    severity: "warning",
    windows: [
      { long: "1d", short: "2h", factor: 3 },
      { long: "3d", short: "6h", factor: 1 },
    ],
  },
] as const satisfies readonly { alert: string; severity: string; windows: readonly BurnWindow[] }[];

/** The recording rule of the error ratio over a window. */
export function errorRatioRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** The error budget as a ratio: 99.9 % leaves 0.001. Rounded, so 100 - 99.9 is not 0.0999999. */
export function errorBudget(objective: number): number {
  return Number(((100 - objective) / 100).toPrecision(10));
}

/** `sum(rate(<selector>[w]))`, and for a latency SLI the bucket at `le`. */
function withLe(selector: string, le: string): string {
  const m = SELECTOR.exec(selector);
  const name = m?.[1] ?? selector;
  const inner = (m?.[3] ?? "").trim().replace(/,\s*$/, "");
  return `${name}{${inner === "" ? "" : `${inner}, `}le="${le}"}`;
}

/** The good and total event selectors of an SLI. */
export function sliSelectors(sli: RatioSli | LatencySli): { good: string; total: string } {
  if (sli.type === "ratio") return { good: sli.good, total: sli.total };
  return { good: withLe(sli.histogram, String(sli.threshold)), total: withLe(sli.histogram, "+Inf") };
}

/** The share of bad events over `window`: (total - good) / total. No good events count as none. */
export function errorRatioExpr(sli: RatioSli | LatencySli, window: string): string {
  const { good, total } = sliSelectors(sli);
  const t = `sum(rate(${total}[${window}]))`;
  return `(${t} - (sum(rate(${good}[${window}])) or vector(0))) / ${t}`;
}

/** The labels every rule of an SLO carries. */
export function sloLabels(slo: SloConfig): { slo: string; service: string } {
  return { slo: slo.name, service: slo.service };
}

/** The rule group's name. */
export function sloGroupName(slo: SloConfig): string {
  return `slo-${slo.name}`;
}

/** The PrometheusRule that holds an SLO's group. */
export function sloResourceName(slo: SloConfig): string {
  return `signals-slo-${slo.name}`;
}

function windowDays(window: string): number {
  return Number(/^(\d+)d$/.exec(window)?.[1] ?? "30");
}

/** Annotations without templates, so the generated tests can expect them exactly. */
function burnAnnotations(slo: SloConfig, b: (typeof BURN_ALERTS)[number]): Record<string, string> {
  const days = windowDays(slo.window);
  const [fast, slow] = b.windows;
  const exhausted = (factor: number) => {
    const hours = (days * 24) / factor;
    return hours < 48 ? `${String(Math.round(hours))} hours` : `${String(Math.round(hours / 24))} days`;
  };
  return {
    summary: `${slo.service}: SLO ${slo.name} (${String(slo.objective)}% over ${slo.window}) burns its error budget ${String(slow.factor)}x or faster`,
    description:
      `The error ratio of ${slo.name} is above ${String(fast.factor)}x its budget over ${fast.long} and ${fast.short}, ` +
      `or above ${String(slow.factor)}x over ${slow.long} and ${slow.short}: at ${String(fast.factor)}x the ${slo.window} budget is gone in ${exhausted(fast.factor)}, ` +
      `at ${String(slow.factor)}x in ${exhausted(slow.factor)}.${slo.description !== undefined ? ` ${slo.description}` : ""}`,
  };
}

/** A burn-rate alert's expression: either of its window pairs above its factor times the budget. */
export function burnExpr(slo: SloConfig, windows: readonly BurnWindow[]): string {
  const budget = String(errorBudget(slo.objective));
  const sel = `{slo="${slo.name}"}`;
  return windows
    .map((w) => {
      const limit = `(${String(w.factor)} * ${budget})`;
      return `(${errorRatioRecord(w.long)}${sel} > ${limit} and ${errorRatioRecord(w.short)}${sel} > ${limit})`;
    })
    .join("\nor\n");
}

/**
 * An SLO's rule group: the error ratio over each window the alerts need, the ratio over the whole
 * compliance window (the mean of the 5-minute ratio), the objective, the budget and what is left
 * of it, and the page and ticket alerts.
 */
export function sloRuleGroup(slo: SloConfig): PromRuleGroup {
  const labels = sloLabels(slo);
  const budget = errorBudget(slo.objective);
  const sel = `{slo="${slo.name}"}`;
  const records: PromRule[] = ALERT_WINDOWS.map((w) => ({
    record: errorRatioRecord(w),
    expr: errorRatioExpr(slo.sli, w),
    labels: { ...labels },
  }));
  records.push(
    {
      record: errorRatioRecord(slo.window),
      expr: `avg_over_time(${errorRatioRecord("5m")}${sel}[${slo.window}])`,
      labels: { ...labels },
    },
    {
      record: "slo:objective:ratio",
      expr: `vector(${String(Number((slo.objective / 100).toPrecision(10)))})`,
      labels: { ...labels },
    },
    { record: "slo:error_budget:ratio", expr: `vector(${String(budget)})`, labels: { ...labels } },
    {
      record: "slo:error_budget_remaining:ratio",
      expr: `1 - ${errorRatioRecord(slo.window)}${sel} / ${String(budget)}`,
      labels: { ...labels },
    },
  );
  const alerts: PromRule[] = BURN_ALERTS.map((b) => ({
    alert: b.alert,
    expr: burnExpr(slo, b.windows),
    labels: { ...labels, severity: b.severity },
    annotations: burnAnnotations(slo, b),
  }));
  return { name: sloGroupName(slo), rules: [...records, ...alerts] };
}
