import { DashboardsConfig } from "./config";
import { GrafanaDatasource, PROMETHEUS_DATASOURCE_UID } from "./datasource";
import { Dashboard, DatasourceRef, Panel, renderDashboard, Threshold, Unit } from "./dashboard-model";
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
  dashboard: Dashboard;
  /** The rendered dashboard, stable byte for byte. */
  json: string;
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
export function serviceOverview(prom: DatasourceRef, t: ProjectDashboardsArgs["thresholds"]): Dashboard {
  const errorSteps: Threshold[] = [
    { value: t.errorRatio / 5, color: "orange" },
    { value: t.errorRatio, color: "red" },
  ];
  const latencySteps: Threshold[] = [
    { value: t.latencyMs / 2, color: "orange" },
    { value: t.latencyMs, color: "red" },
  ];
  const stat = (
    title: string,
    description: string,
    expr: string,
    unit: Unit,
    steps?: Threshold[],
  ): Panel => ({
    kind: "stat",
    title,
    description,
    datasource: prom,
    queries: [{ expr }],
    unit,
    width: 6,
    height: 4,
    ...(steps !== undefined ? { thresholds: steps } : {}),
  });
  const legend = "{{destination_service_name}}.{{destination_service_namespace}}";
  return {
    uid: "observability-service-overview",
    title: "Service overview",
    description:
      "Request rate, 5xx ratio and latency of every service in the mesh, from Istio's standard metrics.",
    tags: [PROJECT_TAG, "istio"],
    variables: [
      {
        kind: "query",
        name: "namespace",
        label: "Namespace",
        datasource: prom,
        query: 'label_values(istio_requests_total{reporter="destination"}, destination_service_namespace)',
      },
      {
        kind: "query",
        name: "service",
        label: "Service",
        datasource: prom,
        query:
          'label_values(istio_requests_total{reporter="destination", destination_service_namespace=~"$namespace"}, destination_service_name)',
      },
    ],
    rows: [
      {
        title: "Selected services",
        panels: [
          stat(
            "Requests per second",
            "All requests the selected services received.",
            requestRate(""),
            "reqps",
          ),
          stat(
            "5xx ratio",
            "Share of requests answered with a 5xx status; red from the HighErrorRate alert's threshold.",
            errorRatio(""),
            "percentunit",
            errorSteps,
          ),
          stat(
            "p50 latency",
            "Median request duration at the receiving proxy.",
            latency(0.5, ""),
            "ms",
            latencySteps,
          ),
          stat(
            "p99 latency",
            "99th percentile request duration; red from the HighLatency alert's threshold.",
            latency(0.99, ""),
            "ms",
            latencySteps,
          ),
        ],
      },
      {
        title: "Per service",
        panels: [
          {
            kind: "timeseries",
            title: "Requests per second",
            description: "Request rate by destination service.",
            datasource: prom,
            queries: [{ expr: requestRate(BY_SERVICE), legend }],
            unit: "reqps",
          },
          {
            kind: "timeseries",
            title: "5xx ratio",
            description: "Share of each service's requests answered with a 5xx status.",
            datasource: prom,
            queries: [{ expr: errorRatio(BY_SERVICE), legend }],
            unit: "percentunit",
            thresholds: errorSteps,
          },
          {
            kind: "timeseries",
            title: "p50 latency",
            description: "Median request duration by service.",
            datasource: prom,
            queries: [{ expr: latency(0.5, BY_SERVICE), legend }],
            unit: "ms",
          },
          {
            kind: "timeseries",
            title: "p99 latency",
            description: "99th percentile request duration by service.",
            datasource: prom,
            queries: [{ expr: latency(0.99, BY_SERVICE), legend }],
            unit: "ms",
            thresholds: latencySteps,
          },
          {
            kind: "timeseries",
            title: "Requests by response code",
            description: "Request rate of the selected services by HTTP status.",
            datasource: prom,
            queries: [{ expr: requestRate("response_code"), legend: "{{response_code}}" }],
            unit: "reqps",
            width: 24,
          },
        ],
      },
    ],
  };
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
): Dashboard {
  const ns = 'namespace=~"$namespace"';
  const target = `${ns}, job=~"$job"`;
  const series = (
    title: string,
    description: string,
    expr: string,
    legend: string,
    unit: Unit,
    width = 12,
  ): Panel => ({
    kind: "timeseries",
    title,
    description,
    datasource: prom,
    queries: [{ expr, legend }],
    unit,
    width,
  });
  const stat = (title: string, description: string, expr: string, red?: number): Panel => ({
    kind: "stat",
    title,
    description,
    datasource: prom,
    queries: [{ expr }],
    unit: "none",
    width: 6,
    height: 4,
    ...(red !== undefined ? { thresholds: [{ value: red, color: "red" as const }] } : {}),
  });
  const rows: Dashboard["rows"] = [
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
          "none",
        ),
        series(
          "Scrape duration by job",
          "Slowest scrape of each job; a scrape slower than its interval loses samples.",
          `max by (job) (scrape_duration_seconds{${target}})`,
          "{{job}}",
          "s",
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
          "ops",
        ),
        series(
          "Head series",
          "Active series by Prometheus pod.",
          `sum by (pod) (prometheus_tsdb_head_series{${ns}})`,
          "{{pod}}",
          "short",
        ),
        series(
          "TSDB failures",
          "Failed compactions and WAL corruptions; anything above zero needs a look.",
          `sum by (pod) (increase(prometheus_tsdb_compactions_failed_total{${ns}}[$__rate_interval])) + sum by (pod) (increase(prometheus_tsdb_wal_corruptions_total{${ns}}[$__rate_interval]))`,
          "{{pod}}",
          "short",
        ),
        series(
          "Rule evaluation failures",
          "Recording and alerting rules that failed to evaluate.",
          `sum by (pod) (rate(prometheus_rule_evaluation_failures_total{${ns}}[$__rate_interval]))`,
          "{{pod}}",
          "ops",
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
          "ops",
          8,
        ),
        series(
          "Notifications sent",
          "Deliveries attempted by integration.",
          `sum by (integration) (rate(alertmanager_notifications_total{${ns}}[$__rate_interval]))`,
          "{{integration}}",
          "ops",
          8,
        ),
        series(
          "Alerts in Alertmanager",
          "Alerts Alertmanager holds, by state.",
          `sum by (state) (alertmanager_alerts{${ns}})`,
          "{{state}}",
          "short",
          8,
        ),
      ],
    });
  }
  const only = exactly(stackNamespaces);
  return {
    uid: "observability-stack-health",
    title: "Observability stack health",
    description:
      "The stack watching itself: scrape targets of its namespaces, Prometheus's TSDB and Alertmanager.",
    tags: [PROJECT_TAG, "stack"],
    variables: [
      {
        kind: "query",
        name: "namespace",
        label: "Namespace",
        datasource: prom,
        query: "label_values(up, namespace)",
        regex: `/^(${only})$/`,
        allValue: only,
      },
      {
        kind: "query",
        name: "job",
        label: "Job",
        datasource: prom,
        query: 'label_values(up{namespace=~"$namespace"}, job)',
      },
    ],
    rows,
  };
}

/** Logs of any pod from Loki, filtered by namespace, pod and text; only when Loki is a datasource. */
export function logsView(loki: DatasourceRef): Dashboard {
  const stream = '{namespace=~"$namespace", pod=~"$pod"}';
  return {
    uid: "observability-logs",
    title: "Logs",
    description:
      "Pod logs from Loki with their volume over time; filter by namespace, pod and a regular expression.",
    tags: [PROJECT_TAG, "logs"],
    variables: [
      {
        kind: "query",
        name: "namespace",
        label: "Namespace",
        datasource: loki,
        query: 'label_values({namespace=~".+"}, namespace)',
        // Loki refuses a selector that can match the empty string.
        allValue: ".+",
      },
      {
        kind: "query",
        name: "pod",
        label: "Pod",
        datasource: loki,
        query: 'label_values({namespace=~"$namespace"}, pod)',
        allValue: ".+",
      },
      { kind: "textbox", name: "search", label: "Line matches (regex)" },
    ],
    rows: [
      {
        title: "Volume",
        panels: [
          {
            kind: "timeseries",
            title: "Log lines per second",
            description: "Matching lines by pod.",
            datasource: loki,
            queries: [
              { expr: `sum by (pod) (rate(${stream} |~ "$search" [$__interval]))`, legend: "{{pod}}" },
            ],
            unit: "ops",
          },
          {
            kind: "timeseries",
            title: "Error lines per second",
            description: "Lines that mention error, fatal or panic, by pod.",
            datasource: loki,
            queries: [
              {
                expr: `sum by (pod) (rate(${stream} |~ "(?i)(error|fatal|panic)" [$__interval]))`,
                legend: "{{pod}}",
              },
            ],
            unit: "ops",
          },
        ],
      },
      {
        title: "Lines",
        panels: [
          {
            kind: "logs",
            title: "Logs",
            description: "The matching lines, newest first.",
            datasource: loki,
            queries: [{ expr: `${stream} |~ "$search"` }],
            width: 24,
            height: 16,
          },
        ],
      },
    ],
  };
}

function file(name: string, folder: string, dashboard: Dashboard): DashboardFile {
  return { name, folder, dashboard, json: `${JSON.stringify(renderDashboard(dashboard), null, 2)}\n` };
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
