import * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as units from "@grafana/grafana-foundation-sdk/units";
import { DashboardsConfig } from "./config";
import { GrafanaDatasource, PROMETHEUS_DATASOURCE_UID } from "./datasource";
import {
  bigNumber,
  ClassicDashboard,
  classicDashboard,
  dashboardsTagged,
  DatasourceRef,
  graph,
  labelValues,
  logLines,
  lokiLines,
  lokiMetric,
  promInstant,
  promRange,
  renderDashboard,
  Row,
  Step,
  textFilter,
  withRows,
} from "./dashboard-kit";
import { LOKI_DATASOURCE_UID } from "./datasources";

/** The tag every project dashboard carries; their cross-links list dashboards by it. */
export const PROJECT_TAG = "observability";

export interface ProjectDashboardsArgs {
  /** Folders and the on/off switch (stack config `dashboards`). */
  dashboards: DashboardsConfig;
  /** Every datasource Grafana has (StackDatasources.all): a dashboard needs its datasource. */
  datasources: readonly GrafanaDatasource[];
  /** The stack's own namespaces, which the health view covers. */
  stackNamespaces: readonly string[];
  /** Show Alertmanager's panels. */
  alertmanagerEnabled: boolean;
  /** Where the alert rules draw their lines, so the panels colour at the same values. */
  thresholds: { errorRatio: number; latencyMs: number };
}

/** One dashboard as it is provisioned: its ConfigMap name, Grafana folder and JSON. */
export interface DashboardFile {
  /** The ConfigMap's name; the file in it is `<name>.json`. */
  name: string;
  folder: string;
  dashboard: ProjectDashboard;
  /** The rendered dashboard, stable byte for byte. */
  json: string;
}

/** A classic dashboard whose uid and title are always set. */
export type ProjectDashboard = ClassicDashboard & { uid: string; title: string };

/** What every project dashboard shares: read-only, shared crosshair, last hour, the cross-links. */
function projectDashboard(d: {
  /** Fixed, so provisioned dashboards update in place and links survive. At most 40 characters. */
  uid: string;
  title: string;
  description: string;
  /** The tag beside PROJECT_TAG. */
  tag: string;
  variables: cog.Builder<dashboard.VariableModel>[];
  rows: Row[];
}): ProjectDashboard {
  const builder = classicDashboard(d.title)
    .uid(d.uid)
    .description(d.description)
    .tags([PROJECT_TAG, d.tag])
    .readonly()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh("30s")
    .time({ from: "now-1h", to: "now" })
    .timezone("browser")
    .version(1)
    .link(dashboardsTagged("Observability", PROJECT_TAG))
    .variables(d.variables);
  return { ...withRows(builder, d.rows).build(), uid: d.uid, title: d.title };
}

function refTo(datasources: readonly GrafanaDatasource[], uid: string): DatasourceRef | undefined {
  const ds = datasources.find((d) => d.uid === uid);
  return ds === undefined ? undefined : { type: ds.type, uid: ds.uid };
}

// Istio's standard metrics, as the destination's proxy reports them (one report per request).
const ISTIO_SERVICE =
  'reporter="destination", destination_service_namespace=~"$namespace", destination_service_name=~"$service"';
const BY_SERVICE = "destination_service_namespace, destination_service_name";

function requestRate(by: string, extra = ""): string {
  const group = by === "" ? "sum" : `sum by (${by})`;
  return `${group} (rate(istio_requests_total{${ISTIO_SERVICE}${extra}}[$__rate_interval]))`;
}

function errorRatio(by: string): string {
  return `${requestRate(by, ', response_code=~"5.."')} / ${requestRate(by)}`;
}

function latency(quantile: number, by: string): string {
  const le = by === "" ? "le" : `le, ${by}`;
  return `histogram_quantile(${quantile}, sum by (${le}) (rate(istio_request_duration_milliseconds_bucket{${ISTIO_SERVICE}}[$__rate_interval])))`;
}

/** Request rate, error ratio and p50/p99 latency of every meshed service, from Istio's metrics. */
export function serviceOverview(
  prom: DatasourceRef,
  t: ProjectDashboardsArgs["thresholds"],
): ProjectDashboard {
  const errorSteps: Step[] = [
    { value: t.errorRatio / 5, color: "orange" },
    { value: t.errorRatio, color: "red" },
  ];
  const latencySteps: Step[] = [
    { value: t.latencyMs / 2, color: "orange" },
    { value: t.latencyMs, color: "red" },
  ];
  const stat = (title: string, description: string, expr: string, unit: string, steps?: Step[]) =>
    bigNumber(prom, title, description, unit, steps).withTarget(promInstant(prom, expr));
  const series = (
    title: string,
    description: string,
    expr: string,
    legend: string,
    unit: string,
    steps?: Step[],
    width?: number,
  ) => graph(prom, title, description, unit, steps, { width }).withTarget(promRange(prom, expr, legend));
  const legend = "{{destination_service_name}}.{{destination_service_namespace}}";
  return projectDashboard({
    uid: "observability-service-overview",
    title: "Service overview",
    description:
      "Request rate, 5xx ratio and latency of every service in the mesh, from Istio's standard metrics.",
    tag: "istio",
    variables: [
      labelValues(
        prom,
        "namespace",
        "Namespace",
        'label_values(istio_requests_total{reporter="destination"}, destination_service_namespace)',
      ),
      labelValues(
        prom,
        "service",
        "Service",
        'label_values(istio_requests_total{reporter="destination", destination_service_namespace=~"$namespace"}, destination_service_name)',
      ),
    ],
    rows: [
      {
        title: "Selected services",
        panels: [
          stat(
            "Requests per second",
            "All requests the selected services received.",
            requestRate(""),
            units.RequestsPerSecond,
          ),
          stat(
            "5xx ratio",
            "Share of requests answered with a 5xx status; red from the HighErrorRate alert's threshold.",
            errorRatio(""),
            units.PercentUnit,
            errorSteps,
          ),
          stat(
            "p50 latency",
            "Median request duration at the receiving proxy.",
            latency(0.5, ""),
            units.Milliseconds,
            latencySteps,
          ),
          stat(
            "p99 latency",
            "99th percentile request duration; red from the HighLatency alert's threshold.",
            latency(0.99, ""),
            units.Milliseconds,
            latencySteps,
          ),
        ],
      },
      {
        title: "Per service",
        panels: [
          series(
            "Requests per second",
            "Request rate by destination service.",
            requestRate(BY_SERVICE),
            legend,
            units.RequestsPerSecond,
          ),
          series(
            "5xx ratio",
            "Share of each service's requests answered with a 5xx status.",
            errorRatio(BY_SERVICE),
            legend,
            units.PercentUnit,
            errorSteps,
          ),
          series(
            "p50 latency",
            "Median request duration by service.",
            latency(0.5, BY_SERVICE),
            legend,
            units.Milliseconds,
          ),
          series(
            "p99 latency",
            "99th percentile request duration by service.",
            latency(0.99, BY_SERVICE),
            legend,
            units.Milliseconds,
            latencySteps,
          ),
          series(
            "Requests by response code",
            "Request rate of the selected services by HTTP status.",
            requestRate("response_code"),
            "{{response_code}}",
            units.RequestsPerSecond,
            [],
            24,
          ),
        ],
      },
    ],
  });
}

/** A regular expression matching exactly the given names. */
function exactly(names: readonly string[]): string {
  return names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

/** Is the stack itself healthy: its scrape targets, Prometheus's TSDB and Alertmanager's deliveries. */
export function stackHealth(
  prom: DatasourceRef,
  stackNamespaces: readonly string[],
  alertmanager: boolean,
): ProjectDashboard {
  const ns = 'namespace=~"$namespace"';
  const target = `${ns}, job=~"$job"`;
  const series = (
    title: string,
    description: string,
    expr: string,
    legend: string,
    unit: string,
    width = 12,
  ) => graph(prom, title, description, unit, [], { width }).withTarget(promRange(prom, expr, legend));
  const stat = (title: string, description: string, expr: string, red?: number) =>
    bigNumber(
      prom,
      title,
      description,
      units.NoUnit,
      red === undefined ? [] : [{ value: red, color: "red" }],
    ).withTarget(promInstant(prom, expr));
  const rows: Row[] = [
    {
      title: "Scrape targets",
      panels: [
        stat(
          "Targets up",
          "Scrape targets of the selected jobs that answered their last scrape.",
          `sum(up{${target}})`,
        ),
        stat(
          "Targets down",
          "Scrape targets that failed their last scrape; the ComponentDown alert fires after a while.",
          `count(up{${target}} == 0) or vector(0)`,
          1,
        ),
        stat(
          "Firing alerts",
          "Alerts Prometheus currently fires, all namespaces.",
          'count(ALERTS{alertstate="firing"}) or vector(0)',
        ),
        stat(
          "Head series",
          "Series in Prometheus's in-memory head block.",
          `sum(prometheus_tsdb_head_series{${ns}})`,
        ),
        series(
          "Up by job",
          "1 when every target of a job is up, 0 when one is down.",
          `min by (job) (up{${target}})`,
          "{{job}}",
          units.NoUnit,
        ),
        series(
          "Scrape duration by job",
          "Slowest scrape of each job; a scrape slower than its interval loses samples.",
          `max by (job) (scrape_duration_seconds{${target}})`,
          "{{job}}",
          units.Seconds,
        ),
      ],
    },
    {
      title: "Prometheus",
      panels: [
        series(
          "Samples appended per second",
          "Ingestion rate; zero means nothing is being stored (IngestionStalled).",
          `sum by (pod) (rate(prometheus_tsdb_head_samples_appended_total{${ns}}[$__rate_interval]))`,
          "{{pod}}",
          units.OpsPerSecond,
        ),
        series(
          "Head series",
          "Active series by Prometheus pod.",
          `sum by (pod) (prometheus_tsdb_head_series{${ns}})`,
          "{{pod}}",
          units.Short,
        ),
        series(
          "TSDB failures",
          "Failed compactions and WAL corruptions; anything above zero needs a look.",
          `sum by (pod) (increase(prometheus_tsdb_compactions_failed_total{${ns}}[$__rate_interval])) + sum by (pod) (increase(prometheus_tsdb_wal_corruptions_total{${ns}}[$__rate_interval]))`,
          "{{pod}}",
          units.Short,
        ),
        series(
          "Rule evaluation failures",
          "Recording and alerting rules that failed to evaluate.",
          `sum by (pod) (rate(prometheus_rule_evaluation_failures_total{${ns}}[$__rate_interval]))`,
          "{{pod}}",
          units.OpsPerSecond,
        ),
      ],
    },
  ];
  if (alertmanager) {
    rows.push({
      title: "Alertmanager",
      panels: [
        series(
          "Notifications failed",
          "Failed deliveries by integration (NotificationsFailing).",
          `sum by (integration) (rate(alertmanager_notifications_failed_total{${ns}}[$__rate_interval]))`,
          "{{integration}}",
          units.OpsPerSecond,
          8,
        ),
        series(
          "Notifications sent",
          "Deliveries attempted by integration.",
          `sum by (integration) (rate(alertmanager_notifications_total{${ns}}[$__rate_interval]))`,
          "{{integration}}",
          units.OpsPerSecond,
          8,
        ),
        series(
          "Alerts in Alertmanager",
          "Alerts Alertmanager holds, by state.",
          `sum by (state) (alertmanager_alerts{${ns}})`,
          "{{state}}",
          units.Short,
          8,
        ),
      ],
    });
  }
  const only = exactly(stackNamespaces);
  return projectDashboard({
    uid: "observability-stack-health",
    title: "Observability stack health",
    description:
      "The stack watching itself: scrape targets of its namespaces, Prometheus's TSDB and Alertmanager.",
    tag: "stack",
    variables: [
      labelValues(prom, "namespace", "Namespace", "label_values(up, namespace)", {
        regex: `/^(${only})$/`,
        allValue: only,
      }),
      labelValues(prom, "job", "Job", 'label_values(up{namespace=~"$namespace"}, job)'),
    ],
    rows,
  });
}

/** Logs of any pod from Loki, filtered by namespace, pod and text; only when Loki is a datasource. */
export function logsView(loki: DatasourceRef): ProjectDashboard {
  const stream = '{namespace=~"$namespace", pod=~"$pod"}';
  return projectDashboard({
    uid: "observability-logs",
    title: "Logs",
    description:
      "Pod logs from Loki with their volume over time; filter by namespace, pod and a regular expression.",
    tag: "logs",
    variables: [
      // Loki refuses a selector that can match the empty string, hence `.+` for "All".
      labelValues(loki, "namespace", "Namespace", 'label_values({namespace=~".+"}, namespace)', {
        allValue: ".+",
      }),
      labelValues(loki, "pod", "Pod", 'label_values({namespace=~"$namespace"}, pod)', { allValue: ".+" }),
      textFilter("search", "Line matches (regex)"),
    ],
    rows: [
      {
        title: "Volume",
        panels: [
          graph(loki, "Log lines per second", "Matching lines by pod.", units.OpsPerSecond).withTarget(
            lokiMetric(loki, `sum by (pod) (rate(${stream} |~ "$search" [$__interval]))`, "{{pod}}"),
          ),
          graph(
            loki,
            "Error lines per second",
            "Lines that mention error, fatal or panic, by pod.",
            units.OpsPerSecond,
          ).withTarget(
            lokiMetric(
              loki,
              `sum by (pod) (rate(${stream} |~ "(?i)(error|fatal|panic)" [$__interval]))`,
              "{{pod}}",
            ),
          ),
        ],
      },
      {
        title: "Lines",
        panels: [
          logLines(loki, "Logs", "The matching lines, newest first.", { width: 24, height: 16 }).withTarget(
            lokiLines(loki, `${stream} |~ "$search"`),
          ),
        ],
      },
    ],
  });
}

function file(name: string, folder: string, dashboard: ProjectDashboard): DashboardFile {
  return { name, folder, dashboard, json: renderDashboard(dashboard) };
}

/**
 * The project's own dashboards: the service overview and the stack's health view with Prometheus,
 * and the logs view only when a Loki datasource exists. A pure function of config and datasources.
 */
export function projectDashboards(args: ProjectDashboardsArgs): DashboardFile[] {
  const prom = refTo(args.datasources, PROMETHEUS_DATASOURCE_UID);
  if (!args.dashboards.enabled || prom === undefined) return [];
  const folder = args.dashboards.folder;
  const files = [
    file("grafana-dashboard-service-overview", folder, serviceOverview(prom, args.thresholds)),
    file(
      "grafana-dashboard-stack-health",
      folder,
      stackHealth(prom, args.stackNamespaces, args.alertmanagerEnabled),
    ),
  ];
  const loki = refTo(args.datasources, LOKI_DATASOURCE_UID);
  if (loki !== undefined) files.push(file("grafana-dashboard-logs", folder, logsView(loki)));
  return files;
}
