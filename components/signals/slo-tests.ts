import { SELECTOR, SloConfig } from "./config";
import { BURN_ALERTS, errorBudget, sloLabels, sloRuleGroup } from "./slo";

/** One label matcher of a selector. */
interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

/** The metric name and matchers of a selector such as `m{job="a",code!~"5.."}`. */
export function parseSelector(selector: string): { metric: string; matchers: Matcher[] } {
  const m = SELECTOR.exec(selector.trim());
  const matchers: Matcher[] = [];
  for (const x of (m?.[3] ?? "").matchAll(
    /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?/g,
  )) {
    matchers.push({
      label: x[1] ?? "",
      op: x[2] as Matcher["op"],
      value: (x[3] ?? "").replace(/\\(.)/g, "$1"),
    });
  }
  return { metric: m?.[1] ?? selector, matchers };
}

function matches(m: Matcher, v: string): boolean {
  switch (m.op) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
      return new RegExp(`^(?:${m.value})$`).test(v);
    case "!~":
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/** Values to try for a label: those the matchers name, then common good and bad ones. */
const POOL = [
  "200",
  "OK",
  "ok",
  "success",
  "true",
  "GET",
  "2xx",
  "500",
  "503",
  "error",
  "failure",
  "false",
  "5xx",
  "x",
  "",
];

/** A value of `label` meeting every `must` matcher and failing `mustFail`, or undefined. */
function valueFor(label: string, must: readonly Matcher[], mustFail?: Matcher): string | undefined {
  const mine = must.filter((m) => m.label === label);
  const candidates = [
    ...mine.filter((m) => m.op === "=").map((m) => m.value),
    // The literal alternatives of a regular expression (`GET|POST`).
    ...[...mine, ...(mustFail !== undefined ? [mustFail] : [])].flatMap((m) =>
      m.op === "=~" || m.op === "!~" ? m.value.split("|").filter((alt) => /^[\w-]+$/.test(alt)) : [],
    ),
    ...POOL,
  ];
  return candidates.find(
    (v) =>
      mine.every((m) => matches(m, v)) &&
      (mustFail === undefined || mustFail.label !== label || !matches(mustFail, v)),
  );
}

/** Labels meeting every matcher of `must` (and failing `mustFail`), as a promtool series. */
function seriesFor(metric: string, must: readonly Matcher[], mustFail?: Matcher): string | undefined {
  const labels = [...new Set([...must, ...(mustFail ? [mustFail] : [])].map((m) => m.label))].sort();
  const parts: string[] = [];
  for (const label of labels) {
    const v = valueFor(label, must, mustFail);
    if (v === undefined) return undefined;
    if (v !== "") parts.push(`${label}="${v.replace(/["\\]/g, "\\$&")}"`);
  }
  return `${metric}{${parts.join(", ")}}`;
}

/** A counter that grows by `healthy` per minute for `minutes`, then by `burning` per minute for `more`. */
function counter(healthy: number, minutes: number, burning: number, more: number): string {
  const n = (x: number) => String(Number(x.toFixed(6)));
  if (minutes === 0) return `0+${n(burning)}x${String(more)}`;
  return `0+${n(healthy)}x${String(minutes)} ${n(healthy * minutes + burning)}+${n(burning)}x${String(more - 1)}`;
}

/** Requests per minute in the synthetic series. */
const RATE = 1000;

/**
 * Input series in which a share `errors` of the SLI's events is bad, after `healthyMinutes` with
 * none: good and bad events of the selectors the SLO names, found by trying label values against
 * its matchers. Throws when no label values fit (the test cannot be generated for that SLI).
 */
export function burnSeries(
  slo: SloConfig,
  errors: number,
  healthyMinutes: number,
  burnMinutes: number,
): { series: string; values: string }[] {
  const good = (e: number) => RATE * (1 - e);
  const bad = (e: number) => RATE * e;
  const fail = (why: string): never => {
    throw new Error(`SLO ${slo.name}: cannot generate its promtool test: ${why}`);
  };
  if (slo.sli.type === "latency") {
    const { metric, matchers } = parseSelector(slo.sli.histogram);
    const base = seriesFor(metric, matchers) ?? fail(`no labels match ${slo.sli.histogram}`);
    const withLe = (le: string) => base.replace(/\}$/, `${base.endsWith("{}") ? "" : ", "}le="${le}"}`);
    return [
      {
        series: withLe(String(slo.sli.threshold)),
        values: counter(good(0), healthyMinutes, good(errors), burnMinutes),
      },
      { series: withLe("+Inf"), values: counter(RATE, healthyMinutes, RATE, burnMinutes) },
    ];
  }
  const g = parseSelector(slo.sli.good);
  const t = parseSelector(slo.sli.total);
  if (g.metric !== t.metric) {
    // Two counters: all events, and the good ones.
    return [
      {
        series: seriesFor(t.metric, t.matchers) ?? fail(`no labels match ${slo.sli.total}`),
        values: counter(RATE, healthyMinutes, RATE, burnMinutes),
      },
      {
        series: seriesFor(g.metric, g.matchers) ?? fail(`no labels match ${slo.sli.good}`),
        values: counter(good(0), healthyMinutes, good(errors), burnMinutes),
      },
    ];
  }
  // One counter: a good series (in good and total) and a bad one (in total, not in good).
  const goodSeries =
    seriesFor(g.metric, [...g.matchers, ...t.matchers]) ??
    fail(`no labels match both ${slo.sli.good} and ${slo.sli.total}`);
  const badSeries =
    g.matchers
      .map((m) => seriesFor(g.metric, [...t.matchers, ...g.matchers.filter((x) => x !== m)], m))
      .find((s) => s !== undefined) ?? fail(`no labels match ${slo.sli.total} but not ${slo.sli.good}`);
  return [
    { series: goodSeries, values: counter(good(0), healthyMinutes, good(errors), burnMinutes) },
    { series: badSeries, values: counter(bad(0), healthyMinutes, bad(errors), burnMinutes) },
  ];
}

function minutes(m: number): string {
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  return `${d > 0 ? `${String(d)}d` : ""}${h > 0 ? `${String(h)}h` : ""}${min > 0 || m === 0 ? `${String(min)}m` : ""}`;
}

/** The burn the page test uses: just above the page's 14.4x, so the long window alone decides. */
export const PAGE_TEST_BURN = 15;
/** The burn the quiet test uses: just under 1x, which spends less than the whole budget. */
export const QUIET_TEST_BURN = 0.95;
/** The workbook's detection time of a 14.4x burn with a 1-hour window: at most the window. */
export const PAGE_DETECTION_MINUTES = 60;

/**
 * promtool unit tests (`promtool test rules`) for an SLO's generated group, in the file
 * `ruleFile`: a burn of PAGE_TEST_BURN x the budget, after six healthy hours, fires the page
 * alert within an hour (and not ten minutes earlier); a steady burn of QUIET_TEST_BURN x fires
 * neither alert at any checkpoint of 30 hours.
 */
export function sloPromtoolTests(slo: SloConfig, ruleFile: string): Record<string, unknown> {
  const budget = errorBudget(slo.objective);
  const labels = sloLabels(slo);
  const [page, ticket] = BURN_ALERTS;
  const group = sloRuleGroup(slo);
  const annotationsOf = (alert: string) => group.rules.find((r) => r.alert === alert)?.annotations ?? {};
  const healthy = 6 * 60;
  const pageTest = {
    name: `${slo.name}: a ${String(PAGE_TEST_BURN)}x burn pages within ${String(PAGE_DETECTION_MINUTES)} minutes`,
    interval: "1m",
    input_series: burnSeries(slo, PAGE_TEST_BURN * budget, healthy, 2 * 60),
    alert_rule_test: [
      { eval_time: minutes(healthy + PAGE_DETECTION_MINUTES - 10), alertname: page.alert, exp_alerts: [] },
      {
        eval_time: minutes(healthy + PAGE_DETECTION_MINUTES),
        alertname: page.alert,
        exp_alerts: [
          { exp_labels: { ...labels, severity: page.severity }, exp_annotations: annotationsOf(page.alert) },
        ],
      },
    ],
  };
  // A steady burn from the start gives every window the same ratio as soon as it has two samples,
  // so 30 hours cover every alert window's comparison; three days would repeat them at 6x the cost.
  const quietMinutes = 30 * 60;
  const checkpoints = [5, 60, 6 * 60, 1440, quietMinutes];
  const quietTest = {
    name: `${slo.name}: a ${String(QUIET_TEST_BURN)}x burn never alerts`,
    interval: "1m",
    input_series: burnSeries(slo, QUIET_TEST_BURN * budget, 0, quietMinutes),
    alert_rule_test: checkpoints.flatMap((m) =>
      [page, ticket].map((b) => ({ eval_time: minutes(m), alertname: b.alert, exp_alerts: [] })),
    ),
  };
  return { rule_files: [ruleFile], evaluation_interval: "1m", tests: [pageTest, quietTest] };
}
