import * as units from "@grafana/grafana-foundation-sdk/units";
import type { DatasourceRef, Step } from "../grafana";
import {
  bigNumber,
  classicDashboard,
  graph,
  labelValues,
  promInstant,
  promRange,
  renderDashboard,
  withRows,
} from "../grafana";
import type { SignalDashboard } from "./dashboard-files";
import { BURN_ALERTS, errorRatioRecord } from "./slo";

/** The error-budget dashboard's uid: fixed, so links to it survive. */
export const SLO_DASHBOARD_UID = "signals-error-budgets";
/** Its ConfigMap. */
export const SLO_DASHBOARD_CONFIGMAP = "grafana-dashboard-signals-error-budgets";

const SLO = 'slo=~"$slo"';
const LEGEND = "{{service}} / {{slo}}";

/** Burn rate over a window: the error ratio divided by the budget (1x spends it exactly in the SLO window). */
function burn(window: string): string {
  return `${errorRatioRecord(window)}{${SLO}} / on (slo, service) slo:error_budget:ratio{${SLO}}`;
}

const SPENT = `1 - slo:error_budget_remaining:ratio{${SLO}}`;
const SLI_WINDOW = `1 - (1 - slo:error_budget_remaining:ratio{${SLO}}) * on (slo, service) slo:error_budget:ratio{${SLO}}`;

/**
 * The error-budget dashboard of every SLO, built with the Grafana Foundation SDK like the
 * project's own: how much of each budget is spent, the SLI over its window, and the burn rates
 * over the windows the page and ticket alerts look at, coloured at their factors.
 */
export function sloDashboard(prom: DatasourceRef, folder: string): SignalDashboard {
  const title = "Error budgets";
  const [page, ticket] = BURN_ALERTS;
  const pageSteps: Step[] = [
    { value: page.windows[1].factor, color: "orange" },
    { value: page.windows[0].factor, color: "red" },
  ];
  const ticketSteps: Step[] = [
    { value: ticket.windows[1].factor, color: "orange" },
    { value: ticket.windows[0].factor, color: "red" },
  ];
  const stat = (name: string, description: string, expr: string, unit: string, steps: Step[] = []) =>
    bigNumber(prom, name, description, unit, steps).withTarget(promInstant(prom, expr).legendFormat(LEGEND));
  const burnGraph = (name: string, description: string, windows: readonly string[], steps: Step[]) => {
    const panel = graph(prom, name, description, units.Short, steps);
    windows.forEach((w, i) => {
      panel.withTarget(promRange(prom, burn(w), `${LEGEND} ${w}`).refId(String.fromCharCode(65 + i)));
    });
    return panel;
  };
  const builder = classicDashboard(title)
    .uid(SLO_DASHBOARD_UID)
    .description(
      "The SLOs of signals.slos: error budget spent, SLI over the compliance window, and the burn rates the alerts look at.",
    )
    .tags(["observability", "slo"])
    .readonly()
    .refresh("1m")
    .time({ from: "now-7d", to: "now" })
    .timezone("browser")
    .version(1)
    .variables([labelValues(prom, "slo", "SLO", "label_values(slo:objective:ratio, slo)")]);
  const dashboard = withRows(builder, [
    {
      title: "Now",
      panels: [
        stat(
          "Error budget spent",
          "The share of the compliance window's error budget already spent; red when it is gone.",
          SPENT,
          units.PercentUnit,
          [
            { value: 0.75, color: "orange" },
            { value: 1, color: "red" },
          ],
        ),
        stat(
          "SLI over the window",
          "Good events among all events over the compliance window.",
          SLI_WINDOW,
          units.PercentUnit,
        ),
        stat("Objective", "The SLO's objective.", `slo:objective:ratio{${SLO}}`, units.PercentUnit),
        stat(
          "Burn rate (1h)",
          "How fast the budget goes: 1 spends it exactly over the compliance window; the page alert's line is 14.4.",
          burn("1h"),
          units.Short,
          pageSteps,
        ),
      ],
    },
    {
      title: "Over time",
      panels: [
        burnGraph(
          "Burn rate, page windows",
          "The page alert fires when both windows of a pair are above their line: 14.4 over 1h and 5m, or 6 over 6h and 30m.",
          page.windows.flatMap((w) => [w.long, w.short]),
          pageSteps,
        ),
        burnGraph(
          "Burn rate, ticket windows",
          "The ticket alert fires when both windows of a pair are above their line: 3 over 1d and 2h, or 1 over 3d and 6h.",
          ticket.windows.flatMap((w) => [w.long, w.short]),
          ticketSteps,
        ),
        graph(
          prom,
          "Error budget spent",
          "The share of the budget spent over the compliance window, over time.",
          units.PercentUnit,
          [
            { value: 0.75, color: "orange" },
            { value: 1, color: "red" },
          ],
        ).withTarget(promRange(prom, SPENT, LEGEND)),
        graph(prom, "SLI (5m)", "Good events among all events over 5 minutes.", units.PercentUnit).withTarget(
          promRange(prom, `1 - ${errorRatioRecord("5m")}{${SLO}}`, LEGEND),
        ),
      ],
    },
  ]).build();
  return {
    file: "signals.slos",
    name: SLO_DASHBOARD_CONFIGMAP,
    folder,
    uid: SLO_DASHBOARD_UID,
    title,
    json: renderDashboard(dashboard),
  };
}
