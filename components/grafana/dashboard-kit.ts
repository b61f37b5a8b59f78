/**
 * The project's few conventions on top of the Grafana Foundation SDK's builders: how its panels
 * look, how rows are laid out and numbered, and how a dashboard becomes stable bytes. The SDK
 * (generated from Grafana's own schema) owns the JSON model; dashboards.ts says what to show.
 */
import * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import * as loki from "@grafana/grafana-foundation-sdk/loki";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";

/**
 * A dashboard in Grafana's classic JSON model, the one its file provisioning (the sidecar) loads.
 * The SDK marks it deprecated in favour of the v2 schema, which Grafana 12 offers only behind the
 * `dashboardNewLayouts` feature toggle, as a public preview.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
export type ClassicDashboard = dashboard.Dashboard;

/** The classic dashboard builder; see ClassicDashboard for why not v2. */
export function classicDashboard(title: string) {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- see ClassicDashboard
  return new dashboard.DashboardBuilder(title);
}

/** How a panel, query or variable names its datasource: by type and fixed uid. */
export interface DatasourceRef {
  type: string;
  uid: string;
}

/** A coloured step: from `value` on, the panel shows `color`. */
export interface Step {
  value: number;
  color: "orange" | "red";
}

/** Green below the first step, then each step's colour. */
function thresholds(steps: readonly Step[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ color: "green", value: null }, ...steps.map((s) => ({ color: s.color, value: s.value }))]);
}

/** A panel builder: every SDK panel builder can take an id. */
type PanelBuilder = cog.Builder<dashboard.Panel> & { id(id: number): unknown };

/** A titled band of panels, laid out left to right, wrapping at 24 columns. */
export interface Row {
  title: string;
  panels: PanelBuilder[];
}

/**
 * Adds rows one under the other, their panels packed left to right by the SDK's layout, and
 * numbers rows and panels 1..n in reading order so panel links (`viewPanel=`) stay stable.
 */
export function withRows(
  builder: ReturnType<typeof classicDashboard>,
  rows: readonly Row[],
): ReturnType<typeof classicDashboard> {
  let id = 0;
  for (const row of rows) {
    builder.withRow(new dashboard.RowBuilder(row.title).id(++id));
    for (const panel of row.panels) {
      panel.id(++id);
      builder.withPanel(panel);
    }
  }
  return builder;
}

/** Size in grid cells: width in columns (24 is the full width), height in rows. */
export interface Size {
  /** Defaults to 12, half the width. */
  width?: number;
  /** Defaults to 8. */
  height?: number;
}

/** A graph over time, starting at 0, with a table legend of mean, max and last. */
export function graph(
  ds: DatasourceRef,
  title: string,
  description: string,
  unit: string,
  steps: readonly Step[] = [],
  size: Size = {},
): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(ds)
    .unit(unit)
    .min(0)
    .drawStyle(common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .thresholds(thresholds(steps))
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(["mean", "max", "lastNotNull"]),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .span(size.width ?? 12)
    .height(size.height ?? 8);
}

/** One big number on a background coloured by its thresholds: the last value of an instant query. */
export function bigNumber(
  ds: DatasourceRef,
  title: string,
  description: string,
  unit: string,
  steps: readonly Step[] = [],
): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(ds)
    .unit(unit)
    .thresholds(thresholds(steps))
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).fields("").values(false))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .textMode(common.BigValueTextMode.Auto)
    .orientation(common.VizOrientation.Auto)
    .span(6)
    .height(4);
}

/** Log lines, newest first, wrapped, with their time and a details view. */
export function logLines(
  ds: DatasourceRef,
  title: string,
  description: string,
  size: Size = {},
): logs.PanelBuilder {
  return new logs.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(ds)
    .showTime(true)
    .showLabels(false)
    .showCommonLabels(false)
    .wrapLogMessage(true)
    .prettifyLogMessage(false)
    .enableLogDetails(true)
    .dedupStrategy(common.LogsDedupStrategy.None)
    .sortOrder(common.LogsSortOrder.Descending)
    .span(size.width ?? 12)
    .height(size.height ?? 8);
}

/** A PromQL query over the panel's time range, `legend` naming its series (e.g. `{{pod}}`). */
export function promRange(ds: DatasourceRef, expr: string, legend: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .refId("A")
    .datasource(ds)
    .editorMode(prometheus.QueryEditorMode.Code)
    .expr(expr)
    .legendFormat(legend)
    .range();
}

/** A PromQL query at the end of the time range, for a single number. */
export function promInstant(ds: DatasourceRef, expr: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .refId("A")
    .datasource(ds)
    .editorMode(prometheus.QueryEditorMode.Code)
    .expr(expr)
    .instant();
}

/** A LogQL metric query over the time range, `legend` naming its series. */
export function lokiMetric(ds: DatasourceRef, expr: string, legend: string): loki.DataqueryBuilder {
  return new loki.DataqueryBuilder()
    .refId("A")
    .datasource(ds)
    .editorMode(loki.QueryEditorMode.Code)
    .expr(expr)
    .legendFormat(legend)
    .range(true);
}

/** A LogQL log query: the matching lines over the time range. */
export function lokiLines(ds: DatasourceRef, expr: string): loki.DataqueryBuilder {
  return new loki.DataqueryBuilder()
    .refId("A")
    .datasource(ds)
    .editorMode(loki.QueryEditorMode.Code)
    .expr(expr)
    .queryType(loki.LokiQueryType.Range);
}

/**
 * A multi-select drop-down filled from `label_values(<selector>, <label>)`, "All" selected, which
 * stands for `allValue` (defaults to `.*`). `regex` keeps only matching values; defaults to all.
 */
export function labelValues(
  ds: DatasourceRef,
  name: string,
  label: string,
  query: string,
  opts: { regex?: string; allValue?: string } = {},
): dashboard.QueryVariableBuilder {
  const v = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(ds)
    .definition(query)
    .query(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged) // so new namespaces and services appear
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(opts.allValue ?? ".*")
    .current({ selected: true, text: ["All"], value: ["$__all"] })
    .options([])
    .hide(dashboard.VariableHide.DontHide);
  return opts.regex === undefined ? v : v.regex(opts.regex);
}

/** A free-text filter, empty at first. */
export function textFilter(name: string, label: string): dashboard.TextBoxVariableBuilder {
  return new dashboard.TextBoxVariableBuilder(name)
    .label(label)
    .defaultValue("")
    .current({ selected: false, text: "", value: "" })
    .hide(dashboard.VariableHide.DontHide);
}

/**
 * A drop-down of the dashboards carrying `tag`, so a dashboard that is off (the logs view without
 * Loki) simply does not appear. The SDK fills `placement: "inControlsMenu"` by default, which moves
 * a link out of the dashboard's top bar in Grafana versions that know the field: dropped here.
 */
export function dashboardsTagged(title: string, tag: string): cog.Builder<dashboard.DashboardLink> {
  const link = new dashboard.DashboardLinkBuilder(title)
    .type(dashboard.DashboardLinkType.Dashboards)
    .tags([tag])
    .asDropdown(true)
    .includeVars(true)
    .keepTime(true)
    .build();
  delete link.placement;
  return { build: () => link };
}

/** Object keys in code-point order, so the bytes do not depend on the order builders were called. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** The dashboard's JSON, two-space indented, keys sorted, newline-terminated: the same bytes every run. */
export function renderDashboard(d: ClassicDashboard): string {
  return `${JSON.stringify(d, sortedKeys, 2)}\n`;
}
