/**
 * A small typed model of a Grafana dashboard, rendered to the JSON Grafana provisions. The
 * project's dashboards are written against this model instead of pasted JSON, so a reviewer reads
 * queries and layout, and the renderer owns ids, grid positions and Grafana's boilerplate.
 */

/** How a panel or variable names its datasource: by type and fixed uid. */
export interface DatasourceRef {
  type: string;
  uid: string;
}

/** One query of a panel: PromQL for Prometheus, LogQL for Loki. */
export interface Query {
  expr: string;
  /** The series name, e.g. `{{destination_service_name}}`. Defaults to Grafana's own. */
  legend?: string;
}

/** Grafana unit ids used here. */
export type Unit = "reqps" | "percentunit" | "ms" | "s" | "short" | "none" | "ops";

/** A coloured step: from `value` on, the panel shows `color`. */
export interface Threshold {
  value: number;
  color: "orange" | "red";
}

interface PanelBase {
  title: string;
  /** A sentence shown in the panel's info tooltip. */
  description: string;
  datasource: DatasourceRef;
  queries: Query[];
  /** Width in grid columns (24 is the full width). Defaults to 12. */
  width?: number;
  /** Height in grid rows. Defaults to 8. */
  height?: number;
}

/** A graph over time. */
export interface TimeseriesPanel extends PanelBase {
  kind: "timeseries";
  unit: Unit;
  thresholds?: Threshold[];
}
/** One big number: the last value of an instant query. */
export interface StatPanel extends PanelBase {
  kind: "stat";
  unit: Unit;
  thresholds?: Threshold[];
}
/** Log lines (Loki). */
export interface LogsPanel extends PanelBase {
  kind: "logs";
}
export type Panel = TimeseriesPanel | StatPanel | LogsPanel;

/** A titled band of panels, laid out left to right, wrapping at 24 columns. */
export interface Row {
  title: string;
  panels: Panel[];
}

/** A drop-down filled from label values, e.g. `label_values(up, namespace)`. */
export interface QueryVariable {
  kind: "query";
  name: string;
  label: string;
  datasource: DatasourceRef;
  /** `label_values(<selector>, <label>)` (Prometheus) or `label_values(<stream selector>, <label>)` (Loki). */
  query: string;
  /** Keep only values matching this regular expression. Defaults to all. */
  regex?: string;
  /** What "All" stands for in queries. Defaults to `.*`. */
  allValue?: string;
}
/** A free-text filter. */
export interface TextVariable {
  kind: "textbox";
  name: string;
  label: string;
  /** Defaults to empty. */
  value?: string;
}
export type Variable = QueryVariable | TextVariable;

export interface Dashboard {
  /** Fixed, so links and bookmarks survive a redeploy. At most 40 characters. */
  uid: string;
  title: string;
  description: string;
  /** Tags; the shared tag links the project's dashboards to each other. */
  tags: string[];
  variables: Variable[];
  rows: Row[];
}

const FULL_WIDTH = 24;

function datasourceJson(ref: DatasourceRef): Record<string, unknown> {
  return { type: ref.type, uid: ref.uid };
}

function thresholdsJson(steps: readonly Threshold[] | undefined): Record<string, unknown> {
  return {
    mode: "absolute",
    steps: [
      { color: "green", value: null },
      ...(steps ?? []).map((t) => ({ color: t.color, value: t.value })),
    ],
  };
}

function targetsJson(panel: Panel): Record<string, unknown>[] {
  return panel.queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: datasourceJson(panel.datasource),
    editorMode: "code",
    expr: q.expr,
    ...(q.legend !== undefined ? { legendFormat: q.legend } : {}),
    ...(panel.kind === "stat"
      ? { instant: true, range: false }
      : panel.kind === "logs"
        ? { queryType: "range" }
        : { range: true }),
  }));
}

function panelJson(panel: Panel, id: number, gridPos: Record<string, number>): Record<string, unknown> {
  const common = {
    id,
    type: panel.kind,
    title: panel.title,
    description: panel.description,
    datasource: datasourceJson(panel.datasource),
    gridPos,
    targets: targetsJson(panel),
  };
  switch (panel.kind) {
    case "timeseries":
      return {
        ...common,
        fieldConfig: {
          defaults: {
            unit: panel.unit,
            min: 0,
            custom: {
              drawStyle: "line",
              lineWidth: 1,
              fillOpacity: 10,
              showPoints: "never",
              spanNulls: false,
            },
            thresholds: thresholdsJson(panel.thresholds),
          },
          overrides: [],
        },
        options: {
          legend: {
            displayMode: "table",
            placement: "bottom",
            showLegend: true,
            calcs: ["mean", "max", "lastNotNull"],
          },
          tooltip: { mode: "multi", sort: "desc" },
        },
      };
    case "stat":
      return {
        ...common,
        fieldConfig: {
          defaults: {
            unit: panel.unit,
            thresholds: thresholdsJson(panel.thresholds),
            color: { mode: "thresholds" },
          },
          overrides: [],
        },
        options: {
          reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
          colorMode: "background",
          graphMode: "none",
          justifyMode: "auto",
          textMode: "auto",
          orientation: "auto",
        },
      };
    case "logs":
      return {
        ...common,
        options: {
          showTime: true,
          showLabels: false,
          showCommonLabels: false,
          wrapLogMessage: true,
          prettifyLogMessage: false,
          enableLogDetails: true,
          dedupStrategy: "none",
          sortOrder: "Descending",
        },
      };
  }
}

function variableJson(v: Variable): Record<string, unknown> {
  if (v.kind === "textbox") {
    const value = v.value ?? "";
    return {
      type: "textbox",
      name: v.name,
      label: v.label,
      query: value,
      current: { selected: false, text: value, value },
      hide: 0,
    };
  }
  return {
    type: "query",
    name: v.name,
    label: v.label,
    datasource: datasourceJson(v.datasource),
    definition: v.query,
    query: v.query,
    regex: v.regex ?? "",
    refresh: 2, // on time-range change, so new namespaces and services appear
    sort: 1,
    multi: true,
    includeAll: true,
    allValue: v.allValue ?? ".*",
    current: { selected: true, text: ["All"], value: ["$__all"] },
    options: [],
    hide: 0,
  };
}

/**
 * The Grafana JSON of a dashboard: panel ids 1..n in reading order, rows one under the other,
 * panels packed left to right. The same model always renders the same bytes.
 */
export function renderDashboard(d: Dashboard): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 0;
  let y = 0;
  for (const row of d.rows) {
    panels.push({
      id: ++id,
      type: "row",
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: FULL_WIDTH, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      const w = Math.min(panel.width ?? 12, FULL_WIDTH);
      const h = panel.height ?? 8;
      if (x + w > FULL_WIDTH) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panelJson(panel, ++id, { h, w, x, y }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: d.tags,
    editable: false,
    graphTooltip: 1,
    refresh: "30s",
    schemaVersion: 39,
    time: { from: "now-1h", to: "now" },
    timepicker: {},
    timezone: "browser",
    version: 1,
    links: [
      // Lists the project's other dashboards by their shared tag, so a dashboard that is off
      // (the logs view without Loki) simply does not appear.
      {
        type: "dashboards",
        title: "Observability",
        tags: d.tags.slice(0, 1),
        asDropdown: true,
        includeVars: true,
        keepTime: true,
      },
    ],
    templating: { list: d.variables.map(variableJson) },
    panels,
  };
}
